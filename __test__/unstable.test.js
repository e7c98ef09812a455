'use strict';
// version: 'unstable' — the wasi_unstable (snapshot 0) ABI with its own
// layouts, checked by a program written against it (programs/unstable.wat).
const test = require('node:test');
const assert = require('node:assert');
const { run, cli, program, tempDir } = require('./helpers/run');
const { WASI } = require('..');

test('a wasi_unstable program sees snapshot-0 whence, filestat and subscription layouts', () => {
  const r = run('wasi-rs', 'unstable', { version: 'unstable', args: ['unstable'], preopens: { '/s': tempDir() } });
  assert.strictEqual(r.status, 0, `failed check ${r.status}: ${r.stdout}${r.stderr}`);
  assert.strictEqual(r.stdout, 'unstable ok\n');
});

test('the CLI picks the unstable ABI from the module imports', () => {
  const dir = tempDir();
  const r = cli(['--dir', `${dir}::/s`, program('unstable')]);
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stdout, 'unstable ok\n');
});

test('the unstable import object has snapshot 0 functions only (no sock_accept)', () => {
  const preview1 = Object.keys(new WASI({ version: 'preview1' }).wasiImport);
  const unstable = Object.keys(new WASI({ version: 'unstable' }).wasiImport);
  assert.deepStrictEqual(unstable, preview1.filter((name) => name !== 'sock_accept'));
});

test('fd_filestat_get writes 56 bytes under unstable and 64 under preview1', () => {
  for (const [version, size] of [['unstable', 56], ['preview1', 64]]) {
    const wasi = new WASI({ version, preopens: { '/': tempDir() } });
    const memory = new WebAssembly.Memory({ initial: 1 });
    wasi.start({ exports: { memory, _start() {} } });
    const bytes = new Uint8Array(memory.buffer);
    bytes.fill(0xee, 0, 128);
    assert.strictEqual(wasi.wasiImport.fd_filestat_get(3, 0), 0);
    assert.strictEqual(bytes[size], 0xee, `${version}: byte ${size} untouched`);
    const view = new DataView(memory.buffer);
    const ctim = view.getBigUint64(size - 8, true);
    const nowNs = BigInt(Date.now()) * 1000000n;
    assert.ok(ctim > 0n && ctim <= nowNs + 10n ** 9n, `${version}: ctim is the last field (${ctim})`);
    assert.strictEqual(bytes[16], 3, `${version}: a directory`);
  }
});
