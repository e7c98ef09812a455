'use strict';
// The WASI constructor: every option, every validation path, compared
// error-for-error with Node's built-in node:wasi.
const test = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { WASI } = require('..');
const { ROOT, tempDir } = require('./helpers/run');

// Silence node:wasi's ExperimentalWarning in this process.
process.removeAllListeners('warning');
const { WASI: NodeWASI } = require('wasi');

function outcome(Class, options, argCount = 1) {
  try {
    if (argCount === 0) new Class();
    else new Class(options);
    return 'ok';
  } catch (err) {
    return `${err.constructor.name} ${err.code}`;
  }
}

const file = path.join(tempDir(), 'a-file');
fs.writeFileSync(file, 'x');

const CASES = [
  ['no options at all', undefined, 0],
  ['options undefined', undefined],
  ['options null', null],
  ['options string', 'preview1'],
  ['options number', 1],
  ['options NaN', NaN],
  ['options symbol', Symbol('x')],
  ['options boolean', true],
  ['options function', () => {}],
  ['options array', []],
  ['version missing', {}],
  ['version number', { version: 1 }],
  ['version unknown', { version: 'preview2' }],
  ['version unknown, args bad', { version: 'x', args: 5 }],
  ['version missing, args bad', { args: 5 }],
  ['version preview1', { version: 'preview1' }],
  ['version unstable', { version: 'unstable' }],
  ['args number', { version: 'preview1', args: 5 }],
  ['args string', { version: 'preview1', args: 'a b' }],
  ['args object', { version: 'preview1', args: { 0: 'a' } }],
  ['args mixed types', { version: 'preview1', args: [1, null, undefined, {}, 'x'] }],
  ['env number', { version: 'preview1', env: 5 }],
  ['env null', { version: 'preview1', env: null }],
  ['env array', { version: 'preview1', env: [] }],
  ['env function', { version: 'preview1', env: () => {} }],
  ['env before preopens', { version: 'preview1', env: 5, preopens: 5 }],
  ['preopens number', { version: 'preview1', preopens: 5 }],
  ['preopens null', { version: 'preview1', preopens: null }],
  ['preopens before stdin', { version: 'preview1', preopens: 5, stdin: true }],
  // (A string stdin is data in wasi-rs: see untrusted.test.js.)
  ['stdin boolean', { version: 'preview1', stdin: true }],
  ['stdout string', { version: 'preview1', stdout: '1' }],
  ['stdin negative', { version: 'preview1', stdin: -1 }],
  ['stdin fraction', { version: 'preview1', stdin: 1.5 }],
  ['stdin too big', { version: 'preview1', stdin: 2 ** 31 }],
  ['stdin NaN', { version: 'preview1', stdin: NaN }],
  ['stdout null', { version: 'preview1', stdout: null }],
  ['stdout bigint', { version: 'preview1', stdout: 1n }],
  ['stderr undefined uses default', { version: 'preview1', stderr: undefined }],
  ['stdio valid', { version: 'preview1', stdin: 0, stdout: 1, stderr: 2 }],
  ['stdin before returnOnExit', { version: 'preview1', stdin: true, returnOnExit: 1 }],
  ['returnOnExit number', { version: 'preview1', returnOnExit: 1 }],
  ['returnOnExit null', { version: 'preview1', returnOnExit: null }],
  ['returnOnExit string', { version: 'preview1', returnOnExit: 'true' }],
  ['returnOnExit false', { version: 'preview1', returnOnExit: false }],
  ['everything valid', { version: 'preview1', args: ['a'], env: { A: 'b' }, preopens: { '/': ROOT }, returnOnExit: true }],
];

for (const [name, options, argCount] of CASES) {
  test(`constructor matches node:wasi: ${name}`, () => {
    assert.strictEqual(outcome(WASI, options, argCount), outcome(NodeWASI, options, argCount));
  });
}

test('type errors name the offending option', () => {
  for (const [key, value] of [['args', 5], ['env', 5], ['preopens', 5], ['stdin', true], ['stdout', 'x'], ['returnOnExit', 1], ['version', 1]]) {
    const options = { version: 'preview1', [key]: value };
    assert.throws(() => new WASI(options), (err) => err instanceof TypeError && err.code === 'ERR_INVALID_ARG_TYPE' && err.message.includes(`"options.${key}"`));
  }
  assert.throws(() => new WASI({ version: 'nope' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: /options\.version.*'nope'/ });
});

test('a missing preopen throws ERR_WASI_PREOPEN naming the path', () => {
  const missing = path.join(tempDir(), 'does-not-exist');
  assert.throws(() => new WASI({ version: 'preview1', preopens: { '/data': missing } }), (err) => {
    assert.strictEqual(err.code, 'ERR_WASI_PREOPEN');
    assert.ok(err.message.includes(missing), err.message);
    assert.ok(err.message.includes('/data'), err.message);
    return true;
  });
});

test('a preopen that is a file throws ERR_WASI_PREOPEN', () => {
  assert.throws(() => new WASI({ version: 'preview1', preopens: { '/f': file } }), {
    code: 'ERR_WASI_PREOPEN',
    message: /not a directory/,
  });
});

test('loading and constructing prints no experimental warning', () => {
  const r = spawnSync(process.execPath, ['-e', `const { WASI } = require(${JSON.stringify(ROOT)}); new WASI({ version: 'preview1' }).getImportObject();`], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stderr, '');
});

test('wasiImport has all 46 preview1 functions, and getImportObject returns that very object', () => {
  const wasi = new WASI({ version: 'preview1' });
  const nodeWasi = new NodeWASI({ version: 'preview1' });
  assert.deepStrictEqual(Object.keys(wasi.wasiImport).sort(), Object.keys(nodeWasi.wasiImport).sort());
  assert.strictEqual(Object.keys(wasi.wasiImport).length, 46);
  for (const f of Object.values(wasi.wasiImport)) assert.strictEqual(typeof f, 'function');
  const io = wasi.getImportObject();
  assert.deepStrictEqual(Object.keys(io), ['wasi_snapshot_preview1']);
  assert.strictEqual(io.wasi_snapshot_preview1, wasi.wasiImport);
  assert.strictEqual(wasi.getImportObject().wasi_snapshot_preview1, wasi.wasiImport);
});

test("version 'unstable' names the import module wasi_unstable", () => {
  const wasi = new WASI({ version: 'unstable' });
  assert.deepStrictEqual(Object.keys(wasi.getImportObject()), ['wasi_unstable']);
  assert.strictEqual(wasi.getImportObject().wasi_unstable, wasi.wasiImport);
});

test('wasiImport is writable: a replaced import is what getImportObject hands out', () => {
  const wasi = new WASI({ version: 'preview1' });
  const mine = () => 0;
  wasi.wasiImport.proc_exit = mine;
  assert.strictEqual(wasi.getImportObject().wasi_snapshot_preview1.proc_exit, mine);
});

test('every import throws ERR_WASI_NOT_STARTED before start()', () => {
  const wasi = new WASI({ version: 'preview1' });
  // Arguments of the right wasm types, so only "not started" can fail.
  const i64 = new Set(['clock_time_get:1', 'fd_advise:1', 'fd_advise:2', 'fd_allocate:1', 'fd_allocate:2',
    'fd_fdstat_set_rights:1', 'fd_fdstat_set_rights:2', 'fd_filestat_set_size:1', 'fd_filestat_set_times:1',
    'fd_filestat_set_times:2', 'fd_pread:3', 'fd_pwrite:3', 'fd_readdir:3', 'fd_seek:1',
    'path_filestat_set_times:4', 'path_filestat_set_times:5', 'path_open:5', 'path_open:6']);
  for (const [name, fn] of Object.entries(wasi.wasiImport)) {
    const args = Array.from({ length: 9 }, (_, i) => (i64.has(`${name}:${i}`) ? 0n : 0));
    assert.throws(() => fn(...args), { code: 'ERR_WASI_NOT_STARTED', message: 'wasi.start() has not been called' }, name);
  }
});
