'use strict';
// Hostile input from JS and from the guest: every import called with
// random and wrong-typed arguments before and after start and across
// memory.grow; resource limits; large memory churn; and a forced internal
// panic that must surface as a JS exception.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
// The panic test hook works only with this switch set when wasi-rs loads.
process.env.WASI_RS_TEST_HOOKS = '1';
const { WASI } = require('..');
const { ROOT, program, tempDir } = require('./helpers/run');

const ERRNO_MAX = 76;
const kTestPanicOn = Symbol.for('wasi-rs.testPanicOn');

/** xorshift: repeatable random numbers. */
function rng(seed) {
  let x = BigInt(seed) | 1n;
  return () => {
    x ^= x << 13n; x &= (1n << 64n) - 1n;
    x ^= x >> 7n;
    x ^= x << 17n; x &= (1n << 64n) - 1n;
    return x;
  };
}

function randomArg(next) {
  const r = Number(next() % 16n);
  switch (r) {
    case 0: return undefined;
    case 1: return null;
    case 2: return 'str';
    case 3: return {};
    case 4: return next();                      // BigInt, any size
    case 5: return -Number(next() % 1000n);
    case 6: return 2 ** 32 + 5;
    case 7: return NaN;
    case 8: return 1.5;
    case 9: return Number(next() % 8n);          // small fds and flags
    case 10: return Number(next() % 70000n);     // around the end of one page
    case 11: return 0xffffffff;
    case 12: return -1n;
    case 13: return 2n ** 70n;
    case 14: return Symbol('s');
    default: return Number(next() % 0x100000000n);
  }
}

/** Calls `fn` and checks that it returned an errno or threw a JS type/range error (or `allowedCode`). */
function callOnce(name, fn, args, allowedCode) {
  let result;
  try {
    result = fn(...args);
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) return 'threw';
    if (allowedCode && err.code === allowedCode) return 'threw';
    throw new Error(`${name}(${args.map(String).join(', ')}) threw ${err && err.stack}`);
  }
  assert.ok(Number.isInteger(result) && result >= 0 && result <= ERRNO_MAX, `${name} returned ${String(result)}`);
  return result;
}

function stress(wasi, next, rounds, allowedCode) {
  const names = Object.keys(wasi.wasiImport).filter((n) => n !== 'proc_exit');
  const outcomes = new Map();
  for (let i = 0; i < rounds; i++) {
    const name = names[Number(next() % BigInt(names.length))];
    const argc = Number(next() % 11n);
    const args = Array.from({ length: argc }, () => randomArg(next));
    if (name === 'poll_oneoff') args.length = 0; // random subscriptions could sleep for hours; poll is fuzzed in Rust
    const r = callOnce(name, wasi.wasiImport[name], args, allowedCode);
    outcomes.set(r, (outcomes.get(r) || 0) + 1);
  }
  return outcomes;
}

test('every import with random, missing and wrong-typed arguments, before start: errno or ERR_WASI_NOT_STARTED', () => {
  const dir = tempDir();
  const devnull = fs.openSync('/dev/null', 'r+');
  const wasi = new WASI({ version: 'preview1', preopens: { '/': dir }, stdin: devnull, stdout: devnull, stderr: devnull });
  const outcomes = stress(wasi, rng(1), 5000, 'ERR_WASI_NOT_STARTED');
  assert.ok(outcomes.get('threw') > 0);
  assert.ok(outcomes.get(28) > 0, 'bad argument types are EINVAL, as in Node');
  fs.closeSync(devnull);
});

test('every import with random arguments after start, across memory.grow: always an errno, never a crash', () => {
  const dir = tempDir();
  const devnull = fs.openSync('/dev/null', 'r+');
  const wasi = new WASI({ version: 'preview1', preopens: { '/': dir }, stdin: devnull, stdout: devnull, stderr: devnull });
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 200 });
  wasi.start({ exports: { memory, _start() {} } });
  const next = rng(2);
  const seen = new Set();
  for (let round = 0; round < 20; round++) {
    // Random bytes in memory, then random calls, then grow (which detaches
    // the buffer the native side cached).
    const bytes = new Uint8Array(memory.buffer);
    for (let i = 0; i < bytes.length; i += 8) bytes[i] = Number(next() % 256n);
    for (const [r] of stress(wasi, next, 1500)) seen.add(r);
    if (memory.buffer.byteLength < 150 * 65536) memory.grow(7);
  }
  assert.ok(seen.has(0), 'some calls succeed');
  assert.ok(seen.has(21), 'some hit EFAULT');
  assert.ok(seen.has(8), 'some hit EBADF');
  // The instance still works.
  assert.strictEqual(wasi.wasiImport.clock_time_get(0, 0n, 0), 0);
  fs.closeSync(devnull);
});

test('resource limits: too many iovecs, subscriptions, path bytes, or open fds are bounded errnos', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'f'), 'x');
  const wasi = new WASI({ version: 'preview1', preopens: { '/': dir } });
  const memory = new WebAssembly.Memory({ initial: 2 });
  wasi.start({ exports: { memory, _start() {} } });
  const w = wasi.wasiImport;
  assert.strictEqual(w.fd_write(1, 0, 1025, 100), 28, 'more than 1024 iovecs: EINVAL');
  assert.strictEqual(w.fd_read(0, 0, 0xffffffff, 100), 28);
  assert.strictEqual(w.poll_oneoff(0, 0, 16385, 100), 28, 'more than 16384 subscriptions: EINVAL');
  assert.strictEqual(w.poll_oneoff(0, 0, 0x7fffffff, 100), 28);
  assert.strictEqual(w.path_open(3, 0, 0, 5000, 0, 0n, 0n, 0, 100), 37, 'a path over 4096 bytes: ENAMETOOLONG');
  assert.strictEqual(w.random_get(0, 0xffffffff), 21, 'a length past the end of memory: EFAULT');
  // Open the same file until the table is full.
  new Uint8Array(memory.buffer).set([0x66], 200);
  let errno = 0;
  let opened = 0;
  while (errno === 0 && opened < 20000) {
    errno = w.path_open(3, 0, 200, 1, 0, 2n, 0n, 0, 100);
    if (errno === 0) opened++;
  }
  assert.ok(errno === 33 || errno === 41, `the table filled with errno ${errno}, not EMFILE/ENFILE`);
  assert.ok(opened <= 16384, `${opened} fds opened`);
  // Closing one makes room again.
  assert.strictEqual(w.fd_close(10), 0);
  assert.strictEqual(w.path_open(3, 0, 200, 1, 0, 2n, 0n, 0, 100), 0);
});

test('a program that allocates and frees hundreds of MiB between I/O calls runs 100 times (Node 20 crashes here)', () => {
  const script = `
    const fs = require('fs');
    const { WASI } = require(${JSON.stringify(ROOT)});
    const module = new WebAssembly.Module(fs.readFileSync(${JSON.stringify(program('churn'))}));
    const out = fs.openSync('/dev/null', 'w');
    let ok = 0;
    for (let i = 0; i < 100; i++) {
      const wasi = new WASI({ version: 'preview1', args: ['churn'], stdout: out });
      if (wasi.start(new WebAssembly.Instance(module, wasi.getImportObject())) === 0) ok++;
    }
    console.log('ok=' + ok);`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 180_000 });
  assert.strictEqual(r.signal, null, r.stderr);
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stdout.trim(), 'ok=100');
});

test('a panic inside an import becomes a JS exception, prints nothing, and the instance keeps working', () => {
  const script = `
    const { WASI } = require(${JSON.stringify(ROOT)});
    const wasi = new WASI({ version: 'preview1', [Symbol.for('wasi-rs.testPanicOn')]: 'fd_write' });
    const memory = new WebAssembly.Memory({ initial: 1 });
    wasi.start({ exports: { memory, _start() {} } });
    const results = [];
    for (let i = 0; i < 3; i++) {
      try { wasi.wasiImport.fd_write(1, 0, 0, 8); results.push('returned'); }
      catch (e) { results.push(e.constructor.name + ':' + e.code + ':' + /forced panic in fd_write/.test(e.message)); }
    }
    results.push(wasi.wasiImport.clock_time_get(1, 0n, 0));
    process.stdout.write(JSON.stringify(results));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, WASI_RS_TEST_HOOKS: '1' } });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stderr, '', 'nothing printed to stderr');
  assert.deepStrictEqual(JSON.parse(r.stdout), ['Error:ERR_WASI_INTERNAL:true', 'Error:ERR_WASI_INTERNAL:true', 'Error:ERR_WASI_INTERNAL:true', 0]);
});

test('a panic inside an import called from wasm unwinds the guest as a JS exception', () => {
  const wasi = new WASI({ version: 'preview1', args: ['hello'], [kTestPanicOn]: 'fd_write' });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(program('hello'))), wasi.getImportObject());
  assert.throws(() => wasi.start(instance), { code: 'ERR_WASI_INTERNAL', message: /forced panic in fd_write/ });
});

test('the panic hook is off without the test switch, and never read through the prototype chain', () => {
  const script = (setup) => `
    ${setup}
    const { WASI } = require(${JSON.stringify(ROOT)});
    const wasi = new WASI({ version: 'preview1', [Symbol.for('wasi-rs.testPanicOn')]: 'clock_time_get' });
    const memory = new WebAssembly.Memory({ initial: 1 });
    wasi.start({ exports: { memory, _start() {} } });
    let own;
    try { own = wasi.wasiImport.clock_time_get(1, 0n, 0); } catch (e) { own = e.code; }
    const later = new WASI({ version: 'preview1' });
    later.start({ exports: { memory, _start() {} } });
    let inherited;
    try { inherited = later.wasiImport.clock_time_get(1, 0n, 0); } catch (e) { inherited = e.code; }
    process.stdout.write(JSON.stringify({ own, inherited }));`;
  const polluted = "Object.prototype[Symbol.for('wasi-rs.testPanicOn')] = 'clock_time_get';";
  const run = (env, setup) => {
    const r = spawnSync(process.execPath, ['-e', script(setup)], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.strictEqual(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const { WASI_RS_TEST_HOOKS: _, ...clean } = process.env;
  // Shipped behaviour: the key does nothing, own or inherited.
  assert.deepStrictEqual(run({ ...clean, WASI_RS_TEST_HOOKS: '' }, polluted), { own: 0, inherited: 0 });
  // With the switch, only an own property of the options counts.
  assert.deepStrictEqual(run({ WASI_RS_TEST_HOOKS: '1' }, polluted), { own: 'ERR_WASI_INTERNAL', inherited: 0 });
});
