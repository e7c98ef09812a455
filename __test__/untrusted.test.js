'use strict';
// Hosting untrusted code: what JS in the same process can do to the
// native side, and the import-argument checks. Each attack runs in a
// child process, so that a crash fails the test instead of the run.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { WASI } = require('..');
const { ROOT, tempDir } = require('./helpers/run');

const EBADF = 8;
const EFAULT = 21;
const EINVAL = 28;

/** Runs `script` in a child Node (with --expose-gc); returns its stdout as JSON. */
function runScript(script) {
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.strictEqual(r.error, undefined, String(r.error));
  assert.strictEqual(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.strictEqual(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Source that takes a fresh set of natives through require.cache (as
 * any JS in the process can), makes a state with stdout on `file`, and
 * defines `write(at, len)`: fd_write of one iovec {at, len} placed at 0,
 * through those natives. */
const hostileNatives = (file) => `
  require(${JSON.stringify(ROOT)});
  const fd = require('fs').openSync(${JSON.stringify(file)}, 'w');
  const key = Object.keys(require.cache).find((k) => k.endsWith('.node'));
  const { frame, create, ...n } = require.cache[key].exports.natives();
  const u32 = new Uint32Array(frame);
  const config = { args: [], env: [], preopens: [], stdio: [0, fd, 2], version: 'preview1', sockets: [], maxFds: 0 };
  const { id, bind } = create(config, (code) => { throw new Error('exit ' + code); });
  function write(at, len) {
    u32[0] = id; u32[2] = 1; u32[4] = 0; u32[6] = 1; u32[8] = 64;
    n.fd_write();
    return u32[1];
  }`;

test('natives taken through require.cache check what they are given: a transferred buffer is never read', () => {
  const file = path.join(tempDir(), 'out.txt');
  {
    const out = runScript(`${hostileNatives(file)}
      const ab = new ArrayBuffer(65536);
      bind(ab);
      // Move the bytes to another buffer: the bound one is now detached.
      const moved = structuredClone(ab, { transfer: [ab] });
      const dv = new DataView(moved);
      dv.setUint32(0, 16, true); dv.setUint32(4, 5, true);
      new Uint8Array(moved).set(Buffer.from('leak!'), 16);
      const errno = write();
      process.stdout.write(JSON.stringify({ errno }));`);
    assert.deepStrictEqual(out, { errno: EFAULT });
    assert.strictEqual(fs.readFileSync(file, 'utf8'), '');
  }
});

test('natives taken through require.cache check what they are given: a resizable buffer shrunk after bind', () => {
  const file = path.join(tempDir(), 'out.txt');
  {
    const out = runScript(`${hostileNatives(file)}
      // The iovec and its bytes lie in the first page, past the new end.
      const fill = (b) => {
        const dv = new DataView(b);
        dv.setUint32(0, 100, true); dv.setUint32(4, 5, true);
        new Uint8Array(b).set(Buffer.from('stale'), 100);
      };
      const rab = new ArrayBuffer(1 << 20, { maxByteLength: 1 << 20 });
      fill(rab);
      bind(rab);
      rab.resize(64);
      const errno = write();
      // The same through a view helper, bound as a shared memory.
      const other = new ArrayBuffer(1 << 20, { maxByteLength: 1 << 20 });
      fill(other);
      bind(other, () => new Uint8Array(other), true);
      other.resize(64);
      const errno2 = write();
      process.stdout.write(JSON.stringify({ errno, errno2 }));`);
    assert.deepStrictEqual(out, { errno: EFAULT, errno2: EFAULT });
  }
});

test('start() re-entered from a getter on instance.exports runs _start once', () => {
  const wasi = new WASI({ version: 'preview1' });
  const memory = new WebAssembly.Memory({ initial: 1 });
  let starts = 0;
  let inner;
  const exports = {
    memory,
    _start() {
      starts++;
    },
  };
  const instance = {
    get exports() {
      if (inner === undefined) {
        inner = null;
        try {
          wasi.start(instance);
        } catch (err) {
          inner = err;
        }
      }
      return exports;
    },
  };
  assert.strictEqual(wasi.start(instance), 0);
  assert.strictEqual(starts, 1);
  assert.strictEqual(inner?.code, 'ERR_WASI_ALREADY_STARTED');
  // A call that fails its checks still changes nothing.
  const other = new WASI({ version: 'preview1' });
  assert.throws(() => other.start({ exports: {} }), { code: 'ERR_INVALID_ARG_TYPE' });
  let ran = 0;
  assert.strictEqual(other.start({ exports: { memory, _start: () => ran++ } }), 0);
  assert.strictEqual(ran, 1);
});

test('import arguments are checked as Node checks them: an i32 must be an integer a wasm i32 can carry', () => {
  const wasi = new WASI({ version: 'preview1' });
  const memory = new WebAssembly.Memory({ initial: 1 });
  wasi.start({ exports: { memory, _start() {} } });
  const imp = wasi.wasiImport;
  for (const bad of [NaN, 1.5, -Infinity, Infinity, 2 ** 32, -(2 ** 31) - 1, '1', null, undefined, {}, 1n]) {
    assert.strictEqual(imp.fd_close(bad), EINVAL, String(bad));
  }
  // valueOf is never called: the check does not run user code.
  assert.strictEqual(imp.fd_close({ valueOf: () => assert.fail('valueOf was called') }), EINVAL);
  // stdin is still open.
  const buf = new DataView(memory.buffer);
  assert.strictEqual(imp.fd_fdstat_get(0, 0), 0);
  // Values a wasm i32 can carry, as a signed or unsigned number, are taken.
  assert.strictEqual(imp.fd_close(-1), EBADF);
  assert.strictEqual(imp.fd_close(2 ** 32 - 1), EBADF);
  assert.strictEqual(imp.fd_close(2 ** 31), EBADF);
  // An i64 must be a BigInt.
  assert.strictEqual(imp.fd_seek(0, 0, 0, 0), EINVAL);
  assert.strictEqual(buf.getUint8(0) <= 7, true);
});
