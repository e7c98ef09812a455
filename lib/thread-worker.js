'use strict';
// One thread of a guest that `wasi.run()` runs (lib/run.js): the main
// thread, which runs `_start`, or a thread that `wasi` `thread-spawn`
// started, which runs `wasi_thread_start(tid, arg)`. Each instantiates the
// same module with the same memory, and a WASI object that joins the
// process of the object `run()` was called on. It reports to the
// supervisor with one message: `exit` (a status), `done` (a spawned thread
// returned) or `trap` (anything thrown: a wasm trap, or another error,
// which `trap: false` marks); `spawn` asks it for a thread.
const { parentPort, workerData } = require('worker_threads');
const { WASI, WASIExitError } = require('../index.js');
const { kJoinProcess } = require('./join');
const { isTrap } = require('./exit-status');
const { NEXT_TID, LIVE, MAX_TID, SPAWN_EAGAIN } = require('./thread-protocol');

const { role, module: guestModule, memory: sharedMemory, memoryImport, token, version, maxThreads, control, tid, arg } = workerData;
const ctl = new Int32Array(control);

/** `wasi` `thread-spawn(arg) -> tid`: reserves a thread and an id here,
 * synchronously, and asks the supervisor to start the worker. */
function threadSpawn(startArg) {
  if (Atomics.add(ctl, LIVE, 1) >= maxThreads) {
    Atomics.sub(ctl, LIVE, 1);
    return SPAWN_EAGAIN;
  }
  const id = Atomics.add(ctl, NEXT_TID, 1) + 1;
  if (id > MAX_TID) {
    Atomics.sub(ctl, LIVE, 1);
    return SPAWN_EAGAIN;
  }
  parentPort.postMessage({ type: 'spawn', tid: id, arg: startArg });
  return id;
}

function report(err) {
  if (err instanceof WASIExitError) return { type: 'exit', code: err.exitCode };
  return {
    type: 'trap',
    name: err && err.name,
    message: err && err.message !== undefined ? String(err.message) : String(err),
    stack: err && err.stack,
    trap: isTrap(err),
  };
}

function main() {
  const wasi = new WASI({ version, [kJoinProcess]: token });
  const binding = version === 'unstable' ? 'wasi_unstable' : 'wasi_snapshot_preview1';
  const imports = { [binding]: wasi.wasiImport, wasi: { 'thread-spawn': threadSpawn } };
  let memory = sharedMemory;
  if (memoryImport) {
    const { module: ns, name, initial, maximum, shared } = memoryImport;
    memory ??= new WebAssembly.Memory({ initial, maximum, shared });
    imports[ns] = { ...imports[ns], [name]: memory };
  }
  const instance = new WebAssembly.Instance(guestModule, imports);
  // The memory may be imported and not exported (a wasi-threads module's
  // is): bind the one it was given.
  wasi.finalizeBindings(instance, { memory: memory ?? instance.exports.memory });
  if (role === 'main') {
    const start = instance.exports._start;
    if (typeof start !== 'function') throw new TypeError('the module has no _start export: it is not a WASI command module');
    start();
    return { type: 'exit', code: 0 };
  }
  const start = instance.exports.wasi_thread_start;
  if (typeof start !== 'function') throw new TypeError('the module spawned a thread but exports no wasi_thread_start');
  start(tid, arg);
  return { type: 'done' };
}

let outcome;
try {
  outcome = main();
} catch (err) {
  outcome = report(err);
}
parentPort.postMessage(outcome);
