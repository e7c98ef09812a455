'use strict';
// The wasmtime engine (an optional add-on, engine/): `wasi.run(bytes, {
// engine: 'wasmtime' })` and the CLI's `--engine wasmtime` run the guest in
// wasmtime inside this process, on a thread of its own, with the same WASI
// implementation (crates/wasi-core) as the V8 engine. Loaded on first use,
// first found of:
// 1. `engine/wasi-rs-engine.node` in the checkout: a build from source
//    (`npm run build:engine`);
// 2. the package `wasi-rs-engine`, which brings the binary for this
//    platform as its optional dependency `wasi-rs-engine-<suffix>` and
//    says where it is (engine/npm/index.js);
// 3. `wasi-rs-engine-<suffix>` installed on its own.
// Without any, one error says what to install. An engine built for another
// release of wasi-rs is refused: the options the two add-ons pass each
// other are not a stable interface.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { currentSuffix, supportedSuffixes } = require('./platforms');
const { withCode: coded, guestAborted, guestTimedOut } = require('./errors');
const { moduleBytes } = require('./run');
const { version: WASI_RS_VERSION } = require('../package.json');

const local = path.join(__dirname, '..', 'engine', 'wasi-rs-engine.node');

/** require() that tells "not installed" (null) from any other failure. */
function optional(load, missing) {
  try {
    return load();
  } catch (err) {
    if (err.code === 'MODULE_NOT_FOUND' && err.message.includes(missing)) return null;
    throw err;
  }
}

/** Where this platform's engine binary is, or the documented error. */
function locateEngine(suffix) {
  if (fs.existsSync(local)) return local;
  const platformPkg = `wasi-rs-engine-${suffix}`;
  const binary = `${platformPkg}/wasi-rs-engine.${suffix}.node`;
  const install = `npm install wasi-rs-engine@${WASI_RS_VERSION}`;
  const unsupported = !supportedSuffixes().includes(suffix);
  const elsewhere = unsupported
    ? `there is no prebuilt engine for this platform (${suffix}); prebuilt engines exist for ${supportedSuffixes().join(', ')}. Build it from a clone of wasi-rs with \`npm run build:engine\``
    : null;
  const meta = optional(() => require('wasi-rs-engine'), "'wasi-rs-engine'");
  if (meta) {
    const found = optional(() => meta.binaryPath(suffix), platformPkg);
    if (found) return found;
    throw coded(
      Error,
      'ERR_WASI_ENGINE_NOT_INSTALLED',
      `the wasmtime engine is not installed for this platform: wasi-rs-engine is, but not its binary for ${suffix}, ` +
        (elsewhere ?? `the package ${platformPkg} (an optional dependency npm skipped: install again without --no-optional, or \`npm install ${platformPkg}@${WASI_RS_VERSION}\`)`),
    );
  }
  const direct = optional(() => require.resolve(binary), platformPkg);
  if (direct) return direct;
  throw coded(
    Error,
    'ERR_WASI_ENGINE_NOT_INSTALLED',
    `the wasmtime engine is not installed: ${elsewhere ?? `install it with \`${install}\`, or build it from a clone of wasi-rs with \`npm run build:engine\``}`,
  );
}

let loaded;
/** The engine add-on, or the documented errors: ERR_WASI_ENGINE_NOT_INSTALLED
 * when there is none for this platform, ERR_WASI_ENGINE_VERSION_MISMATCH
 * when the one found was built for another release of wasi-rs. */
function loadEngine() {
  if (loaded) return loaded;
  const file = locateEngine(currentSuffix());
  const engine = require(file);
  const built = typeof engine.packageVersion === 'function' ? engine.packageVersion() : 'an unknown release';
  if (built !== WASI_RS_VERSION) {
    throw coded(
      Error,
      'ERR_WASI_ENGINE_VERSION_MISMATCH',
      `the wasmtime engine at ${file} was built for wasi-rs ${built}, and this is wasi-rs ${WASI_RS_VERSION}: install the same version of both (\`npm install wasi-rs-engine@${WASI_RS_VERSION}\`)`,
    );
  }
  loaded = engine;
  return loaded;
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
