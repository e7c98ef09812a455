/// <reference types="node" />

/** A read-only preopen (wasi-rs only). */
export interface WASIPreopen {
  /** The host directory. */
  path: string;
  /** If true, the guest may read the tree but not change it (`EPERM`). */
  readOnly?: boolean;
}

/**
 * Options of `new WASI(options)`: Node's built-in `wasi`'s (so code typed
 * against `@types/node` compiles unchanged), plus wasi-rs's own.
 */
export interface WASIOptions {
  /** Required: which ABI the guest was built for. */
  version: 'preview1' | 'unstable';
  /** Command-line arguments the guest sees, program name first. Items are converted with `String()`. */
  args?: readonly unknown[];
  /** Environment variables (own enumerable properties); `undefined` values are skipped, others converted with `String()`. */
  env?: object;
  /**
   * Guest path → host directory. Each becomes a sandboxed preopen at fd 3,
   * 4, … in this order. wasi-rs also takes `{ path, readOnly: true }`: the
   * guest may read the tree but not change it (`EPERM`).
   */
  preopens?: NodeJS.Dict<string | WASIPreopen>;
  /** If true (the default), `proc_exit` makes `start()` return the exit code; if false, it ends the process. */
  returnOnExit?: boolean;
  /**
   * Host fd behind the guest's fd 0. Default 0. wasi-rs also takes, for
   * `run()` only, the input itself (a string or bytes) or a Readable.
   */
  stdin?: number | string | ArrayBuffer | ArrayBufferView | NodeJS.ReadableStream;
  /**
   * Host fd behind the guest's fd 1. Default 1. wasi-rs also takes, for
   * `run()` only, a Writable (ended with the output, as `pipe()` does) or
   * a callback given each chunk.
   */
  stdout?: number | NodeJS.WritableStream | ((chunk: Buffer) => void);
  /** Host fd behind the guest's fd 2. Default 2. Like `stdout`. */
  stderr?: number | NodeJS.WritableStream | ((chunk: Buffer) => void);
  /**
   * wasi-rs only: sockets for the guest, at the fds after the preopens.
   * `{ listen: 'host:port' }` binds a TCP listener (port 0 for any free one,
   * see `listeners`); `{ fd }` lends a host socket, which stays open.
   */
  sockets?: ReadonlyArray<{ listen: string } | { fd: number }>;
  /**
   * wasi-rs only: the most descriptors the guest may hold, stdio and
   * preopens included (3 to 16384; default 16384). Past it, `EMFILE`.
   */
  maxFds?: number;
  /**
   * wasi-rs only: how many threads a wasi-threads guest run by `run()` may
   * have spawned and running at once (0 to 4096; default 64). Past it,
   * `thread-spawn` returns -6 (EAGAIN).
   */
  maxThreads?: number;
  /**
   * wasi-rs only: if true, `path_open` grants only the rights asked for,
   * as Node does (`ENOTCAPABLE` past them). By default it grants what the
   * open mode and the preopen allow, as wasmtime does.
   */
  enforceRights?: boolean;
}

/** wasi-rs only: options of `wasi.run()`. */
export interface WASIRunOptions {
  /** Ends every thread and rejects with `ERR_WASI_TIMEOUT` after this many ms. */
  timeout?: number;
  /** Ends every thread and rejects with the abort reason when it aborts. */
  signal?: AbortSignal;
  /**
   * The most linear memory the guest may have, in bytes (whole 64 KiB
   * pages count): past it, `memory.grow` fails in the guest. Needs the
   * module's bytes.
   */
  maxMemory?: number;
  /**
   * The engine that runs the guest: `'v8'` (the default) or `'wasmtime'`,
   * the optional add-on (docs/engine.md), which needs the module's bytes.
   */
  engine?: 'v8' | 'wasmtime';
  /** wasmtime engine: about this many wasm instructions, then `ERR_WASI_FUEL_EXHAUSTED`. */
  fuel?: number;
  /** wasmtime engine: bytes of native stack wasm may use (a trap past it). */
  maxStack?: number;
  /** wasmtime engine: the most elements a table may have (`table.grow` fails past it). */
  maxTableElements?: number;
  /** wasmtime engine: compiled code cached on disk (`true`, the default), not (`false`), or in this directory. */
  cache?: boolean | string;
}

/** A TCP listener wasi-rs bound for `sockets`. */
export interface WASIListener {
  /** The guest fd. */
  fd: number;
  address: string;
  port: number;
}

/**
 * One function per `wasi_snapshot_preview1` import; each returns a WASI
 * errno. Typed loosely, as Node's is, so that an import can be replaced
 * by a function with its own parameter types.
 */
// (`any`, as @types/node's `NodeJS.Dict<any>`.)
export type WASIImport = Record<string, any>;

export class WASI {
  /** `options.version` is required at run time, as in Node; the type allows none, as @types/node's does. */
  constructor(options?: WASIOptions);
  /** The import functions; writable, so single imports can be replaced. */
  wasiImport: WASIImport;
  /** wasi-rs only: the listeners bound for `options.sockets`, in order. */
  readonly listeners: WASIListener[];
  /** `{ wasi_snapshot_preview1: wasiImport }`, or `{ wasi_unstable: wasiImport }` for version 'unstable'. */
  getImportObject(): { wasi_snapshot_preview1: WASIImport } | { wasi_unstable: WASIImport };
  /**
   * Binds the instance's memory (or `options.memory`) without calling
   * `_start` or `_initialize` (Node 24.4+'s API): for modules whose exports
   * are called directly, e.g. in worker threads sharing one memory. A
   * second call, or `start()`/`initialize()` after it, throws
   * `ERR_WASI_ALREADY_STARTED`.
   */
  finalizeBindings(instance: object, options?: { memory?: object }): void;
  /**
   * Runs a command module's `_start`. Returns the exit code (0 if `_start`
   * returns) when `returnOnExit` is true. Throws `ERR_WASI_ALREADY_STARTED`
   * on a second call.
   */
  start(instance: object): number;
  /** Runs a reactor module's optional `_initialize`. */
  initialize(instance: object): void;
  /**
   * wasi-rs only: runs a command module off the event loop, every thread
   * in a worker (wasi-threads programs too), as one WASI process with this
   * object's options. `module` is the module's bytes, or a
   * `WebAssembly.Module` that imports no memory. Resolves with the exit
   * status; rejects with the trap (`ERR_WASI_TRAP`), on `timeout`
   * (`ERR_WASI_TIMEOUT`) or on abort. Once per object, like `start()`.
   */
  run(module: WebAssembly.Module | ArrayBuffer | ArrayBufferView, options?: WASIRunOptions): Promise<number>;
}

/**
 * Thrown by `proc_exit` when `returnOnExit` is true and the guest exits
 * outside `start()` (in `initialize()` or an exported reactor function).
 */
export class WASIExitError extends Error {
  readonly code: 'ERR_WASI_EXIT';
  readonly exitCode: number;
}
