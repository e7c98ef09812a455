#!/usr/bin/env node
'use strict';
// wasi-rs command-line runner: runs a WASI command module, with flags
// spelled as wasmtime's. See `wasi-rs --help`.

const fs = require('fs');
const path = require('path');
const { avoidLiftoffBug } = require('../lib/v8-workarounds');
const { hostExitStatus, isTrap, MAX_EXIT_STATUS } = require('../lib/exit-status');

const USAGE = `Usage: wasi-rs [options] [--] <prog.wasm> [args...]

Runs a WASI (preview1 or wasi_unstable) command module under wasi-rs.

Options:
  --dir HOST::GUEST   Grant the program the host directory HOST, seen as GUEST.
  --dir DIR           Grant DIR under the same name (same as --dir DIR::DIR).
  --dir HOST::GUEST::ro
                      Grant HOST read-only: the program can read the tree but
                      not create, write, rename, link, unlink, truncate or set
                      times in it.
  --env NAME=VALUE    Set an environment variable for the program.
  --env NAME          Pass the host's value of NAME through, if it is set.
  --tcplisten ADDR    Bind a TCP listener to ADDR (HOST:PORT) and hand it to the
                      program as a socket fd after the preopens.
  -h, --help          Show this help.

The program gets no directory and no environment unless granted.
Exit status: the program's exit code (from proc_exit, or 0 when _start returns)
when it is 0-${MAX_EXIT_STATUS}, else 1 (as wasmtime: a larger status would read as
another, or as success); 1 when the runner itself fails (unreadable file, not
wasm, missing _start, unknown import, bad flag); 134 when the program traps
(stack exhaustion included).`;

class UsageError extends Error {}

/** Parses argv (without node and script) into run options. */
function parseArgs(argv) {
  const opts = { preopens: {}, env: {}, sockets: [], wasm: undefined, args: [] };
  let i = 0;
  const value = (flag) => {
    if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
    return argv[++i];
  };
  for (; i < argv.length; i++) {
    let arg = argv[i];
    let inline;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 2 && /^--(dir|env|tcplisten)=/.test(arg)) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--') {
      i++;
      break;
    } else if (arg === '-h' || arg === '--help') {
      opts.help = true;
      return opts;
    } else if (arg === '--dir') {
      const spec = inline ?? value(arg);
      const parts = spec.split('::');
      const readOnly = parts.length === 3 && parts[2] === 'ro';
      if (parts.length > 2 && !readOnly) throw new UsageError(`--dir ${spec}: expected HOST::GUEST, DIR or HOST::GUEST::ro`);
      const [host, guest = host] = parts;
      if (!host || !guest) throw new UsageError(`--dir ${spec}: expected HOST::GUEST, DIR or HOST::GUEST::ro`);
      opts.preopens[guest] = readOnly ? { path: host, readOnly } : host;
    } else if (arg === '--env') {
      const spec = inline ?? value(arg);
      const eqAt = spec.indexOf('=');
      if (eqAt === 0) throw new UsageError(`--env ${spec}: the name is empty`);
      if (eqAt === -1) {
        if (process.env[spec] !== undefined) opts.env[spec] = process.env[spec];
      } else {
        opts.env[spec.slice(0, eqAt)] = spec.slice(eqAt + 1);
      }
    } else if (arg === '--tcplisten') {
      opts.sockets.push({ listen: inline ?? value(arg) });
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      break;
    }
  }
  if (i >= argv.length) throw new UsageError('no program given');
  opts.wasm = argv[i];
  opts.args = argv.slice(i + 1);
  return opts;
}

/** The WASI version a module was built for, from the namespaces it imports. */
function wasiVersionOf(module) {
  const modules = new Set(WebAssembly.Module.imports(module).map((imp) => imp.module));
  return modules.has('wasi_unstable') && !modules.has('wasi_snapshot_preview1') ? 'unstable' : 'preview1';
}

/** Names the first import that `importObject` does not provide as an own
 * property (never one inherited, such as `constructor`), if any. */
function findUnknownImport(module, importObject) {
  for (const imp of WebAssembly.Module.imports(module)) {
    const ns = Object.hasOwn(importObject, imp.module) ? importObject[imp.module] : undefined;
    if (!ns || !Object.hasOwn(ns, imp.name)) return `${imp.module}::${imp.name} (${imp.kind})`;
  }
  return undefined;
}

/** Whether a module is a wasi-threads program: it imports `thread-spawn`
 * or its memory (which then only `run()` can make from its limits). */
function isThreaded(module) {
  return WebAssembly.Module.imports(module).some(
    (imp) => (imp.module === 'wasi' && imp.name === 'thread-spawn') || imp.kind === 'memory',
  );
}

/** Runs a wasi-threads program with `wasi.run()`: every thread in a
 * worker, this thread free to start them, and the process ended when the
 * guest's process ends (exit status, or 134 for a trap on any thread). */
async function runThreaded(wasi, bytes, file) {
  let status;
  try {
    status = exitStatus(await wasi.run(bytes));
  } catch (err) {
    if (isTrap(err)) fail(`${file} trapped: ${err.message}`, 134);
    else fail(`${file} failed: ${err && err.message ? err.message : err}`);
    status = process.exitCode;
  }
  // Threads that are still blocked (in a host read, say) do not hold the
  // exit: the process ends with the guest's status now.
  process.exit(status);
}

/** The host status for the program's exit code (see lib/exit-status.js). */
function exitStatus(code) {
  const { status, message } = hostExitStatus(code);
  if (message) process.stderr.write(`wasi-rs: ${message}\n`);
  return status;
}

function fail(message, status = 1) {
  process.stderr.write(`wasi-rs: ${message}\n`);
  process.exitCode = status;
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) return fail(`${err.message}\n${USAGE.split('\n')[0]} (see --help)`);
    throw err;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { WASI } = require('..');
  let bytes;
  try {
    bytes = fs.readFileSync(opts.wasm);
  } catch (err) {
    return fail(`cannot read ${opts.wasm}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
  avoidLiftoffBug(bytes);
  let module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch (err) {
    return fail(`${opts.wasm} is not a valid WebAssembly module: ${err.message}`);
  }
  const exportNames = WebAssembly.Module.exports(module).map((e) => e.name);
  if (!exportNames.includes('_start')) {
    return fail(`${opts.wasm} has no _start export: it is not a WASI command module`);
  }
  let wasi;
  try {
    wasi = new WASI({
      version: wasiVersionOf(module),
      args: [path.basename(opts.wasm), ...opts.args],
      env: opts.env,
      preopens: opts.preopens,
      sockets: opts.sockets,
    });
  } catch (err) {
    return fail(err.message);
  }
  if (isThreaded(module)) return runThreaded(wasi, bytes, opts.wasm);
  const unknown = findUnknownImport(module, wasi.getImportObject());
  if (unknown) return fail(`unknown import ${unknown}: only WASI imports are provided`);
  let instance;
  try {
    instance = new WebAssembly.Instance(module, wasi.getImportObject());
  } catch (err) {
    return fail(`cannot instantiate ${opts.wasm}: ${err.message}`);
  }
  try {
    process.exitCode = exitStatus(wasi.start(instance));
  } catch (err) {
    if (isTrap(err)) return fail(`${opts.wasm} trapped: ${err.message}`, 134);
    return fail(`${opts.wasm} failed: ${err && err.stack ? err.stack : err}`);
  }
}

if (require.main === module) main();
module.exports = { parseArgs };
