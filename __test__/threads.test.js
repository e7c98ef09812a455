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

// wasi-threads programs: the CLI and wasi.run() run each thread in a
// worker, as one WASI process.
const { cli } = require('./helpers/run');
const CLI_PATH = path.join(ROOT, 'bin', 'wasi-rs.js');
const { spawn } = require('child_process');

test('the CLI runs a wasi-threads program: each spawned thread runs, with its own id', () => {
  const r = cli([program('threads_spawn')]);
  assert.strictEqual(r.stderr, '');
  assert.strictEqual(r.stdout, 'a thread ran\n'.repeat(3) + 'all 3 threads ran\n');
  assert.strictEqual(r.status, 0);
});

test('proc_exit on a spawned thread ends every thread, the waiting main thread too, with its status', () => {
  const r = cli([program('threads_end')]);
  assert.strictEqual(r.stderr, '');
  assert.strictEqual(r.status, 7);
});

test('a trap on a spawned thread ends every thread, as a trap (134)', () => {
  const r = cli([program('threads_end'), 'trap']);
  assert.match(r.stderr, /^wasi-rs: .*threads_end\.wasm trapped: unreachable\n$/);
  assert.strictEqual(r.status, 134);
});

test('a thread blocked reading stdin does not hold the exit of the process', async () => {
  // stdin is a pipe this test keeps open: the read never returns by itself.
  const child = spawn(process.execPath, [CLI_PATH, program('threads_end'), 'read', 'block'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const guard = setTimeout(() => child.stdin.end(), 30_000);
  const [status] = await new Promise((resolve) => child.on('exit', (...a) => resolve(a)));
  const heldUntilStdinClosed = child.stdin.writableEnded;
  clearTimeout(guard);
  child.stdin.destroy();
  assert.strictEqual(stderr, '');
  assert.strictEqual(status, 9);
  assert.strictEqual(heldUntilStdinClosed, false, 'the process ended while its stdin was still open');
});

test('thread-spawn past maxThreads fails with -6 (EAGAIN), never crashing the host', async () => {
  const bytes = fs.readFileSync(program('threads_end'));
  // The guest spawns threads that wait forever until thread-spawn fails,
  // then exits with the number it got.
  assert.strictEqual(await new WASI({ version: 'preview1', args: ['p', 'a', 'b', 'c'], maxThreads: 5 }).run(bytes), 5);
  assert.strictEqual(await new WASI({ version: 'preview1', args: ['p', 'a', 'b', 'c'], maxThreads: 0 }).run(bytes), 0);
  assert.strictEqual(await new WASI({ version: 'preview1', args: ['p', 'a', 'b', 'c'] }).run(bytes), 64, 'the default');
  const r = cli([program('threads_end'), 'a', 'b', 'c']);
  assert.strictEqual(r.status, 64);
});

test('maxThreads is validated as Node validates its options', () => {
  assert.throws(() => new WASI({ version: 'preview1', maxThreads: '4' }), { code: 'ERR_INVALID_ARG_TYPE' });
  for (const bad of [-1, 1.5, 4097, NaN]) {
    assert.throws(() => new WASI({ version: 'preview1', maxThreads: bad }), { code: 'ERR_OUT_OF_RANGE' });
  }
});

test('wasi.run() resolves with the status, and the event loop keeps running meanwhile', async () => {
  const wasi = new WASI({ version: 'preview1', args: ['threads_end'] });
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 5);
  // The spawned thread waits 100 ms and exits with 7; the main thread
  // waits forever: neither runs on this thread.
  const status = await wasi.run(fs.readFileSync(program('threads_end')));
  clearInterval(timer);
  assert.strictEqual(status, 7);
  assert.ok(ticks > 0, 'timers fired while the guest ran');
  await assert.rejects(wasi.run(fs.readFileSync(program('threads_end')), { timeout: 1000 }), { code: 'ERR_WASI_ALREADY_STARTED' });
});

test('wasi.run() runs a plain command module too, and rejects a trap with ERR_WASI_TRAP', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  const fd = fs.openSync(out, 'w');
  try {
    const status = await new WASI({ version: 'preview1', args: ['hello', 'run'], stdout: fd }).run(new WebAssembly.Module(fs.readFileSync(program('hello'))));
    assert.strictEqual(status, 0);
  } finally {
    fs.closeSync(fd);
  }
  assert.strictEqual(fs.readFileSync(out, 'utf8'), 'Hello, run, from WASI on wasi-rs!\n');
  const trap = new WASI({ version: 'preview1', args: ['p', 'trap'] }).run(fs.readFileSync(program('threads_end')));
  await assert.rejects(trap, (err) => err instanceof WebAssembly.RuntimeError && err.code === 'ERR_WASI_TRAP' && /unreachable/.test(err.message));
});

test('wasi.run() ends the guest on a time-out or an abort, whatever its threads are doing', async () => {
  const spin = fs.readFileSync(program('spin'));
  const dir = tempDir();
  const fd = fs.openSync(path.join(dir, 'out'), 'w');
  try {
    await assert.rejects(new WASI({ version: 'preview1', stdout: fd }).run(spin, { timeout: 200 }), { code: 'ERR_WASI_TIMEOUT' });
    const ac = new AbortController();
    const running = new WASI({ version: 'preview1', stdout: fd }).run(spin, { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await assert.rejects(running, { name: 'AbortError' });
    // A threads program whose threads all wait forever.
    const hang = new WASI({ version: 'preview1', args: ['p', 'a', 'b', 'c', 'd'] }).run(fs.readFileSync(program('threads_end')), { timeout: 300 });
    await assert.rejects(hang, { code: 'ERR_WASI_TIMEOUT' });
  } finally {
    fs.closeSync(fd);
  }
});

test('wasi.run() needs the bytes of a module that imports its memory, and says so', async () => {
  const module = new WebAssembly.Module(fs.readFileSync(program('threads_spawn')));
  await assert.rejects(new WASI({ version: 'preview1' }).run(module), { code: 'ERR_INVALID_ARG_TYPE', message: /pass the module's bytes/ });
  await assert.rejects(new WASI({ version: 'preview1' }).run('not a module'), { code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(new WASI({ version: 'preview1' }).run(Buffer.from('nope')), WebAssembly.CompileError);
});

// A Rust program for wasm32-wasip1-threads (__test__/programs/threads_rs):
// std::thread, a channel, one file written from every thread, and Files
// opened on one thread handed to another.
test('a Rust wasm32-wasip1-threads program writes one file from many threads and hands Files between them', async () => {
  const dir = tempDir();
  const r = cli(['--dir', `${dir}::/data`, program('threads_rs'), 'files', '/data', '6']);
  assert.strictEqual(r.stderr, '');
  assert.strictEqual(r.stdout, '6 threads wrote 300 lines to one file; 6 files opened on other threads were read on the main thread\n');
  assert.strictEqual(r.status, 0);
  const lines = fs.readFileSync(path.join(dir, 'shared.txt'), 'utf8').split('\n').filter(Boolean);
  assert.strictEqual(lines.length, 300);
  for (let k = 0; k < 6; k++) assert.strictEqual(fs.readFileSync(path.join(dir, `own${k}.txt`), 'utf8'), `written by thread ${k}`);
  // The same through the API, in this process.
  const again = tempDir();
  const out = path.join(again, 'stdout');
  const fd = fs.openSync(out, 'w');
  try {
    const wasi = new WASI({ version: 'preview1', args: ['threads_rs', 'files', '/data', '3'], preopens: { '/data': again }, stdout: fd });
    assert.strictEqual(await wasi.run(fs.readFileSync(program('threads_rs'))), 0);
  } finally {
    fs.closeSync(fd);
  }
  assert.strictEqual(fs.readFileSync(out, 'utf8'), '3 threads wrote 150 lines to one file; 3 files opened on other threads were read on the main thread\n');
});

test('the threaded Rust program computes what its single-threaded build does', () => {
  const threaded = cli([program('threads_rs'), 'work', '4', '4000000']);
  const single = cli([program('threads_rs_single'), 'work', '4', '4000000']);
  assert.strictEqual(threaded.status, 0, threaded.stderr);
  assert.strictEqual(single.status, 0, single.stderr);
  assert.match(threaded.stdout, /^[0-9a-f]{16}\n$/);
  assert.strictEqual(threaded.stdout, single.stdout);
});
