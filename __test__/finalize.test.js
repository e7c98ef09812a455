'use strict';
// finalizeBindings() (Node 24.4+'s API): binding a memory without running
// _start/_initialize, for modules instantiated in worker threads over a
// shared memory. Its errors and its started flag follow node:wasi on Node
// 24+, compared in the same process where node:wasi has the method.
const test = require('node:test');
const assert = require('node:assert');
const { Worker } = require('worker_threads');
const fs = require('fs');
const path = require('path');
const { WASI } = require('..');
const { ROOT, program, tempDir } = require('./helpers/run');

process.removeAllListeners('warning');
const { WASI: NodeWASI } = require('wasi');
const nodeHasIt = typeof NodeWASI.prototype.finalizeBindings === 'function';

// A module with an exported memory and a _start that does nothing.
const COMMAND = new WebAssembly.Module(new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 3, 1, 0, 1,
  7, 19, 2, 6, 109, 101, 109, 111, 114, 121, 2, 0, 6, 95, 115, 116, 97, 114, 116, 0, 0, 10, 4, 1, 2, 0, 11,
]));
const command = () => new WebAssembly.Instance(COMMAND, {});
const memory = () => new WebAssembly.Memory({ initial: 1 });
const sharedMemory = () => new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });

// Each case: what it does, and what Node 24.11 does (observed).
const CASES = [
  ['binds the exported memory', (w) => w.finalizeBindings(command()), 'ok'],
  ['a second call throws', (w) => { const i = command(); w.finalizeBindings(i); w.finalizeBindings(i); }, 'Error ERR_WASI_ALREADY_STARTED'],
  ['start() after it throws', (w) => { const i = command(); w.finalizeBindings(i); w.start(i); }, 'Error ERR_WASI_ALREADY_STARTED'],
  ['initialize() after it throws', (w) => { w.finalizeBindings(command()); w.initialize({ exports: { memory: memory() } }); }, 'Error ERR_WASI_ALREADY_STARTED'],
  ['it after start() throws', (w) => { const i = command(); w.start(i); w.finalizeBindings(i); }, 'Error ERR_WASI_ALREADY_STARTED'],
  ['options.memory that is not a Memory', (w) => w.finalizeBindings(command(), { memory: {} }), 'TypeError ERR_INVALID_ARG_TYPE'],
  ['no memory anywhere', (w) => w.finalizeBindings({ exports: {} }), 'TypeError ERR_INVALID_ARG_TYPE'],
  ['options.memory without an exported one', (w) => w.finalizeBindings({ exports: {} }, { memory: memory() }), 'ok'],
  ['a shared options.memory', (w) => w.finalizeBindings({ exports: {} }, { memory: sharedMemory() }), 'ok'],
  ['options.memory: undefined falls back to the export', (w) => w.finalizeBindings(command(), { memory: undefined }), 'ok'],
  ['instance not an object', (w) => w.finalizeBindings(1), 'TypeError ERR_INVALID_ARG_TYPE'],
  ['instance.exports not an object', (w) => w.finalizeBindings({ exports: 1 }), 'TypeError ERR_INVALID_ARG_TYPE'],
  ['options null', (w) => w.finalizeBindings(command(), null), 'TypeError undefined'],
  ['options a number', (w) => w.finalizeBindings(command(), 5), 'ok'],
  ['a failed call leaves it unstarted', (w) => { assert.throws(() => w.finalizeBindings({ exports: {} })); w.finalizeBindings(command()); }, 'ok'],
  ['a start() that fails the instance checks leaves it unstarted', (w) => { assert.throws(() => w.start({})); w.start(command()); }, 'ok'],
  ['a start() that fails the _start check has started it', (w) => {
    assert.throws(() => w.start({ exports: { memory: memory(), _start: 1 } }));
    w.start(command());
  }, 'Error ERR_WASI_ALREADY_STARTED'],
];

function outcome(Class, run) {
  const wasi = new Class({ version: 'preview1' });
  try {
    run(wasi);
    return 'ok';
  } catch (err) {
    return `${err.constructor.name} ${err.code}`;
  }
}

for (const [name, run, expected] of CASES) {
  test(`finalizeBindings: ${name}`, () => {
    assert.strictEqual(outcome(WASI, run), expected);
    if (nodeHasIt) assert.strictEqual(outcome(NodeWASI, run), expected, `node:wasi on ${process.version}`);
  });
}

test('its errors carry the same messages as node:wasi', { skip: !nodeHasIt && `node:wasi on ${process.version} has no finalizeBindings (Node 24.4+)` }, () => {
  for (const run of [(w) => w.finalizeBindings(1), (w) => w.finalizeBindings({ exports: 1 }), (w) => w.finalizeBindings({ exports: {} })]) {
    const messages = [WASI, NodeWASI].map((Class) => {
      try {
        run(new Class({ version: 'preview1' }));
      } catch (err) {
        return err.message;
      }
      return 'no error';
    });
    assert.strictEqual(messages[0], messages[1]);
  }
});

test('a replaced finalizeBindings is not what start() runs', () => {
  const wasi = new WASI({ version: 'preview1' });
  wasi.finalizeBindings = () => { throw new Error('replaced'); };
  assert.strictEqual(wasi.start(command()), 0);
});

// Two workers instantiate one module over the same shared memory, each
// with its own WASI object, and bind it with finalizeBindings; the main
// thread wrote their text into the memory and bound its own WASI object
// first. All three are one WASI process (docs/threads.md): the workers
// write to the process's stdout, the main thread's file.
test('workers share a memory and write from it after finalizeBindings', async () => {
  const dir = tempDir();
  const mem = sharedMemory();
  const bytes = new Uint8Array(mem.buffer);
  const texts = ['first worker\n', 'second worker, longer\n'];
  const offsets = [100, 200];
  texts.forEach((t, k) => bytes.set(Buffer.from(t), offsets[k]));
  const processOut = path.join(dir, 'process.out');
  const processFd = fs.openSync(processOut, 'w');
  const owner = new WASI({ version: 'preview1', stdout: processFd });
  const m = new WebAssembly.Module(fs.readFileSync(program('shared_writer')));
  owner.finalizeBindings(new WebAssembly.Instance(m, { ...owner.getImportObject(), env: { memory: mem } }), { memory: mem });
  const source = `
    const fs = require('fs');
    const { parentPort, workerData } = require('worker_threads');
    const { WASI } = require(${JSON.stringify(ROOT)});
    const { memory, out, offset, length, scratch } = workerData;
    const fd = fs.openSync(out, 'w');
    const wasi = new WASI({ version: 'preview1', stdout: fd });
    const m = new WebAssembly.Module(fs.readFileSync(${JSON.stringify(program('shared_writer'))}));
    const instance = new WebAssembly.Instance(m, { ...wasi.getImportObject(), env: { memory } });
    wasi.finalizeBindings(instance, { memory });
    let again;
    try { wasi.finalizeBindings(instance, { memory }); } catch (err) { again = err.code; }
    const errno = instance.exports.write(offset, length, scratch);
    fs.closeSync(fd);
    parentPort.postMessage({ errno, again });`;
  const results = [];
  // One after the other, so that the process's file has a known order.
  for (const [k, t] of texts.entries()) {
    results.push(await new Promise((resolve, reject) => {
      const out = path.join(dir, `out${k}`);
      const w = new Worker(source, { eval: true, workerData: { memory: mem, out, offset: offsets[k], length: t.length, scratch: 16 * (k + 1) } });
      let message;
      w.on('message', (msg) => { message = msg; });
      w.on('error', reject);
      w.on('exit', (code) => resolve({ code, message, out }));
    }));
  }
  fs.closeSync(processFd);
  for (const r of results) {
    assert.strictEqual(r.code, 0);
    assert.deepStrictEqual(r.message, { errno: 0, again: 'ERR_WASI_ALREADY_STARTED' });
    assert.strictEqual(fs.readFileSync(r.out, 'utf8'), '', "a joining object's own stdout is not used");
  }
  assert.strictEqual(fs.readFileSync(processOut, 'utf8'), texts.join(''));
  // Each fd_write stored its count in the shared memory, at its own
  // scratch + 8, where the main thread sees it.
  texts.forEach((t, k) => assert.strictEqual(new DataView(mem.buffer).getUint32(16 * (k + 1) + 8, true), t.length));
});

test('an export called before finalizeBindings fails with the documented error', () => {
  const wasi = new WASI({ version: 'preview1' });
  const mem = sharedMemory();
  const m = new WebAssembly.Module(fs.readFileSync(program('shared_writer')));
  const instance = new WebAssembly.Instance(m, { ...wasi.getImportObject(), env: { memory: mem } });
  assert.throws(() => instance.exports.write(0, 0, 16), { code: 'ERR_WASI_NOT_STARTED' });
  wasi.finalizeBindings(instance, { memory: mem });
  assert.strictEqual(instance.exports.write(64, 0, 16), 0);
});
