'use strict';
// The JS boundary under attack: a guest must reach nothing but the WASI
// functions through the import objects, and hostile JS in the same
// process must not make the native side use a buffer it holds no
// reference to, or reach an instance's internals. Each attack runs in a
// child process, so a crash shows as a signal instead of killing the
// test runner.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { WASI } = require('..');
const { ROOT, program, cli, tempDir } = require('./helpers/run');

/** Runs `script` in a fresh Node (with --expose-gc) and returns its JSON output. */
function runScript(script) {
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.strictEqual(r.signal, null, `crashed with ${r.signal}: ${r.stderr}`);
  assert.strictEqual(r.status, 0, r.stderr);
  try {
    return JSON.parse(r.stdout);
  } catch {
    assert.fail(`not JSON: ${JSON.stringify(r.stdout)} (stderr: ${r.stderr})`);
  }
}

const ESCAPES = {
  constructor: 'wasi_snapshot_preview1::constructor',
  proto: 'wasi_snapshot_preview1::__proto__',
  tostring: 'wasi_snapshot_preview1::toString',
  freeze: 'wasi_snapshot_preview1::constructor',
};

test('the import objects reach nothing of Object.prototype, yet behave as ordinary objects', () => {
  for (const version of ['preview1', 'unstable']) {
    const wasi = new WASI({ version });
    const io = wasi.getImportObject();
    const proto = Object.getPrototypeOf(io);
    assert.strictEqual(Object.getPrototypeOf(wasi.wasiImport), proto);
    assert.strictEqual(Object.getPrototypeOf(proto), null);
    assert.ok(Object.isFrozen(proto));
    assert.deepStrictEqual(Reflect.ownKeys(proto), ['hasOwnProperty', Symbol.toPrimitive]);
    for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'isPrototypeOf', '__defineGetter__']) {
      assert.strictEqual(io[name], undefined, name);
      assert.strictEqual(wasi.wasiImport[name], undefined, name);
    }
    // What Node's built-in allows its users (calls that lint forbids elsewhere, tested here on purpose).
    /* eslint-disable no-prototype-builtins */
    assert.strictEqual(wasi.wasiImport.hasOwnProperty('fd_write'), true);
    assert.strictEqual(wasi.wasiImport.hasOwnProperty('toString'), false);
    assert.strictEqual(io.hasOwnProperty(version === 'unstable' ? 'wasi_unstable' : 'wasi_snapshot_preview1'), true);
    /* eslint-enable no-prototype-builtins */
    assert.strictEqual(`${wasi.wasiImport}`, '[object Object]');
    assert.strictEqual(String(io), '[object Object]');
    assert.strictEqual(Object.prototype.toString.call(io), '[object Object]');
    assert.ok(Number.isNaN(+io));
    assert.strictEqual(JSON.stringify(io), JSON.stringify({ [Object.keys(io)[0]]: {} }));
    // hasOwnProperty, imported by a module, reaches nothing: it throws when called.
    assert.throws(() => Reflect.apply(wasi.wasiImport.hasOwnProperty, undefined, ['x']), TypeError);
    for (const f of Object.values(wasi.wasiImport)) assert.strictEqual(typeof f, 'function');
    // Still an ordinary writable object to its user.
    const spread = { ...wasi.wasiImport };
    assert.deepStrictEqual(Object.keys(spread), Object.keys(wasi.wasiImport));
    wasi.wasiImport.sched_yield = () => 0;
    assert.strictEqual(wasi.getImportObject()[Object.keys(io)[0]].sched_yield, wasi.wasiImport.sched_yield);
  }
});

test('a module importing Object.prototype members fails to link, and the host realm is untouched', () => {
  for (const name of Object.keys(ESCAPES)) {
    const module = new WebAssembly.Module(fs.readFileSync(program(`escape_${name}`)));
    const wasi = new WASI({ version: 'preview1' });
    // A missing field is a LinkError; a missing module (here "constructor"
    // is not reached first) a TypeError, as the JS API spec says.
    assert.throws(() => new WebAssembly.Instance(module, wasi.getImportObject()), (err) => {
      assert.ok(err instanceof WebAssembly.LinkError || err instanceof TypeError, `${name}: ${err}`);
      return true;
    });
  }
  assert.strictEqual(Object.isFrozen(Object.prototype), false);
});

test('the freezing module does freeze the realm with an ordinary import object (the attack is real)', () => {
  const file = program('escape_freeze');
  const script = (importObject) => `
    const { WASI } = require(${JSON.stringify(ROOT)});
    const wasi = new WASI({ version: 'preview1' });
    const module = new WebAssembly.Module(require('fs').readFileSync(${JSON.stringify(file)}));
    let linked = true;
    try { new WebAssembly.Instance(module, ${importObject}).exports._start(); } catch { linked = false; }
    process.stdout.write(JSON.stringify({ linked, frozen: Object.isFrozen(Object.prototype) }));`;
  assert.deepStrictEqual(runScript(script('{ wasi_snapshot_preview1: { ...wasi.wasiImport } }')), { linked: true, frozen: true });
  assert.deepStrictEqual(runScript(script('wasi.getImportObject()')), { linked: false, frozen: false });
});

test('the CLI refuses those modules with one line, counting only own imports', () => {
  for (const [name, what] of Object.entries(ESCAPES)) {
    const r = cli([program(`escape_${name}`)]);
    assert.strictEqual(r.status, 1, r.stderr);
    assert.strictEqual(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^wasi-rs: unknown import ${what.replace(/[$]/g, '\\$&')}`));
  }
});

test("an instance's internals are not reachable: no symbols, only its public fields", () => {
  const wasi = new WASI({ version: 'preview1' });
  assert.deepStrictEqual(Object.getOwnPropertySymbols(wasi), []);
  assert.deepStrictEqual(Reflect.ownKeys(wasi).sort(), ['listeners', 'wasiImport']);
});

/** A script that starts an instance whose stdin reads `file`, lets
 * `attack` (source text) run with `memory` in scope, then has fd_read put
 * the file at `at` and reports what the memory's real buffer holds there. */
function readThroughAttack(file, attack, at = 1024) {
  return `
    const fs = require('fs');
    const getBuffer = Object.getOwnPropertyDescriptor(WebAssembly.Memory.prototype, 'buffer').get;
    const { apply } = Reflect;
    const originalCall = Function.prototype.call;
    const TypedArray = Object.getPrototypeOf(Uint8Array.prototype);
    const originalLength = Object.getOwnPropertyDescriptor(TypedArray, 'length');
    const realBuffer = { call: (m) => apply(getBuffer, m, []) };
    const { WASI } = require(${JSON.stringify(ROOT)});
    const fd = fs.openSync(${JSON.stringify(file)}, 'r');
    const wasi = new WASI({ version: 'preview1', stdin: fd });
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    ${attack}
    wasi.start({ exports: { memory, _start() {} } });
    ${'/* after start */'}
    globalThis.gc && gc();
    const at = ${at};
    new DataView(realBuffer.call(memory)).setUint32(0, at, true);
    new DataView(realBuffer.call(memory)).setUint32(4, 5, true);
    const errno = wasi.wasiImport.fd_read(0, 0, 1, 8);
    // Read back with a DataView: the attacks may have made typed arrays lie.
    const dv = new DataView(realBuffer.call(memory));
    let got = '';
    for (let i = 0; i < 5; i++) got += String.fromCharCode(dv.getUint8(at + i));
    const nread = new DataView(realBuffer.call(memory)).getUint32(8, true);
    // Undo the attacks for process.stdout (on Windows its pipe writes go
    // through a typed array's length).
    Function.prototype.call = originalCall;
    Object.defineProperty(TypedArray, 'length', originalLength);
    process.stdout.write(JSON.stringify({ errno, got, nread }));`;
}

test('hostile JS cannot make the native side use another buffer than the memory\'s own', () => {
  const dir = tempDir();
  const file = path.join(dir, 'in.txt');
  fs.writeFileSync(file, 'hello');
  const attacks = {
    'a buffer data property shadowing the getter, with a resizable buffer shrunk later': `
      const rab = new ArrayBuffer(65536, { maxByteLength: 65536 });
      Object.defineProperty(memory, 'buffer', { value: rab });
      setImmediate(() => {});
      queueMicrotask(() => rab.resize(0));
      rab.resize(16);`,
    'WebAssembly.Memory.prototype.buffer replaced after wasi-rs loaded': `
      Object.defineProperty(WebAssembly.Memory.prototype, 'buffer', { get() { return new ArrayBuffer(16); } });`,
    'a getter returning a temporary buffer, garbage collected afterwards': `
      Object.defineProperty(memory, 'buffer', { get() { return new ArrayBuffer(65536 * 4); } });`,
    'Function.prototype.call and the typed arrays\' length replaced': `
      Function.prototype.call = function () { return new ArrayBuffer(8); };
      const TA = Object.getPrototypeOf(Uint8Array.prototype);
      Object.defineProperty(TA, 'length', { get() { return 1; } });`,
  };
  for (const [what, attack] of Object.entries(attacks)) {
    const out = runScript(readThroughAttack(file, attack));
    assert.deepStrictEqual(out, { errno: 0, got: 'hello', nread: 5 }, what);
  }
});

test('a lying typed-array length cannot hide a detached buffer after memory.grow', () => {
  const dir = tempDir();
  const file = path.join(dir, 'in.txt');
  fs.writeFileSync(file, 'grown');
  // After start, make length lie, then grow (detaching the buffer the
  // native side holds), then read into the new page.
  const script = readThroughAttack(file, '', 65536 + 100).replace(
    '/* after start */',
    `const TA = Object.getPrototypeOf(Uint8Array.prototype);
     Object.defineProperty(TA, 'length', { get() { return 1; } });
     memory.grow(1);`,
  );
  assert.deepStrictEqual(runScript(script), { errno: 0, got: 'grown', nread: 5 });
});
