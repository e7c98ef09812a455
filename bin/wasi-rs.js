#!/usr/bin/env node
'use strict';
// wasi-rs command-line runner: runs a WASI command module, with flags
// spelled as wasmtime's. See `wasi-rs --help`.

const fs = require('fs');
const path = require('path');
const { avoidLiftoffBug } = require('../lib/v8-workarounds');
const { hostExitStatus, isTrap, MAX_EXIT_STATUS } = require('../lib/exit-status');
const { exportedFunctionType } = require('../lib/wasm-binary');

const USAGE = `Usage: wasi-rs [run] [options] [--] <prog.wasm> [args...]

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
  -S tcplisten=ADDR   Bind a TCP listener to ADDR (HOST:PORT) and hand it to the
                      program as a socket fd after the preopens (also spelled
                      --tcplisten ADDR).
  -S inherit-env      Pass the host's whole environment to the program.
  --argv0 NAME        The program's argv[0] (default: the file's name).
  --invoke NAME       Call the export NAME with the numbers after the module as
                      its arguments, and print its results, instead of
                      running _start (for reactors: _initialize runs first).
  -V, --version       Print the version.
  -h, --help          Show this help.

The program gets no directory and no environment unless granted.
Exit status: the program's exit code (from proc_exit, or 0 when _start returns)
when it is 0-${MAX_EXIT_STATUS}, else 1 (as wasmtime: a larger status would read as
another, or as success); 1 when the runner itself fails (unreadable file, not
wasm, missing _start, memory or export, unknown import); 2 for a usage error
(a bad flag); 134 when the program traps (stack exhaustion included).`;

class UsageError extends Error {}

/** wasmtime's `-S` WASI options that wasi-rs takes: `-S key[=value]`. */
function wasiOption(opts, spec) {
  const eq = spec.indexOf('=');
  const [key, value] = eq === -1 ? [spec, undefined] : [spec.slice(0, eq), spec.slice(eq + 1)];
  if (key === 'tcplisten') {
    if (!value) throw new UsageError('-S tcplisten needs =HOST:PORT');
    opts.sockets.push({ listen: value });
  } else if (key === 'inherit-env') {
    if (value === undefined || value === 'y' || value === 'yes' || value === 'true') Object.assign(opts.env, process.env);
    else if (!['n', 'no', 'false'].includes(value)) throw new UsageError(`-S inherit-env=${value}: expected y or n`);
  } else {
    throw new UsageError(`unknown WASI option -S ${key} (wasi-rs takes -S tcplisten=ADDR and -S inherit-env)`);
  }
}

/** Parses argv (without node and script) into run options. */
function parseArgs(argv) {
  const opts = { preopens: {}, env: {}, sockets: [], wasm: undefined, args: [], argv0: undefined, invoke: undefined };
  let i = 0;
  // `wasi-rs run prog.wasm`, as `wasmtime run`.
  if (argv[0] === 'run') i = 1;
  const value = (flag) => {
    if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
    return argv[++i];
  };
  for (; i < argv.length; i++) {
    let arg = argv[i];
    let inline;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 2 && /^--(dir|env|tcplisten|argv0|invoke)=/.test(arg)) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--') {
      i++;
      break;
    } else if (arg === '-h' || arg === '--help') {
      opts.help = true;
      return opts;
    } else if (arg === '-V' || arg === '--version') {
      opts.version = true;
      return opts;
    } else if (arg === '-S') {
      wasiOption(opts, value(arg));
    } else if (arg.startsWith('-S') && arg.length > 2) {
      wasiOption(opts, arg.slice(2));
    } else if (arg === '--argv0') {
      opts.argv0 = inline ?? value(arg);
    } else if (arg === '--invoke') {
      opts.invoke = inline ?? value(arg);
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
    status = hostExitStatus(await wasi.run(bytes));
  } catch (err) {
    if (isTrap(err)) fail(`${file} trapped: ${err.message}`, 134);
    else fail(`${file} failed: ${err && err.message ? err.message : err}`);
    status = process.exitCode;
  }
  // Threads that are still blocked (in a host read, say) do not hold the
  // exit: the process ends with the guest's status now.
  process.exit(status);
}

/** Whether a file that is not a module begins as WebAssembly text does: a `(`
 * (the module) or a `;;` comment after any whitespace. */
function looksLikeText(bytes) {
  const head = bytes.subarray(0, 256).toString('latin1').trimStart();
  return head.startsWith('(') || head.startsWith(';;');
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
    if (err instanceof UsageError) return fail(`${err.message}\n${USAGE.split('\n')[0]} (see --help)`, 2);
    throw err;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (opts.version) {
    process.stdout.write(`wasi-rs ${require('../package.json').version}\n`);
    return;
  }
  const { WASI, WASIExitError } = require('..');
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
    if (looksLikeText(bytes)) {
      return fail(`${opts.wasm} is WebAssembly text: wasi-rs runs binary modules; convert it first (for example \`wasm-tools parse ${opts.wasm} -o out.wasm\` or wabt's \`wat2wasm\`)`);
    }
    return fail(`${opts.wasm} is not a valid WebAssembly module: ${err.message}`);
  }
  const exported = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  if (opts.invoke !== undefined) {
    if (exported.get(opts.invoke) !== 'function') return fail(`${opts.wasm} exports no function ${opts.invoke}`);
  } else if (exported.get('_start') !== 'function') {
    return fail(`${opts.wasm} has no _start export: it is not a WASI command module (a reactor's functions run with --invoke)`);
  }
  if (!isThreaded(module) && exported.get('memory') !== 'memory') {
    return fail(`${opts.wasm} exports no memory: a WASI module must export the memory its calls point into`);
  }
  let wasi;
  try {
    wasi = new WASI({
      version: wasiVersionOf(module),
      args: [opts.argv0 ?? path.basename(opts.wasm), ...opts.args],
      env: opts.env,
      preopens: opts.preopens,
      sockets: opts.sockets,
    });
  } catch (err) {
    return fail(err.message);
  }
  if (isThreaded(module)) {
    if (opts.invoke !== undefined) return fail(`--invoke does not run wasi-threads modules (${opts.wasm} imports its memory)`);
    return runThreaded(wasi, bytes, opts.wasm);
  }
  const unknown = findUnknownImport(module, wasi.getImportObject());
  if (unknown) return fail(`unknown import ${unknown}: only WASI imports are provided`);
  let instance;
  try {
    instance = new WebAssembly.Instance(module, wasi.getImportObject());
  } catch (err) {
    return fail(`cannot instantiate ${opts.wasm}: ${err.message}`);
  }
  try {
    if (opts.invoke !== undefined) invoke(wasi, instance, bytes, opts);
    else process.exitCode = hostExitStatus(wasi.start(instance));
  } catch (err) {
    if (err instanceof WASIExitError) process.exitCode = hostExitStatus(err.exitCode);
    else if (isTrap(err)) return fail(`${opts.wasm} trapped: ${err.message}`, 134);
    else if (err instanceof UsageError) return fail(err.message, 2);
    else return fail(`${opts.wasm} failed: ${firstLine(err)}`);
  }
}

/** An error's message, on one line. */
function firstLine(err) {
  return String(err && err.message !== undefined ? err.message : err).split('\n')[0];
}

/** --invoke: initializes a reactor (or binds a command's memory), calls the
 * export with the arguments turned into its parameter types, and prints
 * each result on its own line, as `wasmtime run --invoke` does. */
function invoke(wasi, instance, bytes, opts) {
  const type = exportedFunctionType(bytes, opts.invoke) ?? { params: [], results: [] };
  if (opts.args.length !== type.params.length) {
    throw new UsageError(`${opts.invoke} takes ${type.params.length} arguments (${type.params.join(', ') || 'none'}), ${opts.args.length} given`);
  }
  const args = opts.args.map((text, k) => {
    const t = type.params[k];
    if (t === 'i64') {
      if (!/^-?\d+$/.test(text)) throw new UsageError(`argument ${k + 1} of ${opts.invoke} is an i64: ${text} is not an integer`);
      return BigInt(text);
    }
    const n = Number(text);
    if (text.trim() === '' || Number.isNaN(n) || (t === 'i32' && !Number.isInteger(n))) {
      throw new UsageError(`argument ${k + 1} of ${opts.invoke} is an ${t}: ${text} is not one`);
    }
    return n;
  });
  if (typeof instance.exports._initialize === 'function') wasi.initialize(instance);
  else wasi.finalizeBindings(instance);
  const result = instance.exports[opts.invoke](...args);
  const results = type.results.length > 1 ? result : type.results.length === 1 ? [result] : [];
  for (const r of results) process.stdout.write(`${r}\n`);
}

if (require.main === module) main();
module.exports = { parseArgs };
