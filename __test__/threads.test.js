'use strict';
// One WASI process across threads: every WASI object bound to one shared
// memory shares one fd table, whichever worker it lives in (README,
// Threads). The module is a reactor over an imported shared memory, as a
// napi-rs package's is; each worker instantiates it with a WASI object of
// its own, as their loaders do.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { Worker } = require('worker_threads');
const { WASI } = require('..');
const { program, tempDir } = require('./helpers/run');

const ROOT = path.join(__dirname, '..');
const EBADF = 8;

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
    const { guestThread } = require(${JSON.stringify(__filename)});
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

module.exports = { guestThread };
if (require.main !== module && !process.env.NODE_TEST_CONTEXT) return;

test('an fd opened on one thread works on another, and numbers are never handed out twice', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a.txt'), 'the main thread opened a.txt');
  fs.writeFileSync(path.join(dir, 'b.txt'), 'the worker opened b.txt');
  const memory = sharedMemory();
  const options = { preopens: { '/': dir } };
  const main = guestThread(memory, options, 1024);
  const worker = workerThread(memory, options, 2048);
  try {
    const a = main.open('a.txt');
    assert.strictEqual(a, 4, 'the first open after the preopen (fd 3)');
    assert.strictEqual(await worker.ask('read', a), 'the main thread opened a.txt', "the worker reads the main thread's fd");
    const b = await worker.ask('open', 'b.txt');
    assert.strictEqual(b, 5, 'the worker gets the next free number, not a second fd 4');
    assert.strictEqual(main.read(b), 'the worker opened b.txt', "the main thread reads the worker's fd");
    assert.strictEqual(await worker.ask('close', a), 0);
    assert.strictEqual(main.read(a), -EBADF, 'a close on one thread closes the fd for all');
    assert.strictEqual(main.open('a.txt'), 4, 'the freed number is reused once, for the next open');
  } finally {
    await worker.stop();
  }
});

test('the first WASI object bound to a shared memory makes the process: later ones use its stdio', async () => {
  const dir = tempDir();
  const first = path.join(dir, 'first.log');
  const second = path.join(dir, 'second.log');
  const fds = [fs.openSync(first, 'w'), fs.openSync(second, 'w')];
  const memory = sharedMemory();
  const main = guestThread(memory, { stdout: fds[0], preopens: { '/': dir } }, 1024);
  const worker = workerThread(memory, { stdout: fds[1], preopens: { '/': dir } }, 2048);
  try {
    assert.strictEqual(main.write(1, 'from main\n'), 10);
    assert.strictEqual(await worker.ask('write', 1, 'from worker\n'), 12);
  } finally {
    await worker.stop();
    fds.forEach((fd) => fs.closeSync(fd));
  }
  assert.strictEqual(fs.readFileSync(first, 'utf8'), 'from main\nfrom worker\n');
  assert.strictEqual(fs.readFileSync(second, 'utf8'), '', "the joining object's own stdout is not used");
});

test('joining a process with other preopens is refused with a clear error, and changes nothing', () => {
  const memory = sharedMemory();
  const main = guestThread(memory, { preopens: { '/': tempDir() } }, 1024);
  assert.throws(() => guestThread(memory, { preopens: { '/': tempDir() } }, 2048), {
    code: 'ERR_WASI_PROCESS_MISMATCH',
    message: /same preopens/,
  });
  assert.strictEqual(main.open('still-works.txt'), 4);
});

test('each shared memory is a process of its own', () => {
  const dir = tempDir();
  const one = guestThread(sharedMemory(), { preopens: { '/': dir } }, 1024);
  const two = guestThread(sharedMemory(), { preopens: { '/': dir } }, 1024);
  assert.strictEqual(one.open('x.txt'), 4);
  assert.strictEqual(two.open('y.txt'), 4, 'another memory is another process');
});
