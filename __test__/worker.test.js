'use strict';
// wasi-rs in worker_threads: programs run there, and terminating a worker
// in the middle of start() leaves the process healthy.
const test = require('node:test');
const assert = require('node:assert');
const { Worker } = require('worker_threads');
const fs = require('fs');
const path = require('path');
const { ROOT, program, tempDir } = require('./helpers/run');

function workerSource(programName, args, stdoutFile) {
  return `
    const fs = require('fs');
    const { parentPort } = require('worker_threads');
    const { WASI } = require(${JSON.stringify(ROOT)});
    const fd = fs.openSync(${JSON.stringify(stdoutFile)}, 'w');
    const wasi = new WASI({ version: 'preview1', args: ${JSON.stringify(args)}, stdout: fd });
    const m = new WebAssembly.Module(fs.readFileSync(${JSON.stringify(program(programName))}));
    const instance = new WebAssembly.Instance(m, wasi.getImportObject());
    parentPort.postMessage({ started: true });
    const code = wasi.start(instance);
    fs.closeSync(fd);
    parentPort.postMessage({ code });`;
}

function runWorker(source) {
  return new Promise((resolve, reject) => {
    const w = new Worker(source, { eval: true });
    const messages = [];
    w.on('message', (m) => messages.push(m));
    w.on('error', reject);
    w.on('exit', (exitCode) => resolve({ exitCode, messages }));
  });
}

test('a program runs in a worker and returns its exit code', async () => {
  const out = path.join(tempDir(), 'out');
  const { exitCode, messages } = await runWorker(workerSource('exit_code', ['p', '23'], out));
  assert.strictEqual(exitCode, 0);
  assert.deepStrictEqual(messages.at(-1), { code: 23 });
  assert.strictEqual(fs.readFileSync(out, 'utf8'), 'before exit\n');
});

test('several workers at once, each with its own instance', async () => {
  const dir = tempDir();
  const results = await Promise.all([1, 2, 3, 4].map((n) => runWorker(workerSource('exit_code', ['p', String(n)], path.join(dir, `out${n}`)))));
  assert.deepStrictEqual(results.map((r) => r.messages.at(-1).code), [1, 2, 3, 4]);
});

test('terminating a worker in the middle of start() does not crash the process', async () => {
  for (let round = 0; round < 5; round++) {
    const out = path.join(tempDir(), 'spin');
    const w = new Worker(workerSource('spin', ['spin'], out), { eval: true });
    await new Promise((resolve, reject) => {
      w.on('error', reject);
      w.on('message', (m) => m.started && resolve());
    });
    // Wait until the guest is inside its loop of WASI calls.
    const deadline = Date.now() + 10_000;
    while (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== 'spinning\n') {
      if (Date.now() > deadline) throw new Error('the guest never started');
      await new Promise((r) => setTimeout(r, 5));
    }
    const exitCode = await w.terminate();
    assert.strictEqual(exitCode, 1);
  }
  // The main thread's own WASI still works afterwards.
  const { WASI } = require('..');
  const wasi = new WASI({ version: 'preview1', args: ['p', '4'], stdout: fs.openSync('/dev/null', 'w') });
  const m = new WebAssembly.Module(fs.readFileSync(program('exit_code')));
  assert.strictEqual(wasi.start(new WebAssembly.Instance(m, wasi.getImportObject())), 4);
});

test('with returnOnExit: false, proc_exit in a worker ends that worker with the code, not the process', async () => {
  const source = `
    const fs = require('fs');
    const { WASI } = require(${JSON.stringify(ROOT)});
    const wasi = new WASI({ version: 'preview1', args: ['p', '7'], returnOnExit: false, stdout: fs.openSync('/dev/null', 'w') });
    const m = new WebAssembly.Module(fs.readFileSync(${JSON.stringify(program('exit_code'))}));
    wasi.start(new WebAssembly.Instance(m, wasi.getImportObject()));
    require('worker_threads').parentPort.postMessage('not reached');`;
  const { exitCode, messages } = await runWorker(source);
  assert.strictEqual(exitCode, 7);
  assert.deepStrictEqual(messages, []);
});
