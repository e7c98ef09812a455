'use strict';
// The call path between the JS import functions (lib/imports.js, generated)
// and the shared native functions: the generated file is current, calls
// stay with their own instance once V8 has optimized them, the memory
// cache follows growth after optimization, an import function alone keeps
// its instance alive, and the private natives refuse an unknown instance.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { WASI } = require('..');
const { ROOT, tempDir } = require('./helpers/run');

const { NO_PROC_FD } = require('./helpers/host');

const PAGE = 65536;

function started(options = {}) {
  const wasi = new WASI({ version: 'preview1', ...options });
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4096 });
  wasi.start({ exports: { memory, _start() {} } });
  return { wasi, memory };
}

test('lib/imports.js is what scripts/gen-imports.js makes from the syscall table', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/gen-imports.js'), '--check'], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
});

test('each import function takes the spec\'s parameters (its length), for both versions', () => {
  // Parameter counts from the WASI preview1 witx, independent of our table.
  const spec = {
    args_get: 2, args_sizes_get: 2, environ_get: 2, environ_sizes_get: 2, clock_res_get: 2, clock_time_get: 3,
    fd_advise: 4, fd_allocate: 3, fd_close: 1, fd_datasync: 1, fd_fdstat_get: 2, fd_fdstat_set_flags: 2,
    fd_fdstat_set_rights: 3, fd_filestat_get: 2, fd_filestat_set_size: 2, fd_filestat_set_times: 4, fd_pread: 5,
    fd_prestat_get: 2, fd_prestat_dir_name: 3, fd_pwrite: 5, fd_read: 4, fd_readdir: 5, fd_renumber: 2, fd_seek: 4,
    fd_sync: 1, fd_tell: 2, fd_write: 4, path_create_directory: 3, path_filestat_get: 5, path_filestat_set_times: 7,
    path_link: 7, path_open: 9, path_readlink: 6, path_remove_directory: 3, path_rename: 6, path_symlink: 5,
    path_unlink_file: 3, poll_oneoff: 4, proc_exit: 1, proc_raise: 1, sched_yield: 0, random_get: 2, sock_accept: 3,
    sock_recv: 6, sock_send: 5, sock_shutdown: 2,
  };
  for (const version of ['preview1', 'unstable']) {
    const { wasiImport } = new WASI({ version });
    for (const [name, f] of Object.entries(wasiImport)) {
      assert.strictEqual(f.length, spec[name], `${version} ${name}`);
      assert.strictEqual(f.name, name);
    }
  }
});

test('interleaved calls on many instances each reach their own instance, before and after V8 optimizes them', () => {
  const instances = Array.from({ length: 5 }, (_, i) => started({ args: Array.from({ length: i + 1 }, () => 'x'.repeat(i)) }));
  for (let round = 0; round < 20000; round++) {
    const k = round % instances.length;
    const { wasi, memory } = instances[k];
    assert.strictEqual(wasi.wasiImport.args_sizes_get(0, 4), 0);
    const view = new DataView(memory.buffer);
    if (view.getUint32(0, true) !== k + 1 || view.getUint32(4, true) !== (k + 1) * (k + 1)) {
      assert.fail(`round ${round}: instance ${k} saw argc ${view.getUint32(0, true)}, size ${view.getUint32(4, true)}`);
    }
  }
});

test('after V8 has optimized the calls, memory grown from JS is seen at once, also at its new addresses', () => {
  const { wasi, memory } = started();
  const { random_get, clock_time_get } = wasi.wasiImport;
  for (let i = 0; i < 50000; i++) assert.strictEqual(clock_time_get(1, 0n, 8), 0);
  assert.strictEqual(random_get(PAGE - 16, 32), 21, 'past the end is EFAULT before growing');
  for (let pages = 1; pages < 40; pages += 3) {
    memory.grow(3);
    const end = (pages + 3) * PAGE;
    assert.strictEqual(clock_time_get(1, 0n, end - 8), 0, `after growing to ${pages + 3} pages`);
    assert.notStrictEqual(new DataView(memory.buffer).getBigUint64(end - 8, true), 0n);
    assert.strictEqual(clock_time_get(1, 0n, end - 7), 21);
  }
});

// Counting open descriptors needs /proc/self/fd, which only Linux has.
test('an import function alone keeps its instance alive; dropping it frees the instance', { skip: NO_PROC_FD }, () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'f'), 'kept alive');
  const script = `
    const { WASI } = require(${JSON.stringify(ROOT)});
    const fs = require('fs');
    const countFds = () => fs.readdirSync('/proc/self/fd').length;
    const before = countFds();
    function setUp() {
      const wasi = new WASI({ version: 'preview1', preopens: { '/d': ${JSON.stringify(dir)} } });
      const memory = new WebAssembly.Memory({ initial: 1 });
      wasi.start({ exports: { memory, _start() {} } });
      const bytes = new Uint8Array(memory.buffer);
      bytes.set(Buffer.from('f'), 100);
      const all = (1n << 29n) - 1n;
      if (wasi.wasiImport.path_open(3, 0, 100, 1, 0, all, all, 0, 0) !== 0) throw new Error('open');
      globalThis.probe = { memory };
      return wasi.wasiImport.fd_read; // only this survives
    }
    let fdRead = setUp();
    // Collect, and let the finalizers (which run from the event loop) run.
    const collect = (then) => { for (let i = 0; i < 5; i++) gc(); setTimeout(() => { gc(); setTimeout(then, 50); }, 10); };
    collect(() => {
      const view = new DataView(probe.memory.buffer);
      view.setUint32(200, 300, true); view.setUint32(204, 10, true); // one iovec: 10 bytes at 300
      const errno = fdRead(4, 200, 1, 0);
      const text = Buffer.from(probe.memory.buffer, 300, 10).toString();
      const alive = countFds() - before;
      fdRead = undefined;
      collect(() => console.log(JSON.stringify({ errno, text, alive, after: countFds() - before })));
    });
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.strictEqual(out.errno, 0);
  assert.strictEqual(out.text, 'kept alive');
  // The preopen, the opened file, and the instance's hold on the three
  // stdio streams (duplicates, see docs/security.md: stdio belongs to the embedder).
  assert.strictEqual(out.alive, 5, 'the preopen, the opened file and the stdio holds are open while fd_read is reachable');
  assert.strictEqual(out.after, 0, 'all are closed once it is collected');
});

test("another set of natives reaches none of wasi-rs's instances, live or not", () => {
  // Live instances, started, whose ids are small numbers in wasi-rs's own
  // registry: a second set of natives (which any JS could take from the
  // addon) has a registry of its own, where none of those ids exists.
  const live = [new WASI({ version: 'preview1' }), new WASI({ version: 'preview1' })];
  const { addon } = require('../lib/native');
  const { frame, fd_close, clock_time_get } = addon.natives();
  const u32 = new Uint32Array(frame);
  for (const id of [0, 1, 2, 3, 1 << 20, (1 << 20) | 1, 0x7fffffff, 12345, 0xfffff]) {
    u32[0] = id;
    assert.throws(() => fd_close(), { code: 'ERR_WASI_INTERNAL' });
    assert.throws(() => clock_time_get(), { code: 'ERR_WASI_INTERNAL' });
  }
  assert.strictEqual(live.length, 2);
});
