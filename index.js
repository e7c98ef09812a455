'use strict';
// wasi-rs: a drop-in replacement for Node's built-in `wasi` module.
// This file is the cold path: the option validation of Node's `node:wasi`
// and its start/initialize/finalizeBindings contract as Node 24 has it (on
// every Node version). The import functions are made by lib/imports.js
// (generated), over the addon's natives, which lib/native.js loads.

const { createImports } = require('./lib/imports');
const { kJoinProcess } = require('./lib/join');
const { run: runInWorkers } = require('./lib/run');
const { runInEngine } = require('./lib/engine');
const { DEFAULT_MAX_THREADS } = require('./lib/thread-protocol');
const { isMemory, importsPrototype } = require('./lib/builtins');
const { exitWithGuestStatus } = require('./lib/exit-status');
const { kindOf, JsStdio, unrun, NAMES: STDIO_NAMES } = require('./lib/js-stdio');
const { pipe } = require('./lib/native').addon;
const {
  ERR_INVALID_ARG_TYPE,
  ERR_INVALID_ARG_VALUE,
  ERR_OUT_OF_RANGE,
  ERR_WASI_ALREADY_STARTED,
  ERR_ACCESS_DENIED,
  WASIExitError,
  withCode,
} = require('./lib/errors');

/** The pipe that serves stdio `index` from JS, or a coded error: Windows
 * has no such stdio yet (Node's ERR_FEATURE_UNAVAILABLE_ON_PLATFORM), and
 * elsewhere a pipe fails only when the process is out of descriptors. */
function stdioPipe(index) {
  try {
    return pipe();
  } catch (err) {
    const name = `options.${STDIO_NAMES[index]}`;
    if (process.platform === 'win32') {
      throw withCode(TypeError, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', `${name}: streams and callbacks as stdio are not supported on Windows yet; pass a file descriptor`);
    }
    throw withCode(Error, 'ERR_WASI_HOST_LIMIT', `${name}: ${err.message}`);
  }
}

// Test hook, not part of the API: with WASI_RS_TEST_HOOKS=1 in the
// environment when wasi-rs loads, an own `options[kTestPanicOn] =
// 'fd_write'` makes that import panic inside the native code, so tests can
// prove that a panic becomes a JS exception and never crosses into Node.
// Without the switch the key is ignored. The hook itself is compiled only
// into test builds (`npm test`: the cargo feature test-hooks); a release
// build asked for it throws that it has none.
const kTestPanicOn = Symbol.for('wasi-rs.testPanicOn');
const testHooks = process.env.WASI_RS_TEST_HOOKS === '1';

function validateObject(value, name) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ERR_INVALID_ARG_TYPE(name, 'object', value);
  }
}

function validateFd(value, name) {
  if (typeof value !== 'number') throw new ERR_INVALID_ARG_TYPE(name, 'number', value);
  if (!Number.isInteger(value)) throw new ERR_OUT_OF_RANGE(name, 'an integer', value);
  if (value < 0 || value > 2147483647) throw new ERR_OUT_OF_RANGE(name, '>= 0 && <= 2147483647', value);
}

/** An optional integer option in [min, max], checked as Node checks its
 * own; `fallback` when it is undefined. */
function optionalInteger(value, name, min, max, fallback) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new ERR_INVALID_ARG_TYPE(name, 'number', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ERR_OUT_OF_RANGE(name, `an integer >= ${min} && <= ${max}`, value);
  }
  return value;
}

/** An optional boolean option; `fallback` when it is undefined. */
function optionalBoolean(value, name, fallback) {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ERR_INVALID_ARG_TYPE(name, 'boolean', value);
  return value;
}

// A preopen's host side: a path (any value, turned into a string, as Node
// does) or, in wasi-rs, `{ path, readOnly }`: a tree the guest may read
// but not change (docs/security.md).
function preopenOf(guest, host) {
  if (host === null || typeof host !== 'object') return { guest, host: String(host), readOnly: false };
  const name = `options.preopens[${JSON.stringify(guest)}]`;
  const { path, readOnly } = host;
  if (typeof path !== 'string') throw new ERR_INVALID_ARG_TYPE(`${name}.path`, 'string', path);
  return { guest, host: path, readOnly: optionalBoolean(readOnly, `${name}.readOnly`, false) };
}

// Under Node's permission model (`node --permission`), a preopen is a
// grant of the whole tree beneath it, which the addon opens itself, past
// Node's checks: it must lie within what --allow-fs-read grants, and,
// unless read-only, within what --allow-fs-write grants, or construction
// fails with Node's own error.
function checkPermission({ host, readOnly }) {
  const permission = process.permission;
  if (!permission || typeof permission.has !== 'function') return;
  const resource = require('path').resolve(host);
  if (!permission.has('fs.read', resource)) throw ERR_ACCESS_DENIED('FileSystemRead', resource);
  if (!readOnly && !permission.has('fs.write', resource)) throw ERR_ACCESS_DENIED('FileSystemWrite', resource);
}

// `sockets` (a wasi-rs option, like wasmtime's --tcplisten): an array of
// `{ listen: 'host:port' }` (bound by wasi-rs) or `{ fd }` (a host socket
// the embedder lends). They get guest fds after the preopens.
function validateSockets(sockets) {
  if (sockets === undefined) return [];
  if (!Array.isArray(sockets)) throw new ERR_INVALID_ARG_TYPE('options.sockets', 'an instance of Array', sockets);
  return sockets.map((entry, i) => {
    const name = `options.sockets[${i}]`;
    validateObject(entry, name);
    const { listen, fd } = entry;
    if ((listen === undefined) === (fd === undefined)) {
      throw new ERR_INVALID_ARG_VALUE(name, entry, 'must have exactly one of "listen" and "fd"');
    }
    if (listen !== undefined) {
      if (typeof listen !== 'string') throw new ERR_INVALID_ARG_TYPE(`${name}.listen`, 'string', listen);
      return { listen };
    }
    validateFd(fd, `${name}.fd`);
    return { fd };
  });
}

// proc_exit handlers. They are module-level on purpose: the native state
// holds a strong reference to one of them, so they must not capture the
// WASI object (that would keep it alive forever).
function throwExit(code) {
  throw new WASIExitError(code);
}
function exitProcess(code) {
  exitWithGuestStatus(code);
}
/** start() and initialize() bind the instance's exported memory. */
function memoryExport(exports) {
  return exports.memory;
}
function keepAlive(value) {
  return value;
}

class WASI {
  constructor(options = {}) {
    validateObject(options, 'options');
    const { version } = options;
    if (typeof version !== 'string') throw new ERR_INVALID_ARG_TYPE('options.version', 'string', version);
    let bindingName;
    if (version === 'preview1') bindingName = 'wasi_snapshot_preview1';
    else if (version === 'unstable') bindingName = 'wasi_unstable';
    else throw new ERR_INVALID_ARG_VALUE('options.version', version, 'unsupported WASI version');

    let args = [];
    if (options.args !== undefined) {
      if (!Array.isArray(options.args)) {
        throw new ERR_INVALID_ARG_TYPE('options.args', 'an instance of Array', options.args);
      }
      args = options.args.map(String);
    }

    const env = [];
    if (options.env !== undefined) {
      validateObject(options.env, 'options.env');
      for (const [key, value] of Object.entries(options.env)) {
        if (value !== undefined) env.push(`${key}=${value}`);
      }
    }

    const preopens = [];
    if (options.preopens !== undefined) {
      validateObject(options.preopens, 'options.preopens');
      for (const [guest, host] of Object.entries(options.preopens)) {
        preopens.push(preopenOf(String(guest), host));
      }
    }
    for (const p of preopens) checkPermission(p);
    const enforceRights = optionalBoolean(options.enforceRights, 'options.enforceRights', false);

    const sockets = validateSockets(options.sockets);

    // stdio: an fd (Node's way), or (wasi-rs) stdio served from JS, for
    // wasi.run(): see lib/js-stdio.js.
    const { stdin = 0, stdout = 1, stderr = 2 } = options;
    const jsStdio = [];
    const stdio = [stdin, stdout, stderr].map((value, index) => {
      const kind = kindOf(index, value);
      if (kind === undefined) {
        validateFd(value, `options.${STDIO_NAMES[index]}`);
        return value;
      }
      const s = new JsStdio(index, kind, value, stdioPipe(index));
      jsStdio.push(s);
      return s.guestFd;
    });

    // `maxFds` (a wasi-rs option): the most descriptors the guest may hold,
    // stdio and preopens included (0: the default). Besides it, a guest
    // never takes the process's last host fds (docs/security.md, Limits).
    const maxFds = optionalInteger(options.maxFds, 'options.maxFds', 3, 16384, 0);

    // `maxThreads` (a wasi-rs option): how many threads a wasi-threads
    // guest may have spawned and running at once (`wasi.run()`); past it,
    // `thread-spawn` fails with EAGAIN, as pthread_create then does.
    const maxThreads = optionalInteger(options.maxThreads, 'options.maxThreads', 0, 4096, DEFAULT_MAX_THREADS);

    let returnOnExit = true;
    if (options.returnOnExit !== undefined) {
      if (typeof options.returnOnExit !== 'boolean') {
        throw new ERR_INVALID_ARG_TYPE('options.returnOnExit', 'boolean', options.returnOnExit);
      }
      returnOnExit = options.returnOnExit;
    }

    const panicOn = testHooks && Object.hasOwn(options, kTestPanicOn) ? String(options[kTestPanicOn]) : undefined;
    // A thread that wasi.run() starts joins the process of the object
    // run() was called on (lib/thread-worker.js).
    const join = Object.hasOwn(options, kJoinProcess) ? String(options[kJoinProcess]) : undefined;
    const { imports, bindMemory, share, close, hostFds, listeners } = createImports(
      version,
      { args, env, preopens, enforceRights, stdio, version, sockets, maxFds, join, panicOn },
      returnOnExit ? throwExit : exitProcess,
    );
    // The guest holds its own duplicates of its ends now.
    for (const s of jsStdio) s.releaseGuestEnd();
    if (jsStdio.length > 0) unrun.register(this, jsStdio, this);
    // Not Object.prototype: wasm resolves imports with ordinary property
    // gets, which would otherwise reach `constructor`, `__proto__` and the
    // rest of it (see `importsPrototype`, lib/builtins.js).
    this.wasiImport = imports;
    /** The listeners bound for `options.sockets` (wasi-rs only): `{ fd, address, port }`. */
    this.listeners = listeners;
    this.#bindMemory = bindMemory;
    this.#share = share;
    this.#close = close;
    this.#jsStdio = jsStdio;
    this.#bindingName = bindingName;
    this.#version = version;
    this.#maxThreads = maxThreads;
    this.#hostFds = hostFds;
    // What the wasmtime engine makes its own WASI context from (run()):
    // these options, and the host descriptors this object's process holds
    // as its stdio and sockets (the sockets follow the preopens).
    this.#engineWasi = { args, env, preopens, enforceRights, maxFds, version, maxThreads };
    this.#socketFds = { first: 3 + preopens.length, count: sockets.length };
  }

  // Private: nothing on the object, or on a symbol, reaches the state.
  #bindMemory;
  #share;
  #close;
  #jsStdio;
  #bindingName;
  #version;
  #maxThreads;
  #hostFds;
  #engineWasi;
  #socketFds;
  #started = false;

  /**
   * Runs a command module off the event loop, each of its threads in a
   * worker, as one WASI process with this object's options (docs/threads.md).
   * `module` is a WebAssembly.Module or its bytes (the bytes are
   * needed when the module imports its memory, as wasi-threads modules
   * do). Resolves with the exit status; rejects with the trap
   * (`ERR_WASI_TRAP`), on `timeout` ms (`ERR_WASI_TIMEOUT`) or when
   * `signal` aborts. Like start(), once per object.
   */
  async run(module, options = {}) {
    validateObject(options, 'options');
    const { timeout, signal } = options;
    if (timeout !== undefined) {
      if (typeof timeout !== 'number') throw new ERR_INVALID_ARG_TYPE('options.timeout', 'number', timeout);
      if (!(timeout >= 0) || timeout > 2147483647) throw new ERR_OUT_OF_RANGE('options.timeout', '>= 0 && <= 2147483647', timeout);
    }
    // The most linear memory the guest may have, in bytes (whole 64 KiB
    // pages count): past it, memory.grow fails in the guest.
    const maxMemory = optionalInteger(options.maxMemory, 'options.maxMemory', 0, 2 ** 32, undefined);
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new ERR_INVALID_ARG_TYPE('options.signal', 'an instance of AbortSignal', signal);
    }
    // The engine (a wasi-rs option): 'v8' (the default), or 'wasmtime',
    // the optional add-on (lib/engine.js), which alone takes `fuel`,
    // `maxStack`, `maxTableElements` and `cache`.
    const engine = options.engine ?? 'v8';
    if (engine !== 'v8' && engine !== 'wasmtime') throw new ERR_INVALID_ARG_VALUE('options.engine', engine, "must be 'v8' or 'wasmtime'");
    const fuel = optionalInteger(options.fuel, 'options.fuel', 0, Number.MAX_SAFE_INTEGER, undefined);
    const maxStack = optionalInteger(options.maxStack, 'options.maxStack', 65536, 2 ** 30, undefined);
    const maxTableElements = optionalInteger(options.maxTableElements, 'options.maxTableElements', 0, 2 ** 32 - 1, undefined);
    const { cache } = options;
    if (cache !== undefined && typeof cache !== 'boolean' && typeof cache !== 'string') {
      throw new ERR_INVALID_ARG_TYPE('options.cache', ['boolean', 'string'], cache);
    }
    if (engine === 'v8') {
      for (const [name, value] of [['fuel', fuel], ['maxStack', maxStack], ['maxTableElements', maxTableElements], ['cache', cache]]) {
        if (value !== undefined) throw new ERR_INVALID_ARG_VALUE(`options.${name}`, value, "needs engine: 'wasmtime'");
      }
    }
    if (this.#started) throw new ERR_WASI_ALREADY_STARTED();
    this.#started = true;
    const jsStdio = this.#jsStdio;
    unrun.unregister(this);
    const pumped = jsStdio.map((s) => s.start());
    let outcome;
    try {
      const status =
        engine === 'wasmtime'
          ? await runInEngine(
            { ...this.#engineWasi, stdio: this.#hostFds(0, 3), sockets: this.#hostFds(this.#socketFds.first, this.#socketFds.count) },
            module,
            { timeout, signal, maxMemory, fuel, maxStack, maxTableElements, cache },
          )
          : await runInWorkers({ token: this.#share(), version: this.#version, maxThreads: this.#maxThreads }, module, { timeout, signal, maxMemory });
      outcome = { status };
    } catch (err) {
      outcome = { err };
    }
    // The process has ended: its descriptors are let go of now (so the
    // pipes of stdio served from JS see end of file), and what the guest
    // wrote is delivered before run() settles.
    this.#close();
    for (const s of jsStdio) s.stop();
    try {
      await Promise.all(pumped);
    } finally {
      // The workers join this object's process by its token, which holds
      // no reference: this object keeps the process alive until the end.
      keepAlive(this);
    }
    if (outcome.err) throw outcome.err;
    return outcome.status;
  }

  /** Returns `{ [binding]: wasiImport }` for `WebAssembly.instantiate`, as
   * Node does, but with `importsPrototype` rather than Object.prototype. */
  getImportObject() {
    return { __proto__: importsPrototype, [this.#bindingName]: this.wasiImport };
  }

  /**
   * Binds the instance's memory (or `options.memory`) without running
   * `_start` or `_initialize`, as Node 24.4+ does: for a module whose
   * exports are called directly, such as one instantiated in a worker
   * thread over a shared memory. A second call, or start()/initialize()
   * after it, throws ERR_WASI_ALREADY_STARTED. A call that fails its
   * checks changes nothing.
   */
  finalizeBindings(instance, options = {}) {
    this.#finalize(instance, (exports) => {
      const { memory = exports.memory } = options;
      return memory;
    });
  }

  /** Runs a command module's `_start`; see docs/api.md for the exit contract. */
  start(instance) {
    this.#refuseJsStdio('start');
    const { _start, _initialize } = this.#finalize(instance, memoryExport);
    if (typeof _start !== 'function') throw new ERR_INVALID_ARG_TYPE('instance.exports._start', 'function', _start);
    if (_initialize !== undefined) throw new ERR_INVALID_ARG_TYPE('instance.exports._initialize', 'undefined', _initialize);
    try {
      _start();
    } catch (err) {
      if (err instanceof WASIExitError) return err.exitCode;
      throw err;
    }
    return 0;
  }

  /** Runs a reactor module's optional `_initialize`. */
  initialize(instance) {
    this.#refuseJsStdio('initialize');
    const { _start, _initialize } = this.#finalize(instance, memoryExport);
    if (_start !== undefined) throw new ERR_INVALID_ARG_TYPE('instance.exports._start', 'undefined', _start);
    if (_initialize !== undefined) {
      if (typeof _initialize !== 'function') throw new ERR_INVALID_ARG_TYPE('instance.exports._initialize', 'function', _initialize);
      _initialize();
    }
  }

  // stdio served from JS is pumped by this thread, which start() and
  // initialize() keep busy with the guest: refused there, before anything runs.
  #refuseJsStdio(method) {
    const s = this.#jsStdio[0];
    if (s) {
      throw ERR_INVALID_ARG_VALUE.withMessage(
        `options.${s.name} is a stream or callback, which only wasi.run() serves: ${method}() runs the guest on this thread, which could not pump it meanwhile`,
      );
    }
  }

  // finalizeBindings() without the public name (start() and initialize()
  // must not run a replaced method): checks the instance and the memory
  // (`pickMemory(exports)`) in Node's order, binds the memory, and marks
  // the object started. Returns the instance's exports, read once. The
  // reads may run user code (getters), which may call start() again: the
  // object counts as started from the first read, and only a call that
  // fails its checks leaves it as it was.
  #finalize(instance, pickMemory) {
    if (this.#started) throw new ERR_WASI_ALREADY_STARTED();
    this.#started = true;
    try {
      validateObject(instance, 'instance');
      const { exports } = instance;
      validateObject(exports, 'instance.exports');
      const memory = pickMemory(exports);
      if (!isMemory(memory)) {
        throw ERR_INVALID_ARG_TYPE.withMessage('"instance.exports.memory" property must be a WebAssembly.Memory object');
      }
      this.#bindMemory(memory);
      return exports;
    } catch (err) {
      this.#started = false;
      throw err;
    }
  }
}

module.exports = { WASI, WASIExitError };
