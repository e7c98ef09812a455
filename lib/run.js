'use strict';
// `wasi.run(module, options)`: runs a command module off the event loop.
// Every thread of the guest is a worker (lib/thread-worker.js): the main
// one runs `_start`, and each `wasi` `thread-spawn` starts one more that
// runs `wasi_thread_start`. All are threads of one WASI process, the one
// of the WASI object `run()` was called on: one fd table, its stdio, its
// preopens. This thread supervises: it starts the workers that
// `thread-spawn` asks for, and ends them all when the process ends, as
// the wasi-threads proposal says: `proc_exit` on any thread, `_start`
// returning, or a trap on any thread; or a time-out or an abort.
const path = require('path');
const { Worker } = require('worker_threads');
const { importedMemory, capDefinedMemories } = require('./wasm-binary');
const { avoidLiftoffBug } = require('./v8-workarounds');
const { CONTROL_SLOTS, LIVE } = require('./thread-protocol');
const { withCode: coded, guestAborted, guestTimedOut } = require('./errors');

const WORKER = path.join(__dirname, 'thread-worker.js');

/** The classes a thread's error is made again as, by name. */
const THROWN = { LinkError: WebAssembly.LinkError, CompileError: WebAssembly.CompileError, TypeError, RangeError };

/** Bytes in a wasm page. */
const PAGE = 65536;

/** The error for a module that needs more memory at start than allowed. */
function tooBigAtStart(pages, maxPages) {
  return coded(
    RangeError,
    'ERR_WASI_MEMORY_LIMIT',
    `The module needs ${pages} pages (${(pages * PAGE) / 2 ** 20} MiB) of memory at start; maxMemory allows ${maxPages} (${(maxPages * PAGE) / 2 ** 20} MiB)`,
  );
}

/**
 * The bytes of run()'s `module` argument, as a Uint8Array over the same
 * memory; null for a WebAssembly.Module; for anything else, the
 * documented TypeError.
 */
function moduleBytes(source) {
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (source instanceof ArrayBuffer || source instanceof SharedArrayBuffer) return new Uint8Array(source);
  if (source instanceof WebAssembly.Module) return null;
  throw coded(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "module" argument must be a WebAssembly.Module, an ArrayBuffer or a typed array');
}

/**
 * Compiles `source` (a WebAssembly.Module or its bytes) and finds the
 * memory it imports, with its limits. A shared memory is created here, to
 * be handed to every thread; an unshared one is made by the main thread.
 * With `maxPages`, every memory's maximum is lowered to it: the defined
 * ones in the bytes (so a Module cannot be capped: its bytes are needed),
 * the imported one where it is made.
 */
async function prepare(source, maxPages) {
  let module;
  let bytes = moduleBytes(source);
  if (bytes === null) {
    if (maxPages !== undefined) {
      throw coded(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.maxMemory needs the module\'s bytes (JS cannot change the memory limits of a compiled WebAssembly.Module): pass them to run() instead');
    }
    module = source;
  } else {
    avoidLiftoffBug(bytes);
    if (maxPages !== undefined) {
      const capped = capDefinedMemories(bytes, maxPages);
      if (capped.initial > maxPages) throw tooBigAtStart(capped.initial, maxPages);
      bytes = capped.bytes;
    }
    module = await WebAssembly.compile(bytes);
  }
  const wanted = WebAssembly.Module.imports(module).find((imp) => imp.kind === 'memory');
  if (!wanted) return { module };
  if (!bytes) {
    throw coded(
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      `The module imports a memory (${wanted.module}.${wanted.name}), whose limits JS cannot read from a WebAssembly.Module: pass the module's bytes to run() instead`,
    );
  }
  const memoryImport = importedMemory(bytes);
  if (memoryImport.index64) {
    throw coded(TypeError, 'ERR_INVALID_ARG_VALUE', 'The module imports a 64-bit memory, which wasi-rs does not run');
  }
  if (maxPages !== undefined) {
    if (memoryImport.initial > maxPages) throw tooBigAtStart(memoryImport.initial, maxPages);
    memoryImport.maximum = memoryImport.maximum === undefined ? maxPages : Math.min(memoryImport.maximum, maxPages);
  }
  const memory = memoryImport.shared
    ? new WebAssembly.Memory({ initial: memoryImport.initial, maximum: memoryImport.maximum, shared: true })
    : undefined;
  return { module, memoryImport, memory };
}

/**
 * Runs the guest; resolves with its exit status, rejects with its trap
 * (a WebAssembly.RuntimeError, `code` 'ERR_WASI_TRAP'), a time-out
 * ('ERR_WASI_TIMEOUT') or the abort ('ABORT_ERR').
 * @param {{ token: string, version: string, maxThreads: number }} owner the
 *   process the threads join (see index.js)
 * @param {WebAssembly.Module | BufferSource} source
 * @param {{ timeout?: number, signal?: AbortSignal, maxMemory?: number }} options
 *   `maxMemory` in bytes (whole pages count)
 */
async function run(owner, source, { timeout, signal, maxMemory } = {}) {
  signal?.throwIfAborted();
  const maxPages = maxMemory === undefined ? undefined : Math.floor(maxMemory / PAGE);
  const { module, memoryImport, memory } = await prepare(source, maxPages);
  signal?.throwIfAborted();
  const control = new SharedArrayBuffer(4 * CONTROL_SLOTS);
  const live = new Int32Array(control);
  const workers = new Set();
  let settle;
  const result = new Promise((resolve, reject) => {
    settle = { resolve, reject };
  });
  let done = false;
  let timer;

  function finish(outcome) {
    if (done) return;
    done = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (outcome.error) settle.reject(outcome.error);
    else settle.resolve(outcome.code);
    // Every other thread ends now, wherever it is (terminate() also stops
    // a worker waiting in memory.atomic.wait).
    for (const w of workers) w.terminate().catch(() => {});
  }

  function onMessage(message) {
    switch (message.type) {
      case 'spawn':
        start('thread', { tid: message.tid, arg: message.arg });
        break;
      case 'exit':
        finish({ code: message.code });
        break;
      case 'trap': {
        // A trap is a RuntimeError with ERR_WASI_TRAP; anything else a
        // thread threw (a LinkError for an import wasi-rs does not give,
        // a module with no _start) keeps its own class.
        const err = message.trap ? coded(WebAssembly.RuntimeError, 'ERR_WASI_TRAP', message.message) : new (THROWN[message.name] ?? Error)(message.message);
        if (message.stack) err.stack = message.stack;
        finish({ error: err });
        break;
      }
      default:
        break;
    }
  }

  function start(role, extra = {}) {
    if (done) return;
    const w = new Worker(WORKER, {
      workerData: {
        role,
        module,
        memory,
        memoryImport,
        token: owner.token,
        version: owner.version,
        maxThreads: owner.maxThreads,
        control,
        ...extra,
      },
    });
    workers.add(w);
    w.on('message', onMessage);
    w.on('error', (err) => finish({ error: err }));
    w.on('exit', () => {
      workers.delete(w);
      if (role === 'thread') Atomics.sub(live, LIVE, 1);
      // The main thread always reports; a worker that ends without a word
      // was ended from outside.
      if (role === 'main' && !done) finish({ error: coded(Error, 'ERR_WASI_INTERNAL', 'the guest\'s main thread ended without an exit status') });
    });
  }

  function onAbort() {
    finish({ error: guestAborted(signal) });
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  if (timeout !== undefined) {
    timer = setTimeout(() => finish({ error: guestTimedOut(timeout) }), timeout);
  }
  start('main');
  return result;
}

module.exports = { run, moduleBytes };
