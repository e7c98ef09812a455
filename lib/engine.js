'use strict';
// The wasmtime engine (an optional add-on, engine/): `wasi.run(bytes, {
// engine: 'wasmtime' })` and the CLI's `--engine wasmtime` run the guest in
// wasmtime inside this process, on a thread of its own, with the same WASI
// implementation (crates/wasi-core) as the V8 engine. Loaded on first use,
// first found of:
// 1. `engine/wasi-rs-engine.node` in the checkout: a build from source
//    (`npm run build:engine`);
// 2. the prebuilt package for this platform, `wasi-rs-engine-<suffix>`.
// Without either, one error says what to install.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { currentSuffix } = require('./platforms');
const { withCode: coded, guestAborted, guestTimedOut } = require('./errors');
const { moduleBytes } = require('./run');

const local = path.join(__dirname, '..', 'engine', 'wasi-rs-engine.node');

let loaded;
/** The engine add-on, or the documented error (ERR_WASI_ENGINE_NOT_INSTALLED). */
function loadEngine() {
  if (loaded) return loaded;
  if (fs.existsSync(local)) {
    loaded = require(local);
    return loaded;
  }
  const pkg = `wasi-rs-engine-${currentSuffix()}`;
  try {
    loaded = require(`${pkg}/wasi-rs-engine.${currentSuffix()}.node`);
    return loaded;
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
  }
  throw coded(
    Error,
    'ERR_WASI_ENGINE_NOT_INSTALLED',
    `the wasmtime engine is not installed: install ${pkg} (npm install ${pkg}), or build it from a clone of wasi-rs with \`npm run build:engine\``,
  );
}

/**
 * The per-user directory for compiled code, as wasmtime's CLI keeps
 * its cache: $XDG_CACHE_HOME (or ~/.cache) on Linux, ~/Library/Caches on
 * macOS, %LOCALAPPDATA% on Windows; `wasi-rs/engine` beneath.
 */
function defaultCacheDir() {
  const home = os.homedir();
  let base;
  if (process.platform === 'win32') base = process.env.LOCALAPPDATA || path.join(home, 'AppData', 'Local');
  else if (process.platform === 'darwin') base = path.join(home, 'Library', 'Caches');
  else base = process.env.XDG_CACHE_HOME || path.join(home, '.cache');
  return path.join(base, 'wasi-rs', 'engine');
}

/** `cache` as run() takes it: true (the default directory), false, or a directory. */
function cacheDirOf(cache) {
  if (cache === undefined || cache === true) return defaultCacheDir();
  if (cache === false) return undefined;
  return path.resolve(cache);
}

/** A module's bytes as a Buffer over the same memory (see moduleBytes). */
function bytesOf(source) {
  const bytes = moduleBytes(source);
  if (bytes === null) {
    throw coded(TypeError, 'ERR_INVALID_ARG_TYPE', 'The wasmtime engine compiles the module itself: pass its bytes to run(), not a WebAssembly.Module');
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Runs `source` (a module's bytes) in the engine with the WASI options in
 * `wasi` (what the WASI object was given); resolves with the exit status,
 * rejects as the V8 engine's run() does: a trap (`ERR_WASI_TRAP`), a
 * time-out (`ERR_WASI_TIMEOUT`), the abort, and the engine's own limits
 * (`ERR_WASI_MEMORY_LIMIT` when memory or a table is bigger at start than
 * allowed, `ERR_WASI_FUEL_EXHAUSTED`).
 */
async function runInEngine(wasi, source, { timeout, signal, maxMemory, fuel, maxStack, maxTableElements, cache } = {}) {
  signal?.throwIfAborted();
  const bytes = bytesOf(source);
  const engine = loadEngine();
  const run = new engine.GuestRun();
  const onAbort = () => run.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let outcome;
  try {
    outcome = await run.start(bytes, { ...wasi, timeout, fuel, maxMemory, maxStack, maxTableElements, cacheDir: cacheDirOf(cache) });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  switch (outcome.kind) {
    case 'exit':
      return outcome.status;
    case 'trap':
      throw coded(WebAssembly.RuntimeError, 'ERR_WASI_TRAP', outcome.message);
    case 'timeout':
      throw guestTimedOut(timeout);
    case 'abort':
      throw guestAborted(signal);
    case 'fuel':
      throw coded(RangeError, 'ERR_WASI_FUEL_EXHAUSTED', `the guest used all its fuel (${fuel})`);
    case 'limit':
      throw coded(RangeError, 'ERR_WASI_MEMORY_LIMIT', `the module needs more than its limits allow at start: ${outcome.message}`);
    default:
      throw coded(Error, 'ERR_WASI_ENGINE_FAILED', `the module cannot run: ${outcome.message}`);
  }
}

/** Compiles `bytes` into the cache ahead of time, for the settings a run
 * with `fuel` (on or off) and `maxStack` uses; true if it was compiled now. */
function compileInto(bytes, { cache, fuel = false, maxStack } = {}) {
  const dir = cacheDirOf(cache);
  if (dir === undefined) throw coded(TypeError, 'ERR_INVALID_ARG_VALUE', 'compile() needs a cache: cache must not be false');
  return loadEngine().compile(bytesOf(bytes), dir, fuel, maxStack);
}

module.exports = { loadEngine, runInEngine, compileInto, defaultCacheDir };
