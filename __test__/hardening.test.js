'use strict';
// What a guest must not be able to do to its embedder: change the
// embedder's stdio, take unbounded host memory or fds, report a wrapped
// count, or block the thread (or its teardown) on a FIFO or a long sleep.
// Each test drives the imports from JS or runs a program, mostly in a
// child process so that a hang or crash fails the test instead of the run.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawn, spawnSync, execFileSync } = require('child_process');
const { WASI } = require('..');
const { ROOT, CLI = path.join(ROOT, 'bin', 'wasi-rs.js'), program, tempDir } = require('./helpers/run');
const { WINDOWS, WINE } = require('./helpers/host');

const EAGAIN = 6;
const EMFILE = 33;
const ENOTSOCK = 57;
const ENOTSUP = 58;
const ENXIO = 60;
const NONBLOCK = 4;

function node(script, options = {}) {
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 30_000, ...options });
  assert.strictEqual(r.error, undefined, String(r.error));
  assert.strictEqual(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.strictEqual(r.status, 0, r.stderr);
  return r;
}

/** Source that makes `wasi` (with `options`) and starts it on a 2-page memory `mem`. */
const started = (options) => `
  const { WASI } = require(${JSON.stringify(ROOT)});
  const wasi = new WASI({ version: 'preview1', ...${options} });
  const memory = new WebAssembly.Memory({ initial: 2 });
  wasi.start({ exports: { memory, _start() {} } });
  const mem = new DataView(memory.buffer);
  const put = (at, s) => new Uint8Array(memory.buffer).set(Buffer.from(s), at);
  const imp = wasi.wasiImport;`;

test('sock_shutdown on a socket stdout is refused, and the embedder keeps writing', () => {
  // spawnSync's pipes are socketpairs (libuv) on Unix: this child's stdout
  // is a socket. On Windows they are named pipes, no sockets: ENOTSOCK.
  const r = node(`${started('{}')}
    const errno = imp.sock_shutdown(1, 3);
    process.stdout.write('errno=' + errno + ' still writing');`);
  assert.strictEqual(r.stdout, `errno=${WINDOWS ? ENOTSOCK : ENOTSUP} still writing`);
});

test('NONBLOCK on stdin is honoured for the guest alone: EAGAIN with no data, never a block', async () => {
  const script = `${started('{}')}
    const t0 = Date.now();
    const set = imp.fd_fdstat_set_flags(0, ${NONBLOCK});
    mem.setUint32(0, 100, true); mem.setUint32(4, 16, true);
    const first = imp.fd_read(0, 0, 1, 8);
    process.stdout.write(JSON.stringify({ set, first, ms: Date.now() - t0 }) + '\\n');
    // Once the parent writes, the same call reads it.
    const poll = () => {
      const e = imp.fd_read(0, 0, 1, 8);
      if (e === ${EAGAIN}) return setTimeout(poll, 10);
      process.stdout.write(JSON.stringify({ e, got: Buffer.from(memory.buffer, 100, mem.getUint32(8, true)).toString() }) + '\\n');
    };
    poll();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    if (out.split('\n').length === 2) child.stdin.write('late');
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.strictEqual(code, 0);
  const [first, second] = out.trim().split('\n').map((l) => JSON.parse(l));
  assert.strictEqual(first.set, 0);
  assert.strictEqual(first.first, EAGAIN);
  assert.ok(first.ms < 2000, `took ${first.ms} ms`);
  assert.deepStrictEqual(second, { e: 0, got: 'late' });
});

test("the guest's stdio stays what it was at construction when the fd number is reused", () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a'), 'first file');
  fs.writeFileSync(path.join(dir, 'b'), 'second one');
  const fd = fs.openSync(path.join(dir, 'a'), 'r');
  const wasi = new WASI({ version: 'preview1', stdin: fd });
  fs.closeSync(fd);
  const reused = fs.openSync(path.join(dir, 'b'), 'r');
  assert.strictEqual(reused, fd, 'the number was reused');
  const memory = new WebAssembly.Memory({ initial: 1 });
  wasi.start({ exports: { memory, _start() {} } });
  const view = new DataView(memory.buffer);
  view.setUint32(0, 100, true);
  view.setUint32(4, 10, true);
  assert.strictEqual(wasi.wasiImport.fd_read(0, 0, 1, 8), 0);
  assert.strictEqual(Buffer.from(memory.buffer, 100, view.getUint32(8, true)).toString(), 'first file');
  fs.closeSync(reused);
});

/** Source that opens `dir/f` read-only through path_open until it fails. */
const openUntilFull = `
  put(200, 'f');
  let opened = 0, errno = 0;
  for (;;) {
    errno = imp.path_open(3, 0, 200, 1, 0, 0x1fffffffn, 0n, 0, 300);
    if (errno !== 0) break;
    opened++;
  }`;

test('maxFds bounds what one instance holds', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'f'), 'x');
  const r = node(`${started(`{ preopens: { '/d': ${JSON.stringify(dir)} }, maxFds: 10 }`)}${openUntilFull}
    process.stdout.write(JSON.stringify({ opened, errno }));`);
  // 10 descriptors: 3 stdio, 1 preopen, 6 files.
  assert.deepStrictEqual(JSON.parse(r.stdout), { opened: 6, errno: EMFILE });
  assert.throws(() => new WASI({ version: 'preview1', maxFds: 2 }), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => new WASI({ version: 'preview1', maxFds: 3, preopens: { '/d': dir } }), { code: 'ERR_OUT_OF_RANGE' });
});

test('a guest cannot take the last host fds of the process', { skip: WINDOWS && 'Windows has no RLIMIT_NOFILE: handles are bounded by memory, and maxFds bounds each instance' }, () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'f'), 'x');
  const script = `${started(`{ preopens: { '/d': ${JSON.stringify(dir)} } }`)}${openUntilFull}
    // The embedder can still open files.
    const mine = [];
    for (let i = 0; i < 40; i++) mine.push(require('fs').openSync(${JSON.stringify(path.join(dir, 'f'))}, 'r'));
    process.stdout.write(JSON.stringify({ opened, errno, mine: mine.length }));`;
  const r = spawnSync('sh', ['-c', `ulimit -n 512 && exec "${process.execPath}" -e "$0"`, script], { encoding: 'utf8', timeout: 30_000 });
  assert.strictEqual(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.strictEqual(out.errno, EMFILE);
  assert.strictEqual(out.mine, 40);
  // 512 - 64 reserved, less what the process already had open.
  assert.ok(out.opened > 300 && out.opened < 448, `opened ${out.opened}`);
});

// Under Wine, making the 20,000 files takes minutes, and Wine itself keeps
// a whole directory listing per open handle (about 2.7 MiB each here;
// Windows' FindNextFile holds one batch).
test('fd_readdir holds a bounded amount of memory per open directory', { skip: WINE && 'Wine keeps a whole listing per directory handle, and making 20,000 files takes minutes there' }, () => {
  const dir = tempDir();
  const big = path.join(dir, 'big');
  fs.mkdirSync(big);
  for (let i = 0; i < 20000; i++) fs.writeFileSync(path.join(big, `entry-with-a-longish-name-${i}`), '');
  const r = node(`${started(`{ preopens: { '/d': ${JSON.stringify(dir)} } }`)}
    put(200, 'big');
    gc();
    const before = process.memoryUsage().rss;
    const fds = [];
    for (let i = 0; i < 128; i++) {
      if (imp.path_open(3, 0, 200, 3, 2, 0x4000n, 0n, 0, 300) !== 0) throw new Error('open');
      fds.push(mem.getUint32(300, true));
    }
    // Read the first 4 KiB of each listing, then page all the way through one.
    for (const fd of fds) if (imp.fd_readdir(fd, 1024, 4096, 0n, 400) !== 0) throw new Error('readdir');
    let cookie = 0n, names = 0;
    for (;;) {
      if (imp.fd_readdir(fds[0], 1024, 4096, cookie, 400) !== 0) throw new Error('readdir');
      const used = mem.getUint32(400, true);
      let at = 0;
      while (at + 24 <= used) {
        const len = mem.getUint32(1024 + at + 16, true);
        if (at + 24 + len > used) break;
        cookie = mem.getBigUint64(1024 + at, true);
        names++;
        at += 24 + len;
      }
      if (used < 4096) break;
    }
    const grew = (process.memoryUsage().rss - before) / 1048576;
    process.stdout.write(JSON.stringify({ names, grew }));`);
  const { names, grew } = JSON.parse(r.stdout);
  assert.strictEqual(names, 20002, 'every entry once, with . and ..');
  // A full listing cached per fd took 4.7 MiB each here (606 MiB for 128).
  assert.ok(grew < 48, `RSS grew by ${grew.toFixed(1)} MiB`);
});

test('fd_write of more than 4 GiB in one call reports a true count that fits in u32', () => {
  const r = node(`
    const { WASI } = require(${JSON.stringify(ROOT)});
    const fd = require('fs').openSync(require('os').devNull, 'w');
    const wasi = new WASI({ version: 'preview1', stdout: fd });
    const memory = new WebAssembly.Memory({ initial: 80 });
    wasi.start({ exports: { memory, _start() {} } });
    const mem = new DataView(memory.buffer);
    // 1024 iovecs over the same 4 MiB + 1 bytes: 4 GiB + 1 KiB in all.
    for (let i = 0; i < 1024; i++) { mem.setUint32(i * 8, 65536, true); mem.setUint32(i * 8 + 4, (4 << 20) + 1, true); }
    const errno = wasi.wasiImport.fd_write(1, 0, 1024, 8192);
    process.stdout.write(JSON.stringify({ errno, n: mem.getUint32(8192, true) }));`);
  assert.deepStrictEqual(JSON.parse(r.stdout), { errno: 0, n: 0xffffffff });
});

test('a FIFO with no peer blocks neither path_open nor path_filestat_set_times', { skip: WINDOWS && 'Windows has no FIFOs in a file system (its named pipes live under \\\\.\\pipe, which the sandbox refuses)' }, () => {
  const dir = tempDir();
  execFileSync('mkfifo', [path.join(dir, 'p')]);
  const r = node(`${started(`{ preopens: { '/d': ${JSON.stringify(dir)} } }`)}
    put(200, 'p');
    const t0 = Date.now();
    const read = imp.path_open(3, 0, 200, 1, 0, 0x1fffffffn, 0n, 0, 300);
    imp.fd_close(mem.getUint32(300, true)); // no reader left
    const write = imp.path_open(3, 0, 200, 1, 0, 0x40n, 0n, 0, 300);
    const times = imp.path_filestat_set_times(3, 1, 200, 1, 0n, 0n, 10);
    process.stdout.write(JSON.stringify({ read, write, times, slow: Date.now() - t0 > 5000 }));`, { timeout: 20_000 });
  // Read-only opens at once; write-only with no reader is ENXIO, as a
  // non-blocking open says; the times are set through a read-only open.
  assert.deepStrictEqual(JSON.parse(r.stdout), { read: 0, write: ENXIO, times: 0, slow: false });
});

/** A worker that sleeps 20 s in poll_oneoff, reporting when it starts. */
const sleeper = `
  const { parentPort } = require('worker_threads');
  const { WASI } = require(${JSON.stringify(ROOT)});
  const wasi = new WASI({ version: 'preview1' });
  const memory = new WebAssembly.Memory({ initial: 1 });
  wasi.start({ exports: { memory, _start() {} } });
  const mem = new DataView(memory.buffer);
  mem.setUint8(8, 0); mem.setUint32(16, 1, true); mem.setBigUint64(24, 20_000_000_000n, true);
  parentPort.postMessage('sleeping');
  wasi.wasiImport.poll_oneoff(0, 100, 1, 200);`;

test('worker.terminate() and process.exit() do not wait for a guest sleeping in poll_oneoff', async () => {
  const { Worker } = require('worker_threads');
  const worker = new Worker(sleeper, { eval: true });
  await new Promise((resolve) => worker.once('message', resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const t0 = Date.now();
  await worker.terminate();
  const ms = Date.now() - t0;
  assert.ok(ms < 2000, `terminate() took ${ms} ms`);

  const t1 = Date.now();
  const script = `
    const { Worker } = require('worker_threads');
    const w = new Worker(${JSON.stringify(sleeper)}, { eval: true });
    w.once('message', () => setTimeout(() => process.exit(3), 100));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 15_000 });
  assert.strictEqual(r.status, 3, r.stderr);
  assert.ok(Date.now() - t1 < 5000, `process.exit took ${Date.now() - t1} ms`);
});

test('polling a socketpair stdin whose parent ended it gives a readable hangup event, then EOF', async () => {
  const child = spawn(process.execPath, [CLI, program('poll'), 'stdin', '10000'], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end();
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const t0 = Date.now();
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.strictEqual(code, 0, out);
  assert.ok(Date.now() - t0 < 8000, 'the poll returned before its 10 s timeout');
  assert.match(out, /event ud=1 type=1 error=0 nbytes=0 hangup=1/);
  assert.match(out, /read errno=0 data=\n/);
});
