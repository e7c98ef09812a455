'use strict';
// Many WASI instances in one process: separate fd tables and preopens, and
// dropped instances freed (RSS and open fds stay flat).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { QEMU, NO_PROC_FD } = require('./helpers/host');
const { spawnSync } = require('child_process');
const { WASI } = require('..');
const { ROOT, TIME_SCALE, tempDir } = require('./helpers/run');

function started(options) {
  const wasi = new WASI({ version: 'preview1', ...options });
  const memory = new WebAssembly.Memory({ initial: 1 });
  wasi.start({ exports: { memory, _start() {} } });
  return { wasi, memory, bytes: new Uint8Array(memory.buffer), view: new DataView(memory.buffer) };
}

function openFile(inst, dirFd, name, create) {
  inst.bytes.set(Buffer.from(name), 1000);
  const rights = (1n << 30n) - 1n;
  const errno = inst.wasi.wasiImport.path_open(dirFd, 0, 1000, name.length, create ? 1 : 0, rights, rights, 0, 0);
  return { errno, fd: inst.view.getUint32(0, true) };
}

test('two instances keep separate fd tables and preopens', () => {
  const dirA = tempDir();
  const dirB = tempDir();
  fs.writeFileSync(path.join(dirA, 'only-in-a'), 'a');
  const a = started({ preopens: { '/a': dirA } });
  const b = started({ preopens: { '/b': dirB } });
  // Each sees its own preopen name at fd 3.
  for (const [inst, name] of [[a, '/a'], [b, '/b']]) {
    assert.strictEqual(inst.wasi.wasiImport.fd_prestat_dir_name(3, 2000, 2), 0);
    assert.strictEqual(Buffer.from(inst.bytes.subarray(2000, 2002)).toString(), name);
  }
  // A file of A's preopen is not in B's.
  assert.strictEqual(openFile(a, 3, 'only-in-a', false).errno, 0);
  assert.strictEqual(openFile(b, 3, 'only-in-a', false).errno, 44);
  // fd 4 exists in A only; closing it in A leaves B alone.
  assert.strictEqual(a.wasi.wasiImport.fd_fdstat_get(4, 0), 0);
  assert.strictEqual(b.wasi.wasiImport.fd_fdstat_get(4, 0), 8);
  const created = openFile(b, 3, 'made-by-b', true);
  assert.deepStrictEqual(created, { errno: 0, fd: 4 });
  assert.strictEqual(a.wasi.wasiImport.fd_close(4), 0);
  assert.strictEqual(b.wasi.wasiImport.fd_fdstat_get(4, 0), 0);
  assert.ok(fs.existsSync(path.join(dirB, 'made-by-b')));
  assert.ok(!fs.existsSync(path.join(dirA, 'made-by-b')));
  // Closing a preopen in one instance leaves the other's.
  assert.strictEqual(a.wasi.wasiImport.fd_close(3), 0);
  assert.strictEqual(b.wasi.wasiImport.fd_prestat_get(3, 0), 0);
});

// Under qemu-user (scripts/test-arm64.sh sets WASI_RS_TEST_EMULATOR), every
// WebAssembly.Memory costs its process about 30 MiB of RSS, wasi-rs or not:
// 50 plain memories took 1.6 GiB (measured), and this test's 12,000 got the
// child OOM-killed at 24 GiB. It cannot run there.
// It also counts /proc/self/fd.
const NOT_HERE = (QEMU && 'V8 under qemu-user commits each wasm memory (about 30 MiB each)') || NO_PROC_FD;

test('creating and dropping thousands of instances keeps RSS and open fds flat', { skip: NOT_HERE }, () => {
  const script = `
    const fs = require('fs');
    const { WASI } = require(${JSON.stringify(ROOT)});
    const openFds = () => fs.readdirSync('/proc/self/fd').length;
    const rssMiB = () => process.memoryUsage().rss / 1048576;
    function churn(n) {
      for (let i = 0; i < n; i++) {
        const wasi = new WASI({ version: 'preview1', args: ['a', 'b'], env: { K: 'v' }, preopens: { '/t': '/tmp' } });
        const memory = new WebAssembly.Memory({ initial: 1 });
        wasi.start({ exports: { memory, _start() {} } });
        // Open a file and a directory and leave them open: dropping the instance must close them.
        new Uint8Array(memory.buffer).set(Buffer.from('.'), 100);
        wasi.wasiImport.path_open(3, 0, 100, 1, 2, 0x1fffffffn, 0x1fffffffn, 0, 0);
      }
    }
    const settle = async () => { for (let i = 0; i < 8; i++) { global.gc(); await new Promise((r) => setImmediate(r)); } };
    (async () => {
      churn(2000); await settle();
      const before = { fds: openFds(), rss: rssMiB() };
      for (let round = 0; round < 5; round++) { churn(2000); await settle(); }
      const after = { fds: openFds(), rss: rssMiB() };
      console.log(JSON.stringify({ before, after }));
    })();`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 120_000 * TIME_SCALE });
  assert.strictEqual(r.status, 0, `signal ${r.signal}, error ${r.error?.code}: ${r.stderr}`);
  const { before, after } = JSON.parse(r.stdout);
  // 10,000 instances each held 2 directory fds and a 64 KiB memory.
  assert.ok(after.fds - before.fds < 20, `open fds grew from ${before.fds} to ${after.fds}`);
  assert.ok(after.rss - before.rss < 40, `RSS grew from ${before.rss.toFixed(1)} to ${after.rss.toFixed(1)} MiB`);
});
