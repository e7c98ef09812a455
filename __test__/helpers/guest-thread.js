'use strict';
// A thread of a napi-rs style guest, for the threads tests: the reactor
// __test__/programs/shared_files.wat instantiated over one shared memory
// with a WASI object of its own, bound with finalizeBindings, in this
// thread or in a worker.
const fs = require('fs');
const path = require('path');
const { Worker } = require('worker_threads');
const { WASI } = require('../..');
const { program } = require('./run');

const sharedMemory = () => new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
const sharedFiles = () => new WebAssembly.Module(fs.readFileSync(program('shared_files')));

/** A thread of the guest: the module instantiated over `memory` with a
 * WASI object made from `options`, bound with finalizeBindings. `scratch`
 * is where its calls leave results. */
function guestThread(memory, options, scratch, module = sharedFiles()) {
  const wasi = new WASI({ version: 'preview1', ...options });
  const instance = new WebAssembly.Instance(module, { ...wasi.getImportObject(), env: { memory } });
  wasi.finalizeBindings(instance, { memory });
  const x = instance.exports;
  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);
  const put = (text, at) => { bytes().set(Buffer.from(text), at); return Buffer.byteLength(text); };
  return {
    open(name) {
      const errno = x.open(scratch + 64, put(name, scratch + 64), scratch);
      return errno === 0 ? view().getUint32(scratch, true) : -errno;
    },
    read(fd) {
      const errno = x.read(fd, scratch + 256, 256, scratch);
      if (errno !== 0) return -errno;
      return Buffer.from(bytes().slice(scratch + 256, scratch + 256 + view().getUint32(scratch + 8, true))).toString();
    },
    write(fd, text) {
      const errno = x.write(fd, scratch + 256, put(text, scratch + 256), scratch);
      return errno === 0 ? view().getUint32(scratch + 8, true) : -errno;
    },
    close: (fd) => x.close(fd),
  };
}

/** A worker running `guestThread` that does what the main thread asks:
 * `await ask('open', name)` and so on. */
function workerThread(memory, options, scratch) {
  const source = `
    const { parentPort, workerData } = require('worker_threads');
    const { guestThread } = require(${JSON.stringify(path.join(__dirname, 'guest-thread.js'))});
    const { memory, options, scratch } = workerData;
    const t = guestThread(memory, options, scratch);
    parentPort.on('message', ([op, ...args]) => parentPort.postMessage(t[op](...args)));`;
  const worker = new Worker(source, { eval: true, workerData: { memory, options, scratch } });
  const ask = (...message) =>
    new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage(message);
    });
  return { ask, stop: () => worker.terminate() };
}

module.exports = { guestThread, workerThread, sharedMemory };
