'use strict';
// wasi-threads in the wasmtime engine (engine/src/threads.rs): the same
// programs as __test__/threads.test.js runs in V8, with the same results:
// spawned threads run with their own ids over one shared memory and one
// WASI process; proc_exit or a trap on any thread ends every thread, a
// waiting main thread too; maxThreads; a time-out, an abort and
// worker.terminate() end a process whose threads all wait for ever (parked
// in memory.atomic.wait, which only a notify wakes).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { WASI } = require('../..');
const { ROOT, CLI, program, tempDir, cliWithOpenStdin } = require('../helpers/run');

const ENGINE = ['--engine', 'wasmtime', '-C', 'cache=n'];
const cli = (args) => spawnSync(process.execPath, [CLI, ...ENGINE, ...args], { encoding: 'utf8', timeout: 60_000 });
const run = (args, options = {}, runOptions = {}) =>
  new WASI({ version: 'preview1', args, ...options }).run(fs.readFileSync(program(args[0])), { engine: 'wasmtime', cache: false, ...runOptions });

test('spawned threads run, each with its own id, in the engine', () => {
  const r = cli([program('threads_spawn')]);
  assert.strictEqual(r.stderr, '');
  assert.strictEqual(r.stdout, 'a thread ran\n'.repeat(3) + 'all 3 threads ran\n');
  assert.strictEqual(r.status, 0);
});

test('proc_exit on a spawned thread ends every thread, the waiting main thread too, with its status', async () => {
  assert.strictEqual(cli([program('threads_end')]).status, 7);
  assert.strictEqual(await run(['threads_end']), 7);
});

test('a trap on a spawned thread ends every thread, as a trap', async () => {
  const r = cli([program('threads_end'), 'trap']);
  assert.match(r.stderr, /^wasi-rs: .*threads_end\.wasm trapped: wasm trap: wasm `unreachable` instruction executed/);
  assert.strictEqual(r.status, 134);
  await assert.rejects(run(['threads_end', 'trap']), (e) => e instanceof WebAssembly.RuntimeError && e.code === 'ERR_WASI_TRAP' && /unreachable/.test(e.message));
});

test('a thread blocked reading stdin does not hold the exit of the process', async () => {
  // stdin is a pipe kept open: the read never returns by itself.
  const r = await cliWithOpenStdin([...ENGINE, program('threads_end'), 'read', 'block']);
  assert.strictEqual(r.stderr, '');
  assert.strictEqual(r.status, 9);
  assert.strictEqual(r.endedWithStdinOpen, true, 'the process ended while its stdin was still open');
});


test('thread-spawn past maxThreads fails with -6 (EAGAIN)', { timeout: 60_000 }, async () => {
  // The guest spawns threads that wait for ever until thread-spawn fails,
  // then exits with the number it got; the waiting threads are stopped.
  const args = ['threads_end', 'a', 'b', 'c'];
  assert.strictEqual(await run(args, { maxThreads: 5 }), 5);
  assert.strictEqual(await run(args, { maxThreads: 0 }), 0);
  assert.strictEqual(await run(args), 64, 'the default');
});

test('a time-out and an abort end a process whose threads all wait for ever', { timeout: 60_000 }, async () => {
  // The spawned thread and _start both wait in memory.atomic.wait32 with no time-out.
  const args = ['threads_end', 'a', 'b', 'c', 'd'];
  await assert.rejects(run(args, {}, { timeout: 300 }), { code: 'ERR_WASI_TIMEOUT' });
  const ac = new AbortController();
  const running = run(args, {}, { signal: ac.signal });
  setTimeout(() => ac.abort(), 300);
  await assert.rejects(running, { name: 'AbortError' });
});

test('worker.terminate() ends a process whose threads all wait for ever', () => {
  const script = `
    const { Worker } = require('worker_threads');
    const worker = new Worker(\`
      const { WASI } = require(${JSON.stringify(ROOT)});
      const wasi = new WASI({ version: 'preview1', args: ['threads_end', 'a', 'b', 'c', 'd'] });
      wasi.run(require('fs').readFileSync(${JSON.stringify(program('threads_end'))}), { engine: 'wasmtime', cache: false });
      setTimeout(() => require('worker_threads').parentPort.postMessage('running'), 300);
    \`, { eval: true });
    worker.once('message', async () => {
      await worker.terminate();
      process.exit(7);
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 });
  assert.strictEqual(r.signal, null, 'ended by itself, not by the time-out');
  assert.strictEqual(r.status, 7, r.stderr);
});

test('a Rust wasm32-wasip1-threads program: files from many threads, and the same result as its single-threaded build', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'stdout');
  const fd = fs.openSync(out, 'w');
  try {
    assert.strictEqual(await run(['threads_rs', 'files', '/data', '6'], { preopens: { '/data': dir }, stdout: fd }), 0);
  } finally {
    fs.closeSync(fd);
  }
  assert.strictEqual(fs.readFileSync(out, 'utf8'), '6 threads wrote 300 lines to one file; 6 files opened on other threads were read on the main thread\n');
  assert.strictEqual(fs.readFileSync(path.join(dir, 'shared.txt'), 'utf8').split('\n').filter(Boolean).length, 300);
  for (let k = 0; k < 6; k++) assert.strictEqual(fs.readFileSync(path.join(dir, `own${k}.txt`), 'utf8'), `written by thread ${k}`);
  const threaded = cli([program('threads_rs'), 'work', '4', '4000000']);
  const single = spawnSync(process.execPath, [CLI, program('threads_rs_single'), 'work', '4', '4000000'], { encoding: 'utf8' });
  assert.strictEqual(threaded.status, 0, threaded.stderr);
  assert.match(threaded.stdout, /^[0-9a-f]{16}\n$/);
  assert.strictEqual(threaded.stdout, single.stdout);
});

test('maxMemory caps the shared memory: growing past it fails, and a module that needs more at start is ERR_WASI_MEMORY_LIMIT', async () => {
  // grow_shared: a threads module that grows its shared memory until
  // memory.grow fails, then exits with the page count it reached.
  const pages = await new WASI({ version: 'preview1', args: ['grow_shared'] }).run(fs.readFileSync(program('grow_shared')), { engine: 'wasmtime', cache: false, maxMemory: 40 * 65536 });
  assert.strictEqual(pages, 40);
  await assert.rejects(run(['threads_rs', 'work', '2', '10'], {}, { maxMemory: 65536 }), { code: 'ERR_WASI_MEMORY_LIMIT' });
});
