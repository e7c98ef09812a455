'use strict';
// start() and initialize(): validation order, the started flag, exit
// codes, errors from inside wasm, reactors, and memory growth.
const test = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('child_process');
const fs = require('fs');
const vm = require('vm');
const { WASI, WASIExitError } = require('..');
const path = require('path');
const { ROOT, program, tempDir } = require('./helpers/run');

const { NO_PROC_FD } = require('./helpers/host');

process.removeAllListeners('warning');
const { WASI: NodeWASI } = require('wasi');

const memory = () => new WebAssembly.Memory({ initial: 1 });
const fakeInstance = (exports) => ({ exports });

function outcome(Class, method, makeInstance) {
  const wasi = new Class({ version: 'preview1' });
  try {
    return `ok ${wasi[method](makeInstance())}`;
  } catch (err) {
    return `${err.constructor.name} ${err.code}`;
  }
}

const START_CASES = [
  ['instance undefined', () => undefined],
  ['instance null', () => null],
  ['instance number', () => 5],
  ['exports missing', () => ({})],
  ['exports null', () => fakeInstance(null)],
  ['exports string', () => fakeInstance('x')],
  ['memory missing', () => fakeInstance({ _start() {} })],
  ['memory is an ArrayBuffer', () => fakeInstance({ memory: new ArrayBuffer(8), _start() {} })],
  ['memory is a look-alike object', () => fakeInstance({ memory: { buffer: new ArrayBuffer(8) }, _start() {} })],
  ['memory before _start', () => fakeInstance({ memory: 5 })],
  ['_start missing', () => fakeInstance({ memory: memory() })],
  ['_start not a function', () => fakeInstance({ memory: memory(), _start: 1 })],
  ['_initialize present', () => fakeInstance({ memory: memory(), _start() {}, _initialize() {} })],
  ['_start returns', () => fakeInstance({ memory: memory(), _start() { return 7; } })],
  ['memory from another realm', () => fakeInstance({ memory: vm.runInNewContext('new WebAssembly.Memory({ initial: 1 })'), _start() {} })],
];

for (const [name, make] of START_CASES) {
  test(`start() matches node:wasi: ${name}`, () => {
    assert.strictEqual(outcome(WASI, 'start', make), outcome(NodeWASI, 'start', make));
  });
}

const INIT_CASES = [
  ['instance undefined', () => undefined],
  ['memory missing', () => fakeInstance({})],
  ['_start present', () => fakeInstance({ memory: memory(), _start() {} })],
  ['_initialize not a function', () => fakeInstance({ memory: memory(), _initialize: 5 })],
  ['no _initialize', () => fakeInstance({ memory: memory() })],
  ['_initialize present', () => fakeInstance({ memory: memory(), _initialize() {} })],
];

for (const [name, make] of INIT_CASES) {
  test(`initialize() matches node:wasi: ${name}`, () => {
    assert.strictEqual(outcome(WASI, 'initialize', make), outcome(NodeWASI, 'initialize', make));
  });
}

test('the checks run in Node order, each naming its property', () => {
  const wasi = () => new WASI({ version: 'preview1' });
  assert.throws(() => wasi().start(), { code: 'ERR_INVALID_ARG_TYPE', message: /"instance"/ });
  assert.throws(() => wasi().start({ exports: null }), { code: 'ERR_INVALID_ARG_TYPE', message: /"instance\.exports"/ });
  assert.throws(() => wasi().start(fakeInstance({ _start: 1 })), { message: /instance\.exports\.memory/ });
  assert.throws(() => wasi().start(fakeInstance({ memory: memory(), _start: 1 })), { message: /instance\.exports\._start/ });
  assert.throws(() => wasi().start(fakeInstance({ memory: memory(), _start() {}, _initialize() {} })), {
    message: 'The "instance.exports._initialize" property must be undefined. Received function _initialize',
  });
});

test('a second start() throws ERR_WASI_ALREADY_STARTED, and so does start after initialize', () => {
  const wasi = new WASI({ version: 'preview1' });
  assert.strictEqual(wasi.start(fakeInstance({ memory: memory(), _start() {} })), 0);
  assert.throws(() => wasi.start(fakeInstance({ memory: memory(), _start() {} })), { code: 'ERR_WASI_ALREADY_STARTED', message: 'WASI instance has already started' });
  assert.throws(() => wasi.initialize(fakeInstance({ memory: memory() })), { code: 'ERR_WASI_ALREADY_STARTED' });
  const reactor = new WASI({ version: 'preview1' });
  reactor.initialize(fakeInstance({ memory: memory() }));
  assert.throws(() => reactor.start(fakeInstance({ memory: memory(), _start() {} })), { code: 'ERR_WASI_ALREADY_STARTED' });
});

// Node 24.4+ checks the instance and memory in finalizeBindings() before
// marking the object started; Node 20 and 22 mark it first. wasi-rs follows
// Node 24 on every Node (docs/differences.md): a call that fails those
// checks changes nothing. finalize.test.js compares with node:wasi there.
test('a start() that fails the instance checks leaves the object unstarted', () => {
  const wasi = new WASI({ version: 'preview1' });
  assert.throws(() => wasi.start({}), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.strictEqual(wasi.start(fakeInstance({ memory: memory(), _start() {} })), 0);
});

function instantiate(wasi, name, importObject = wasi.getImportObject()) {
  return new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(program(name))), importObject);
}

test('start() returns the proc_exit code, or 0 when _start returns', () => {
  for (const [args, expected] of [[['exit_code', '7'], 7], [['exit_code', '0'], 0], [['exit_code', 'return', '3'], 3], [['exit_code'], 0], [['exit_code', 'raw', '300'], 300]]) {
    const wasi = new WASI({ version: 'preview1', args, stdout: fs.openSync('/dev/null', 'w') });
    assert.strictEqual(wasi.start(instantiate(wasi, 'exit_code')), expected, args.join(' '));
  }
});

test('exit codes match node:wasi for the same program', () => {
  for (const args of [['p', '1'], ['p', '255'], ['p', 'raw', '256'], ['p', 'return', '9']]) {
    const codes = [WASI, NodeWASI].map((Class) => {
      const wasi = new Class({ version: 'preview1', args, stdout: fs.openSync('/dev/null', 'w') });
      return wasi.start(instantiate(wasi, 'exit_code'));
    });
    assert.strictEqual(codes[0], codes[1], args.join(' '));
  }
});

test('with returnOnExit: false, proc_exit ends the process with the code and prints nothing else', () => {
  const script = `
    const fs = require('fs');
    const { WASI } = require(${JSON.stringify(ROOT)});
    const wasi = new WASI({ version: 'preview1', args: ['p', '42'], returnOnExit: false });
    const m = new WebAssembly.Module(fs.readFileSync(${JSON.stringify(program('exit_code'))}));
    wasi.start(new WebAssembly.Instance(m, wasi.getImportObject()));
    console.log('not reached');`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.strictEqual(r.status, 42);
  assert.strictEqual(r.stdout, 'before exit\n');
  assert.strictEqual(r.stderr, '');
});

test('a trap inside wasm propagates out of start() unchanged', () => {
  const wasi = new WASI({ version: 'preview1', stdout: fs.openSync('/dev/null', 'w') });
  assert.throws(() => wasi.start(instantiate(wasi, 'trap')), (err) => err instanceof WebAssembly.RuntimeError && /unreachable/.test(err.message));
});

test('an error thrown by a replaced import propagates unchanged', () => {
  const wasi = new WASI({ version: 'preview1' });
  const mine = new Error('from my fd_write');
  wasi.wasiImport.fd_write = () => { throw mine; };
  assert.throws(() => wasi.start(instantiate(wasi, 'hello')), (err) => err === mine);
});

test('a replaced proc_exit is the one called', () => {
  const wasi = new WASI({ version: 'preview1', args: ['p', '5'], stdout: fs.openSync('/dev/null', 'w') });
  const calls = [];
  wasi.wasiImport.proc_exit = (code) => { calls.push(code); throw new Error('custom exit'); };
  assert.throws(() => wasi.start(instantiate(wasi, 'exit_code')), { message: 'custom exit' });
  assert.deepStrictEqual(calls, [5]);
});

test('imports work after start from JS too, and bad pointers give EFAULT', () => {
  const wasi = new WASI({ version: 'preview1' });
  const mem = memory();
  wasi.start(fakeInstance({ memory: mem, _start() {} }));
  const view = new DataView(mem.buffer);
  assert.strictEqual(wasi.wasiImport.clock_time_get(1, 1n, 8), 0);
  assert.ok(view.getBigUint64(8, true) > 0n);
  assert.strictEqual(wasi.wasiImport.clock_time_get(1, 1n, 65536 - 7), 21);
  assert.strictEqual(wasi.wasiImport.clock_time_get(1, 1n, -8), 21, 'a negative i32 is a high address');
  assert.strictEqual(wasi.wasiImport.random_get(0, 65537), 21);
  assert.strictEqual(wasi.wasiImport.random_get(65536, 0), 0);
  assert.strictEqual(wasi.wasiImport.fd_write(), 28, 'missing arguments are EINVAL, as in Node');
  assert.strictEqual(wasi.wasiImport.clock_time_get(1, 1, 8), 28, 'an i64 must be a BigInt, as in Node');
});

test('the memory view follows memory.grow from JS', () => {
  const wasi = new WASI({ version: 'preview1' });
  const mem = memory();
  wasi.start(fakeInstance({ memory: mem, _start() {} }));
  assert.strictEqual(wasi.wasiImport.clock_time_get(0, 1n, 70000), 21);
  mem.grow(1);
  assert.strictEqual(wasi.wasiImport.clock_time_get(0, 1n, 70000), 0);
  assert.ok(new DataView(mem.buffer).getBigUint64(70000, true) > 0n);
  for (let i = 0; i < 20; i++) mem.grow(100);
  const top = mem.buffer.byteLength - 8;
  assert.strictEqual(wasi.wasiImport.clock_time_get(0, 1n, top), 0);
  assert.ok(new DataView(mem.buffer).getBigUint64(top, true) > 0n);
});

test('initialize() runs _initialize, then exported functions make WASI calls', () => {
  // The instance keeps its own handle on stdout (docs/differences.md), so
  // on Windows the file cannot be deleted while it lives: tempDir() cleans
  // up when the process ends.
  const file = path.join(tempDir(), 'stdout');
  const fd = fs.openSync(file, 'w');
  const wasi = new WASI({ version: 'preview1', stdout: fd });
  const instance = instantiate(wasi, 'reactor');
  assert.strictEqual(instance.exports.was_initialized(), 0);
  assert.strictEqual(wasi.initialize(instance), undefined);
  assert.strictEqual(instance.exports.was_initialized(), 42);
  for (let i = 0; i < 100; i++) assert.strictEqual(instance.exports.say(i), 0);
  const pages = instance.exports.grow(64);
  assert.ok(pages >= 65);
  assert.strictEqual(instance.exports.say(1000), 0);
  instance.exports.memory.grow(32);
  assert.strictEqual(instance.exports.say(1001), 0);
  fs.closeSync(fd);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  assert.strictEqual(lines.length, 102);
  assert.strictEqual(lines[0], 'hello 0');
  assert.strictEqual(lines[101], 'hello 1001');
});

test('proc_exit inside a reactor call throws WASIExitError carrying the code', () => {
  const wasi = new WASI({ version: 'preview1' });
  const instance = instantiate(wasi, 'reactor');
  wasi.initialize(instance);
  assert.throws(() => instance.exports.quit(17), (err) => {
    assert.ok(err instanceof WASIExitError);
    assert.ok(err instanceof Error);
    assert.strictEqual(err.code, 'ERR_WASI_EXIT');
    assert.strictEqual(err.exitCode, 17);
    assert.match(err.message, /exited with code 17/);
    return true;
  });
});

test('proc_raise is ENOSYS and sched_yield succeeds', () => {
  const wasi = new WASI({ version: 'preview1' });
  wasi.start(fakeInstance({ memory: memory(), _start() {} }));
  assert.strictEqual(wasi.wasiImport.proc_raise(6), 52);
  assert.strictEqual(wasi.wasiImport.sched_yield(), 0);
});

// Counting open descriptors needs /proc/self/fd, which only Linux has.
test('dropped instances are freed by their finalizers: preopen fds are closed', { skip: NO_PROC_FD }, () => {
  const script = `
    const fs = require('fs');
    const { WASI } = require(${JSON.stringify(ROOT)});
    const openFds = () => fs.readdirSync('/proc/self/fd').length;
    const make = (n) => { for (let i = 0; i < n; i++) new WASI({ version: 'preview1', preopens: { '/a': '/tmp', '/b': '/' } }); };
    const settle = async () => { for (let i = 0; i < 6; i++) { global.gc(); await new Promise((r) => setImmediate(r)); } };
    (async () => {
      make(200); await settle();
      const before = openFds();
      make(5000); await settle();
      const after = openFds();
      console.log(JSON.stringify({ before, after }));
    })();`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  const { before, after } = JSON.parse(r.stdout);
  // 5000 instances hold 10000 directory fds until finalized.
  assert.ok(after - before < 50, `open fds grew from ${before} to ${after}`);
});

test('a shared memory works, as in Node, and its growth is seen at once', () => {
  const wasi = new WASI({ version: 'preview1' });
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 8, shared: true });
  wasi.start(fakeInstance({ memory, _start() {} }));
  assert.strictEqual(wasi.wasiImport.clock_time_get(1, 1n, 8), 0);
  assert.ok(new DataView(memory.buffer).getBigUint64(8, true) > 0n);
  assert.strictEqual(wasi.wasiImport.random_get(65536, 16), 21, 'past the end before growing');
  memory.grow(2); // a shared memory grows in place: nothing is detached
  assert.strictEqual(wasi.wasiImport.random_get(65536 * 3 - 16, 16), 0);
  assert.ok(new Uint8Array(memory.buffer, 65536 * 3 - 16, 16).some((b) => b !== 0));
  assert.strictEqual(wasi.wasiImport.random_get(65536 * 3, 1), 21);
});
