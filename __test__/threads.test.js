'use strict';
// One WASI process across threads: every WASI object bound to one shared
// memory shares one fd table, whichever worker it lives in (docs/threads.md).
// The module is a reactor over an imported shared memory, as a
// napi-rs package's is; each worker instantiates it with a WASI object of
// its own, as their loaders do.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { WASI } = require('..');
const { program, tempDir, TIME_SCALE } = require('./helpers/run');
const { NO_PROC_FD } = require('./helpers/host');

const EBADF = 8;

const { guestThread, workerThread, sharedMemory } = require('./helpers/guest-thread');

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

test('napi-rs style: one loader per worker, files opened from several threads at once, every fd distinct and usable everywhere', async () => {
  const dir = tempDir();
  const memory = sharedMemory();
  // As the napi-rs loaders do: the host root preopened as '/' (on Windows
  // the drive's root), a WASI object per thread, env from process.env.
  const root = path.parse(dir).root;
  const options = { preopens: { '/': root }, env: process.env };
  const main = guestThread(memory, options, 1024);
  const workers = [1, 2, 3].map((k) => workerThread(memory, options, 1024 * (k + 1)));
  try {
    const names = workers.map((_, k) => path.relative(root, path.join(dir, `w${k}.txt`)).split(path.sep).join('/'));
    // Every worker opens (creating) and writes its own file, all at once.
    const fds = await Promise.all(workers.map((w, k) => w.ask('open', names[k])));
    assert.strictEqual(new Set(fds).size, 3, `three distinct fds: ${fds}`);
    for (const fd of fds) assert.ok(fd >= 4, `a new fd, never one of stdio's or the preopen's: ${fd}`);
    const written = await Promise.all(workers.map((w, k) => w.ask('write', fds[k], `worker ${k}\n`)));
    assert.deepStrictEqual(written, [9, 9, 9]);
    // Each file is read on another thread than the one that opened it.
    for (let k = 0; k < 3; k++) {
      const reader = workers[(k + 1) % 3];
      assert.strictEqual(await reader.ask('close', fds[k]), 0);
      const again = await reader.ask('open', names[k]);
      assert.strictEqual(main.read(again), `worker ${k}\n`, 'the main thread reads an fd a worker opened');
      assert.strictEqual(main.close(again), 0);
    }
    for (let k = 0; k < 3; k++) assert.strictEqual(fs.readFileSync(path.join(dir, `w${k}.txt`), 'utf8'), `worker ${k}\n`);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
});

// Workers open files in the process and are terminated in the middle of
// their calls; the table outlives them while the main thread's object
// lives, and every host fd is closed once the last object is gone.
test('terminated threads leak no host fd, and the last object to go closes the process', { skip: NO_PROC_FD }, () => {
  const script = `
    const fs = require('fs');
    const { Worker } = require('worker_threads');
    const { guestThread, sharedMemory } = require(${JSON.stringify(path.join(__dirname, 'helpers', 'guest-thread.js'))});
    const dir = ${JSON.stringify(tempDir())};
    const openFds = () => fs.readdirSync('/proc/self/fd').length;
    const settle = async () => { for (let i = 0; i < 8; i++) { global.gc(); await new Promise((r) => setTimeout(r, 5)); } };
    async function round() {
      const memory = sharedMemory();
      let main = guestThread(memory, { preopens: { '/': dir } }, 1024);
      const workers = [0, 1].map((k) => new Worker(\`
        const { parentPort, workerData } = require('worker_threads');
        const { guestThread } = require(\${JSON.stringify(${JSON.stringify(path.join(__dirname, 'helpers', 'guest-thread.js'))})});
        const t = guestThread(workerData.memory, { preopens: { '/': workerData.dir } }, workerData.scratch);
        const fds = [];
        for (let i = 0; i < 5; i++) fds.push(t.open('f' + workerData.k + i));
        parentPort.postMessage(fds);
        for (;;) t.read(fds[0]); // busy in WASI calls until terminated
      \`, { eval: true, workerData: { memory, dir, scratch: 2048 * (k + 1), k } }));
      const fds = (await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))))).flat();
      await Promise.all(workers.map((w) => w.terminate()));
      // The workers' fds are still the process's while the main object lives.
      const readable = fds.every((fd) => typeof main.read(fd) === 'string');
      const next = main.open('after');
      main = null;
      await settle();
      return { fds, readable, next };
    }
    (async () => {
      await round(); await settle();
      const before = openFds();
      const rounds = [];
      for (let i = 0; i < 5; i++) rounds.push(await round());
      await settle();
      console.log(JSON.stringify({ before, after: openFds(), rounds }));
    })();`;
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', env, timeout: 120_000 * TIME_SCALE });
  assert.strictEqual(r.status, 0, `signal ${r.signal}: ${r.stderr}`);
  const { before, after, rounds } = JSON.parse(r.stdout);
  for (const round of rounds) {
    assert.strictEqual(new Set(round.fds).size, 10, `ten distinct fds from two workers: ${round.fds}`);
    assert.ok(round.readable, 'the fds of terminated workers stay usable while the process lives');
    assert.ok(round.next >= 4 && !round.fds.includes(round.next), `the next fd is a free number: ${round.next}`);
  }
  // Five rounds each held 10 files, the preopen and stdio: all closed.
  assert.ok(after - before < 5, `open fds grew from ${before} to ${after}`);
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
const { cli, cliWithOpenStdin } = require('./helpers/run');

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
  // stdin is a pipe kept open: the read never returns by itself.
  const r = await cliWithOpenStdin([program('threads_end'), 'read', 'block']);
  assert.strictEqual(r.stderr, '');
  assert.strictEqual(r.status, 9);
  assert.strictEqual(r.endedWithStdinOpen, true, 'the process ended while its stdin was still open');
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

test('wasi.run() validates its options as Node validates its own', async () => {
  const bytes = fs.readFileSync(program('hello'));
  await assert.rejects(new WASI({ version: 'preview1' }).run(bytes, null), { code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(new WASI({ version: 'preview1' }).run(bytes, { timeout: '5' }), { code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(new WASI({ version: 'preview1' }).run(bytes, { timeout: -1 }), { code: 'ERR_OUT_OF_RANGE' });
  await assert.rejects(new WASI({ version: 'preview1' }).run(bytes, { signal: {} }), { code: 'ERR_INVALID_ARG_TYPE' });
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(new WASI({ version: 'preview1' }).run(bytes, { signal: ac.signal }), { name: 'AbortError' });
});

test('wasi.run() needs the bytes of a module that imports its memory, and says so', async () => {
  const module = new WebAssembly.Module(fs.readFileSync(program('threads_spawn')));
  await assert.rejects(new WASI({ version: 'preview1' }).run(module), { code: 'ERR_INVALID_ARG_TYPE', message: /pass the module's bytes/ });
  await assert.rejects(new WASI({ version: 'preview1' }).run('not a module'), { code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(new WASI({ version: 'preview1' }).run(Buffer.from('nope')), WebAssembly.CompileError);
  // A module that imports what wasi-rs does not give fails to instantiate
  // in its thread, and says so with the error's own class (a TypeError
  // for a missing module, as the JS API says), not as a trap.
  await assert.rejects(new WASI({ version: 'preview1' }).run(fs.readFileSync(program('unknown_import'))), (err) => err instanceof TypeError && err.code === undefined && /"env"/.test(err.message));
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
