#!/usr/bin/env node
'use strict';
// wasi-rs command-line runner: runs a WASI command module, with flags
// spelled as wasmtime's. See `wasi-rs --help`.

const fs = require('fs');
const path = require('path');
const { avoidLiftoffBug } = require('../lib/v8-workarounds');
const { hostExitStatus, isTrap, MAX_EXIT_STATUS } = require('../lib/exit-status');
const { exportedFunctionType, moduleImports } = require('../lib/wasm-binary');

const USAGE = `Usage: wasi-rs [run] [options] [--] <prog.wasm> [args...]
       wasi-rs compile [-W fuel=N] [-W max-wasm-stack=BYTES] [-C cache-dir=DIR] <prog.wasm>

Runs a WASI (preview1 or wasi_unstable) command module under wasi-rs.
\`compile\` compiles it for the wasmtime engine into the compiled-code cache,
ahead of its runs.

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
  --engine NAME       v8 (the default: Node's own) or wasmtime (the optional
                      add-on: compiled code cached on disk, fuel; it also runs
                      .wat files).
  -W timeout=TIME     Stop the program after TIME (500ms, 10s, 2m; a bare
                      number is seconds): exit 134, as a trap.
  -W max-memory-size=BYTES
                      The most linear memory the program may have: past it,
                      memory.grow fails.
  -W fuel=N           Run at most about N wasm instructions, then exit 134
                      (wasmtime engine).
  -W max-wasm-stack=BYTES
                      The native stack wasm may use (wasmtime engine).
  -W max-table-elements=N
                      The most elements a table may have: past it, table.grow
                      fails (wasmtime engine).
  -C cache=y|n        Cache compiled code on disk (wasmtime engine; default y).
  -C cache-dir=DIR    Where (default: the per-user cache folder).
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

/** A duration as wasmtime spells one (`10s`, `500ms`, `2m`; a bare number
 * is seconds), in milliseconds. */
function durationMs(text, flag) {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)?$/.exec(text);
  if (!m) throw new UsageError(`${flag}=${text}: expected a duration such as 500ms, 10s or 2m`);
  const scale = { ns: 1e-6, us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 }[m[2] ?? 's'];
  const ms = Math.ceil(Number(m[1]) * scale);
  if (ms > 2147483647) throw new UsageError(`${flag}=${text}: at most 2147483647 ms`);
  return ms;
}

/** A whole number of bytes or units, for `flag`. */
function count(text, flag, max) {
  if (!/^\d+$/.test(text) || Number(text) > max) throw new UsageError(`${flag}=${text}: expected a whole number up to ${max}`);
  return Number(text);
}

/** wasmtime's `-W` (wasm and limits) and `-C` (codegen) options that wasi-rs takes. */
function engineOption(opts, flag, spec) {
  const eq = spec.indexOf('=');
  const [key, value] = eq === -1 ? [spec, ''] : [spec.slice(0, eq), spec.slice(eq + 1)];
  const name = `${flag} ${key}`;
  if (flag === '-W' && key === 'timeout') opts.limits.timeout = durationMs(value, name);
  else if (flag === '-W' && key === 'max-memory-size') opts.limits.maxMemory = count(value, name, 2 ** 32);
  else if (flag === '-W' && key === 'fuel') opts.limits.fuel = count(value, name, Number.MAX_SAFE_INTEGER);
  else if (flag === '-W' && key === 'max-wasm-stack') opts.limits.maxStack = count(value, name, 2 ** 30);
  else if (flag === '-W' && key === 'max-table-elements') opts.limits.maxTableElements = count(value, name, 2 ** 32 - 1);
  else if (flag === '-C' && key === 'cache') {
    if (!['y', 'yes', 'true', 'n', 'no', 'false'].includes(value)) throw new UsageError(`${name}=${value}: expected y or n`);
    opts.cacheOn = ['y', 'yes', 'true'].includes(value);
    // cache=n wins over a cache-dir, in either order.
    opts.limits.cache = opts.cacheOn ? (opts.cacheDir ?? true) : false;
  } else if (flag === '-C' && key === 'cache-dir') {
    if (!value) throw new UsageError(`${name} needs =DIR`);
    opts.cacheDir = value;
    if (opts.cacheOn !== false) opts.limits.cache = value;
  } else {
    const known = flag === '-W' ? 'timeout, max-memory-size, max-table-elements, fuel and max-wasm-stack' : 'cache and cache-dir';
    throw new UsageError(`unknown option ${flag} ${key} (wasi-rs takes ${flag} ${known})`);
  }
}

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
  const opts = { preopens: {}, env: {}, sockets: [], wasm: undefined, args: [], argv0: undefined, invoke: undefined, engine: undefined, limits: {} };
  let i = 0;
  // `wasi-rs run prog.wasm`, as `wasmtime run`; `wasi-rs compile prog.wasm`.
  if (argv[0] === 'run') i = 1;
  else if (argv[0] === 'compile') {
    opts.compile = true;
    i = 1;
  }
  const value = (flag) => {
    if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
    return argv[++i];
  };
  for (; i < argv.length; i++) {
    let arg = argv[i];
    let inline;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 2 && /^--(dir|env|tcplisten|argv0|invoke|engine)=/.test(arg)) {
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
    } else if (arg === '-W' || arg === '-C') {
      engineOption(opts, arg, value(arg));
    } else if ((arg.startsWith('-W') || arg.startsWith('-C')) && arg.length > 2) {
      engineOption(opts, arg.slice(0, 2), arg.slice(2));
    } else if (arg === '--engine') {
      opts.engine = inline ?? value(arg);
      if (opts.engine !== 'v8' && opts.engine !== 'wasmtime') throw new UsageError(`--engine ${opts.engine}: expected v8 or wasmtime`);
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
  const { fuel, maxStack, maxTableElements, cache } = opts.limits;
  if (opts.engine !== 'wasmtime' && !opts.compile) {
    if (fuel !== undefined) throw new UsageError('-W fuel needs --engine wasmtime (V8 cannot count instructions)');
    if (maxStack !== undefined) throw new UsageError('-W max-wasm-stack needs --engine wasmtime');
    if (maxTableElements !== undefined) throw new UsageError('-W max-table-elements needs --engine wasmtime (V8 cannot cap a table)');
    if (cache !== undefined) throw new UsageError('-C cache needs --engine wasmtime (V8 keeps no code cache for an addon)');
  }
  if (opts.compile && opts.args.length > 0) throw new UsageError('compile takes one module, and no arguments for it');
  if (opts.engine === 'wasmtime' && opts.invoke !== undefined) throw new UsageError('--invoke runs in the V8 engine only, for now');
  return opts;
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

/** Runs a program with `wasi.run()`: a wasi-threads program (every
 * thread in a worker, this thread free to start them), one in the wasmtime
 * engine, or one with limits. The process ends when the guest's does:
 * with its exit status, or 134 for a trap (on any thread), a time-out or
 * running out of fuel, as wasmtime's traps. */
async function runOffThread(wasi, bytes, file, options = {}) {
  let status;
  try {
    status = hostExitStatus(await wasi.run(bytes, options));
  } catch (err) {
    if (isTrap(err)) fail(`${file} trapped: ${err.message}`, 134);
    else if (err && err.code === 'ERR_WASI_TIMEOUT') fail(`${file} timed out: ${err.message}`, 134);
    else if (err && err.code === 'ERR_WASI_FUEL_EXHAUSTED') fail(`${file} ran out of fuel: ${err.message}`, 134);
    else fail(`${file} failed: ${err && err.message ? err.message : err}`);
    status = process.exitCode;
  }
  // Threads that are still blocked (in a host read, say) do not hold the
  // exit: the process ends with the guest's status now.
  process.exit(status);
}

/** The WASI version a module was built for, from the namespaces it imports,
 * read from its import section without compiling it (text, or bytes that
 * are no module: preview1; whoever compiles them reports what is wrong). */
function wasiVersionOf(bytes) {
  try {
    const modules = new Set(moduleImports(bytes).map((imp) => imp.module));
    return modules.has('wasi_unstable') && !modules.has('wasi_snapshot_preview1') ? 'unstable' : 'preview1';
  } catch {
    return /\(import\s+"wasi_unstable"/.test(bytes.subarray(0, 1 << 20).toString('latin1')) ? 'unstable' : 'preview1';
  }
}

/** The WASI object for the program, from the command line; undefined (with
 * the failure printed) when its options are refused. */
function newWasi(WASI, opts, bytes) {
  try {
    return new WASI({
      version: wasiVersionOf(bytes),
      args: [opts.argv0 ?? path.basename(opts.wasm), ...opts.args],
      env: opts.env,
      preopens: opts.preopens,
      sockets: opts.sockets,
    });
  } catch (err) {
    fail(err.message);
    return undefined;
  }
}

/** `wasi-rs compile`: the module's code into the wasmtime engine's cache. */
function compileCommand(opts, bytes) {
  const { compileInto } = require('../lib/engine');
  const cache = opts.limits.cache ?? true;
  if (cache === false) return fail('compile needs the cache: -C cache=n leaves nowhere to put the code', 2);
  try {
    const compiled = compileInto(bytes, { cache, fuel: opts.limits.fuel !== undefined, maxStack: opts.limits.maxStack });
    process.stdout.write(`${opts.wasm}: ${compiled ? 'compiled into the cache' : 'already in the cache'}\n`);
  } catch (err) {
    return fail(`${opts.wasm}: ${firstLine(err)}`);
  }
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
  if (opts.compile) return compileCommand(opts, bytes);
  if (opts.engine === 'wasmtime') {
    // The engine compiles (or loads from its cache) and checks the module
    // itself: V8 never sees it.
    const wasi = newWasi(WASI, opts, bytes);
    if (!wasi) return;
    return runOffThread(wasi, bytes, opts.wasm, { engine: 'wasmtime', ...opts.limits });
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
  const wasi = newWasi(WASI, opts, bytes);
  if (!wasi) return;
  const limited = opts.limits.timeout !== undefined || opts.limits.maxMemory !== undefined;
  if (opts.invoke !== undefined && (isThreaded(module) || limited)) {
    return fail(`--invoke does not run wasi-threads modules or with -W limits (${opts.wasm})`);
  }
  if (isThreaded(module) || limited) return runOffThread(wasi, bytes, opts.wasm, opts.limits);
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
