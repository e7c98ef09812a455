'use strict';
// Hosting untrusted code: what JS in the same process can do to the
// native side, and the import-argument checks. Each attack runs in a
// child process, so that a crash fails the test instead of the run.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { WASI } = require('..');
const { ROOT, CLI, program, tempDir } = require('./helpers/run');
const { WINDOWS } = require('./helpers/host');

const EBADF = 8;
const EFAULT = 21;
const EINVAL = 28;
const ENOTSUP = 58;

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

/** Starts a loopback server and resolves with it, a connected client and
 * the server's side of that connection. */
async function connectedPair() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise((resolve) => server.once('connection', resolve));
  const client = net.connect(server.address().port, '127.0.0.1');
  client.on('error', () => {});
  return { server, client, conn: await accepted };
}

/** Opens files until one gets the fd number `fd` (the lowest free one
 * usually at once); closes the others. Returns that fd, or undefined. */
function openAt(file, fd) {
  const extra = [];
  let got;
  for (let i = 0; i < 64 && got === undefined; i++) {
    const n = fs.openSync(file, 'r');
    if (n === fd) got = n;
    else extra.push(n);
  }
  for (const n of extra) fs.closeSync(n);
  return got;
}

test('a lent socket is held by a duplicate: once the embedder closes it and the number is reused, the guest never reads the new file', { skip: WINDOWS && 'Windows Node gives JS no socket descriptor to lend' }, async () => {
  const { server, client, conn } = await connectedPair();
  const fd = conn._handle.fd;
  const wasi = new WASI({ version: 'preview1', sockets: [{ fd }] });
  const memory = new WebAssembly.Memory({ initial: 1 });
  wasi.start({ exports: { memory, _start() {} } });
  // The embedder is done with the connection; another tenant's file gets its number.
  await new Promise((r) => conn.destroy().once('close', r));
  const secret = path.join(tempDir(), 'secret.txt');
  fs.writeFileSync(secret, 'another tenant');
  const reused = openAt(secret, fd);
  assert.strictEqual(reused, fd, 'the fd number was reused');
  try {
    client.write('from the peer');
    const dv = new DataView(memory.buffer);
    dv.setUint32(0, 64, true);
    dv.setUint32(4, 32, true);
    assert.strictEqual(wasi.wasiImport.fd_read(3, 0, 1, 8), 0);
    const text = Buffer.from(memory.buffer, 64, dv.getUint32(8, true)).toString();
    assert.strictEqual(text, 'from the peer');
  } finally {
    fs.closeSync(reused);
    client.destroy();
    server.close();
  }
});

test('sock_shutdown on a lent listener is refused, and the embedder keeps accepting', { skip: WINDOWS && 'Windows Node gives JS no socket descriptor to lend' }, async () => {
  const server = net.createServer((s) => s.end('hi'));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const wasi = new WASI({ version: 'preview1', sockets: [{ fd: server._handle.fd }] });
  wasi.start({ exports: { memory: new WebAssembly.Memory({ initial: 1 }), _start() {} } });
  for (const how of [1, 2, 3]) assert.strictEqual(wasi.wasiImport.sock_shutdown(3, how), ENOTSUP);
  const reply = await new Promise((resolve, reject) => {
    const c = net.connect(server.address().port, '127.0.0.1');
    // A listener shut down accepts nobody: give up rather than hang.
    c.setTimeout(10_000, () => c.destroy(new Error('the embedder no longer accepts')));
    let text = '';
    c.on('data', (d) => (text += d)).on('end', () => resolve(text)).on('error', reject);
  });
  assert.strictEqual(reply, 'hi');
  server.close();
});

const ENOTCAPABLE = 76;
const CHARACTER_DEVICE = 2;
const RIGHT_FD_SEEK = 1n << 2n;
const RIGHT_FD_TELL = 1n << 5n;

test('stdio on a regular file gets stream rights only: the guest cannot rewrite, truncate, allocate on or touch the log', () => {
  const dir = tempDir();
  const log = path.join(dir, 'app.log');
  fs.writeFileSync(log, 'the embedder wrote this\n');
  const fd = fs.openSync(log, 'a');
  try {
    const wasi = new WASI({ version: 'preview1', stdout: fd });
    const memory = new WebAssembly.Memory({ initial: 1 });
    wasi.start({ exports: { memory, _start() {} } });
    const imp = wasi.wasiImport;
    const dv = new DataView(memory.buffer);
    new Uint8Array(memory.buffer).set(Buffer.from('XXXX'), 100);
    dv.setUint32(0, 100, true);
    dv.setUint32(4, 4, true);
    assert.strictEqual(imp.fd_pwrite(1, 0, 1, 0n, 8), ENOTCAPABLE, 'fd_pwrite');
    assert.strictEqual(imp.fd_filestat_set_size(1, 0n), ENOTCAPABLE, 'fd_filestat_set_size');
    assert.strictEqual(imp.fd_allocate(1, 0n, 1n << 20n), ENOTCAPABLE, 'fd_allocate');
    assert.strictEqual(imp.fd_filestat_set_times(1, 0n, 0n, 2), ENOTCAPABLE, 'fd_filestat_set_times');
    assert.strictEqual(imp.fd_seek(1, 0n, 0, 16), ENOTCAPABLE, 'fd_seek');
    // Rights cannot be asked back.
    assert.strictEqual(imp.fd_fdstat_set_rights(1, (1n << 30n) - 1n, 0n), ENOTCAPABLE);
    // Writing at the end still works.
    assert.strictEqual(imp.fd_write(1, 0, 1, 8), 0);
    assert.strictEqual(fs.readFileSync(log, 'utf8'), 'the embedder wrote this\nXXXX');
    assert.strictEqual(fs.statSync(log).size, 28);
  } finally {
    fs.closeSync(fd);
  }
});

test('a character device that is not a terminal does not look like one (isatty is false for < /dev/null)', () => {
  const devNull = fs.openSync(WINDOWS ? '\\\\.\\NUL' : '/dev/null', 'r');
  try {
    const wasi = new WASI({ version: 'preview1', stdin: devNull });
    const memory = new WebAssembly.Memory({ initial: 1 });
    wasi.start({ exports: { memory, _start() {} } });
    assert.strictEqual(wasi.wasiImport.fd_fdstat_get(0, 0), 0);
    const dv = new DataView(memory.buffer);
    assert.strictEqual(dv.getUint8(0), CHARACTER_DEVICE);
    const rights = dv.getBigUint64(8, true);
    assert.ok(rights & (RIGHT_FD_SEEK | RIGHT_FD_TELL), 'wasi-libc takes a character device without seek or tell rights for a terminal');
    assert.strictEqual(rights & RIGHT_FD_SEEK, 0n, 'stdio is never seekable');
  } finally {
    fs.closeSync(devNull);
  }
  const r = spawnSync(process.execPath, [CLI, program('isatty')], { stdio: [fs.openSync(os.devNull, 'r'), 'pipe', 'pipe'], encoding: 'utf8' });
  assert.strictEqual(r.stdout, 'isatty 0 0 0\n', r.stderr);
});

test('a real terminal is a terminal to the guest', { skip: WINDOWS && 'Windows has no pty here' }, () => {
  const r = spawnSync('python3', [path.join(__dirname, 'helpers', 'pty_run.py'), '-1', '', process.execPath, CLI, program('isatty')], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /isatty 1 1 1/);
});

const EMFILE = 33;

test('an open listing costs a host fd, and counts against maxFds like any descriptor', () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'f'), 'x');
  // stdio (3) + the preopen (1) + one directory the guest opens = 5 of 6.
  const wasi = new WASI({ version: 'preview1', preopens: { '/': dir }, maxFds: 6 });
  const memory = new WebAssembly.Memory({ initial: 1 });
  wasi.start({ exports: { memory, _start() {} } });
  const imp = wasi.wasiImport;
  const dv = new DataView(memory.buffer);
  const put = (s) => new Uint8Array(memory.buffer).set(Buffer.from(s), 1000);
  const open = (name, oflags = 0) => {
    put(name);
    const rights = oflags === 2 ? (1n << 14n) | (1n << 13n) : 1n << 1n; // fd_readdir | path_open, or fd_read
    const errno = imp.path_open(3, 0, 1000, name.length, oflags, rights, 0n, 0, 0);
    return errno === 0 ? { errno, fd: dv.getUint32(0, true) } : { errno };
  };
  const sub = open('sub', 2);
  assert.deepStrictEqual(sub, { errno: 0, fd: 4 });
  // Listing it opens its stream: the sixth host fd.
  assert.strictEqual(imp.fd_readdir(4, 2000, 4096, 0n, 8), 0);
  assert.deepStrictEqual(open('f'), { errno: EMFILE }, 'the listing counts');
  assert.strictEqual(imp.fd_readdir(3, 2000, 4096, 0n, 8), EMFILE, 'a second listing would be a seventh host fd');
  // Closing the directory releases its listing too.
  assert.strictEqual(imp.fd_close(4), 0);
  assert.strictEqual(open('f').errno, 0);
});

test('stdio on one file is held once for any number of instances', { skip: process.platform !== 'linux' && 'counts /proc/self/fd' }, () => {
  const log = path.join(tempDir(), 'out.log');
  const fd = fs.openSync(log, 'a');
  const count = () => fs.readdirSync('/proc/self/fd').length;
  try {
    const before = count();
    const objects = [];
    for (let i = 0; i < 20; i++) objects.push(new WASI({ version: 'preview1', stdin: fd, stdout: fd, stderr: fd }));
    assert.strictEqual(count() - before, 1, 'one duplicate of the file, shared');
    // Opened again at the same number, it is another open file: held anew.
    fs.closeSync(fd);
    assert.strictEqual(fs.openSync(log, 'a'), fd);
    objects.push(new WASI({ version: 'preview1', stdout: fd }));
    assert.strictEqual(count() - before, 2);
  } finally {
    fs.closeSync(fd);
  }
});

test('out of host fds, a new instance is refused with a clear error instead of a closed stdout', { skip: WINDOWS && 'Windows has no RLIMIT_NOFILE' }, () => {
  const script = `
    const fs = require('fs');
    const { WASI } = require(${JSON.stringify(ROOT)});
    const log = require('path').join(require('os').tmpdir(), 'wasi-rs-emfile-' + process.pid);
    const out = fs.openSync(log, 'w');
    const held = [];
    try { for (;;) held.push(fs.openSync(__filename === '[eval]' ? process.execPath : __filename, 'r')); } catch (err) { if (err.code !== 'EMFILE') throw err; }
    let result;
    try {
      new WASI({ version: 'preview1', stdout: out });
      result = { code: 'none' };
    } catch (err) {
      result = { code: err.code, message: err.message };
    }
    for (const fd of held) fs.closeSync(fd);
    fs.closeSync(out); fs.unlinkSync(log);
    process.stdout.write(JSON.stringify(result));`;
  const r = spawnSync('bash', ['-c', `ulimit -n 128 && exec "${process.execPath}" -e "$0"`, script], { encoding: 'utf8', timeout: 60_000 });
  assert.strictEqual(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.strictEqual(result.code, 'ERR_WASI_HOST_LIMIT');
  assert.match(result.message, /cannot hold std(in|out|err) for the guest: .*(too many open files|os error 24)/i);
});

/** Runs, in a child process, a worker that makes a WASI call which blocks
 * (`workerBody`, given `fifo`, a path to a FIFO the main thread made, and
 * `flag`, an Int32Array the main thread sets to 1 once it has opened the
 * FIFO's other end as `mainOpens` says), then terminates the worker.
 * Returns the child's output: 'terminated' if terminate() ended. */
function terminateBlocked(workerBody, mainOpens) {
  const dir = tempDir();
  const fifo = path.join(dir, 'fifo');
  const script = `
    const { Worker } = require('worker_threads');
    const fs = require('fs');
    const fifo = ${JSON.stringify(fifo)};
    require('child_process').execFileSync('mkfifo', [fifo]);
    const shared = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(${JSON.stringify(`
      const { workerData: { fifo, shared } } = require('worker_threads');
      const { WASI } = require(${JSON.stringify(ROOT)});
      const fs = require('fs');
      const flag = new Int32Array(shared);
      ${workerBody}`)}, { eval: true, workerData: { fifo, shared: shared.buffer } });
    worker.on('message', (m) => {
      if (m === 'open the other end') {
        ${mainOpens}
        Atomics.store(shared, 0, 1); Atomics.notify(shared, 0);
      } else if (m === 'blocking') {
        setTimeout(() => worker.terminate().then(() => { process.stdout.write('terminated'); process.exit(0); }), 300);
      }
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.strictEqual(r.error, undefined, `the worker was not terminated: ${r.error}`);
  assert.strictEqual(r.status, 0, r.stderr);
  return r.stdout;
}

const NO_FIFO = WINDOWS && 'Windows has no FIFOs in a file system';

test('worker.terminate() ends a guest blocked in fd_write to a full FIFO (a host fd in blocking mode)', { skip: NO_FIFO }, () => {
  const out = terminateBlocked(`
    // The main thread holds the read end and never reads.
    require('worker_threads').parentPort.postMessage('open the other end');
    Atomics.wait(flag, 0, 0);
    const fd = fs.openSync(fifo, 'w');
    const wasi = new WASI({ version: 'preview1', stdout: fd });
    const memory = new WebAssembly.Memory({ initial: 2 });
    wasi.start({ exports: { memory, _start() {} } });
    const dv = new DataView(memory.buffer);
    dv.setUint32(0, 64, true); dv.setUint32(4, 65536, true);
    require('worker_threads').parentPort.postMessage('blocking');
    for (;;) wasi.wasiImport.fd_write(1, 0, 1, 8);`, 'globalThis.reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);');
  assert.strictEqual(out, 'terminated');
});

test('worker.terminate() ends a guest blocked in fd_read on an empty FIFO it opened by path', { skip: NO_FIFO }, () => {
  const out = terminateBlocked(`
    const wasi = new WASI({ version: 'preview1', preopens: { '/': require('path').dirname(fifo) } });
    const memory = new WebAssembly.Memory({ initial: 1 });
    wasi.start({ exports: { memory, _start() {} } });
    new Uint8Array(memory.buffer).set(Buffer.from('fifo'), 100);
    // Opened for reading without a writer (path_open never blocks), then
    // the main thread opens the write end and writes nothing.
    const errno = wasi.wasiImport.path_open(3, 0, 100, 4, 0, 2n, 0n, 0, 0);
    if (errno !== 0) throw new Error('path_open: ' + errno);
    require('worker_threads').parentPort.postMessage('open the other end');
    Atomics.wait(flag, 0, 0);
    const dv = new DataView(memory.buffer);
    dv.setUint32(200, 1024, true); dv.setUint32(204, 64, true);
    require('worker_threads').parentPort.postMessage('blocking');
    wasi.wasiImport.fd_read(4, 200, 1, 208);`, 'globalThis.writer = fs.openSync(fifo, "w");');
  assert.strictEqual(out, 'terminated');
});

test('worker.terminate() ends a guest blocked in fd_write to a full socket that nobody reads', { skip: WINDOWS && 'Windows Node gives JS no socket descriptors' }, () => {
  const out = terminateBlocked(`
    const net = require('net');
    const server = net.createServer(() => {}).listen(0, '127.0.0.1', () => {
      const client = net.connect(server.address().port, '127.0.0.1', () => {
        const wasi = new WASI({ version: 'preview1', stdout: client._handle.fd });
        const memory = new WebAssembly.Memory({ initial: 2 });
        wasi.start({ exports: { memory, _start() {} } });
        const dv = new DataView(memory.buffer);
        dv.setUint32(0, 64, true); dv.setUint32(4, 65536, true);
        require('worker_threads').parentPort.postMessage('blocking');
        for (;;) wasi.wasiImport.fd_write(1, 0, 1, 8);
      });
    });`, '');
  assert.strictEqual(out, 'terminated');
});

test('an exit status the OS cannot carry never looks like success: 126 and up exit 1, as under wasmtime', () => {
  for (const [args, status] of [[['raw', '125'], 125], [['raw', '256'], 1], [['raw', '126'], 1], [['255'], 1], [['raw', '4294967295'], 1], [['7'], 7]]) {
    const r = spawnSync(process.execPath, [CLI, program('exit_code'), ...args], { encoding: 'utf8' });
    assert.strictEqual(r.status, status, `CLI, exit_code ${args.join(' ')}: ${r.stderr}`);
    if (status === 1) assert.match(r.stderr, /outside the range a WASI program may use \(0-125\)/);
  }
  const script = (code) => `
    const fs = require('fs');
    const { WASI } = require(${JSON.stringify(ROOT)});
    const wasi = new WASI({ version: 'preview1', args: ['p', 'raw', '${code}'], returnOnExit: false });
    const m = new WebAssembly.Module(fs.readFileSync(${JSON.stringify(program('exit_code'))}));
    wasi.start(new WebAssembly.Instance(m, wasi.getImportObject()));`;
  assert.strictEqual(spawnSync(process.execPath, ['-e', script(256)]).status, 1, 'returnOnExit: false, 256');
  assert.strictEqual(spawnSync(process.execPath, ['-e', script(100)]).status, 100, 'returnOnExit: false, 100');
  // start() with returnOnExit (the default) returns the status as it is: JS can carry it.
  const wasi = new WASI({ version: 'preview1', args: ['p', 'raw', '256'], stdout: fs.openSync(os.devNull, 'w') });
  const m = new WebAssembly.Module(fs.readFileSync(program('exit_code')));
  assert.strictEqual(wasi.start(new WebAssembly.Instance(m, wasi.getImportObject())), 256);
});

test('a guest that exhausts its stack traps: 134 from the CLI, ERR_WASI_TRAP from run()', async () => {
  const r = spawnSync(process.execPath, [CLI, program('stack_overflow')], { encoding: 'utf8' });
  assert.strictEqual(r.status, 134, r.stderr);
  assert.match(r.stderr, /trapped: Maximum call stack size exceeded/);
  const wasi = new WASI({ version: 'preview1' });
  await assert.rejects(wasi.run(fs.readFileSync(program('stack_overflow'))), { code: 'ERR_WASI_TRAP', message: /Maximum call stack size exceeded/ });
});

test('a new fd never takes a number 0-2 the guest vacated, as in wasmtime', () => {
  const dir = tempDir();
  const wasi = new WASI({ version: 'preview1', preopens: { '/': dir } });
  const memory = new WebAssembly.Memory({ initial: 1 });
  wasi.start({ exports: { memory, _start() {} } });
  const imp = wasi.wasiImport;
  const dv = new DataView(memory.buffer);
  const open = (name) => {
    new Uint8Array(memory.buffer).set(Buffer.from(name), 1000);
    assert.strictEqual(imp.path_open(3, 0, 1000, name.length, 1 /* creat */, 1n << 6n /* fd_write */, 0n, 0, 0), 0);
    return dv.getUint32(0, true);
  };
  // The tool moves its stdout away (here onto a file it opened) and closes stdin.
  const first = open('a.txt');
  assert.strictEqual(first, 4);
  assert.strictEqual(imp.fd_renumber(1, first), 0);
  assert.strictEqual(imp.fd_close(0), 0);
  // Its next files do not become stdin or "stdout".
  assert.strictEqual(open('b.txt'), 5);
  assert.strictEqual(open('c.txt'), 6);
  assert.strictEqual(imp.fd_fdstat_get(1, 0), 8 /* EBADF */);
});

const EPERM = 63;
const EEXIST = 20;

/** A started instance with `preopens` and the helpers to drive its path
 * calls from JS: `p(s)` puts a path in memory and returns [ptr, len]. */
function driver(options) {
  const wasi = new WASI({ version: 'preview1', ...options });
  const memory = new WebAssembly.Memory({ initial: 1 });
  wasi.start({ exports: { memory, _start() {} } });
  let at = 4096;
  const p = (s) => {
    const b = Buffer.from(s);
    new Uint8Array(memory.buffer).set(b, at);
    const r = [at, b.length];
    at += b.length + 8;
    return r;
  };
  const dv = () => new DataView(memory.buffer);
  const imp = wasi.wasiImport;
  /** path_open; returns { errno, fd }. */
  const open = (dirFd, path, { oflags = 0, rights = 0n, fdflags = 0 } = {}) => {
    const errno = imp.path_open(dirFd, 0, ...p(path), oflags, rights, 0n, fdflags, 0);
    return errno === 0 ? { errno, fd: dv().getUint32(0, true) } : { errno };
  };
  /** fd_read of up to 64 bytes; returns { errno, text }. */
  const read = (fd) => {
    dv().setUint32(100, 200, true);
    dv().setUint32(104, 64, true);
    const errno = imp.fd_read(fd, 100, 1, 108);
    return { errno, text: errno === 0 ? Buffer.from(memory.buffer, 200, dv().getUint32(108, true)).toString() : undefined };
  };
  return { imp, p, open, read, dv };
}

const RIGHT_FD_READ = 1n << 1n;
const RIGHT_FD_WRITE = 1n << 6n;

test('a read-only preopen can be read but not changed, whatever rights are asked for (EPERM)', () => {
  const ro = tempDir();
  const rw = tempDir();
  fs.writeFileSync(path.join(ro, 'test.txt'), 'read only\n');
  fs.mkdirSync(path.join(ro, 'sub'));
  fs.writeFileSync(path.join(ro, 'sub', 'deep.txt'), 'deep\n');
  const { imp, p, open, read } = driver({ preopens: { '/ro': { path: ro, readOnly: true }, '/rw': rw } });
  const ALL = (1n << 30n) - 1n;
  // Reading works, at any depth.
  const f = open(3, 'test.txt', { rights: RIGHT_FD_READ });
  assert.deepStrictEqual(read(f.fd), { errno: 0, text: 'read only\n' });
  const sub = open(3, 'sub', { oflags: 2 });
  assert.strictEqual(sub.errno, 0);
  assert.deepStrictEqual(read(open(sub.fd, 'deep.txt').fd), { errno: 0, text: 'deep\n' });
  // Nothing changes the tree, at the top or beneath.
  for (const dir of [3, sub.fd]) {
    const name = dir === 3 ? 'test.txt' : 'deep.txt';
    assert.strictEqual(open(dir, name, { rights: ALL }).errno, EPERM, 'open for writing');
    assert.strictEqual(open(dir, name, { rights: RIGHT_FD_READ, fdflags: 1 }).errno, EPERM, 'open for appending');
    assert.strictEqual(open(dir, name, { oflags: 8, rights: RIGHT_FD_READ }).errno, EPERM, 'truncate');
    assert.strictEqual(open(dir, 'new.txt', { oflags: 1, rights: RIGHT_FD_READ }).errno, EPERM, 'create');
    assert.strictEqual(open(dir, name, { oflags: 1 | 4 }).errno, EEXIST, 'create exclusive of an existing file');
    assert.strictEqual(open(dir, name, { oflags: 1 }).errno, 0, 'create of an existing file only opens it');
    assert.strictEqual(imp.path_create_directory(dir, ...p('newdir')), EPERM, 'mkdir');
    assert.strictEqual(imp.path_unlink_file(dir, ...p(name)), EPERM, 'unlink');
    assert.strictEqual(imp.path_filestat_set_times(dir, 0, ...p(name), 0n, 0n, 2 | 8), EPERM, 'set times by path');
    assert.strictEqual(imp.path_symlink(...p(name), dir, ...p('link')), EPERM, 'symlink');
    assert.strictEqual(imp.path_rename(dir, ...p(name), dir, ...p('moved.txt')), EPERM, 'rename within');
    assert.strictEqual(imp.path_link(dir, 0, ...p(name), dir, ...p('alias.txt')), EPERM, 'link within');
  }
  assert.strictEqual(imp.path_remove_directory(3, ...p('sub')), EPERM, 'rmdir');
  const file = open(3, 'test.txt').fd;
  assert.strictEqual(imp.fd_filestat_set_size(file, 0n), EPERM, 'fd_filestat_set_size');
  assert.strictEqual(imp.fd_filestat_set_times(file, 0n, 0n, 2 | 8), EPERM, 'fd_filestat_set_times');
  assert.strictEqual(imp.fd_allocate(file, 0n, 10n), EPERM, 'fd_allocate');
  assert.strictEqual(imp.fd_filestat_set_times(3, 0n, 0n, 2 | 8), EPERM, 'fd_filestat_set_times on the preopen');
  // Across trees: nothing moves or links out of the read-only one, or into it.
  assert.strictEqual(imp.path_link(3, 0, ...p('test.txt'), 4, ...p('alias.txt')), EPERM, 'link out');
  assert.strictEqual(imp.path_rename(3, ...p('test.txt'), 4, ...p('moved.txt')), EPERM, 'rename out');
  fs.writeFileSync(path.join(rw, 'mine.txt'), 'mine');
  assert.strictEqual(imp.path_rename(4, ...p('mine.txt'), 3, ...p('mine.txt')), EPERM, 'rename in');
  assert.strictEqual(imp.path_link(4, 0, ...p('mine.txt'), 3, ...p('mine.txt')), EPERM, 'link in');
  // As on a read-only mount, an existing target is EEXIST first.
  assert.strictEqual(imp.path_create_directory(3, ...p('sub')), EEXIST);
  assert.strictEqual(imp.path_link(3, 0, ...p('test.txt'), 3, ...p('sub')), EEXIST);
  // The tree is as it was, and the writable preopen still writes.
  assert.deepStrictEqual(fs.readdirSync(ro).sort(), ['sub', 'test.txt']);
  assert.strictEqual(fs.readFileSync(path.join(ro, 'test.txt'), 'utf8'), 'read only\n');
  assert.strictEqual(open(4, 'new.txt', { oflags: 1, rights: RIGHT_FD_WRITE }).errno, 0);
  assert.deepStrictEqual(fs.readdirSync(rw).sort(), ['mine.txt', 'new.txt']);
});

test('read-only preopen options are validated', () => {
  assert.throws(() => new WASI({ version: 'preview1', preopens: { '/a': { path: 5 } } }), { code: 'ERR_INVALID_ARG_TYPE', message: /options\.preopens\["\/a"\]\.path/ });
  assert.throws(() => new WASI({ version: 'preview1', preopens: { '/a': { path: os.tmpdir(), readOnly: 'yes' } } }), { code: 'ERR_INVALID_ARG_TYPE', message: /readOnly/ });
  assert.throws(() => new WASI({ version: 'preview1', enforceRights: 'no' }), { code: 'ERR_INVALID_ARG_TYPE', message: /enforceRights/ });
});

test('files opened with rights 0 work as under wasmtime; enforceRights: true keeps Node\'s ENOTCAPABLE', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'data.txt'), 'payload');
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub', 'inner.txt'), 'inner');
  const wasmtime = driver({ preopens: { '/': dir } });
  const f = wasmtime.open(3, 'data.txt');
  assert.deepStrictEqual(wasmtime.read(f.fd), { errno: 0, text: 'payload' });
  // What a file was opened for decides: this one was opened for reading
  // (the refusal is ENOTCAPABLE, where wasmtime says EBADF).
  assert.strictEqual(wasmtime.imp.fd_write(f.fd, 100, 1, 108), ENOTCAPABLE);
  // A directory opened with rights 0 can open what is beneath it.
  const sub = wasmtime.open(3, 'sub', { oflags: 2 });
  assert.deepStrictEqual(wasmtime.read(wasmtime.open(sub.fd, 'inner.txt').fd), { errno: 0, text: 'inner' });
  // An explicit narrowing still holds.
  assert.strictEqual(wasmtime.imp.fd_fdstat_set_rights(f.fd, 0n, 0n), 0);
  assert.strictEqual(wasmtime.read(f.fd).errno, ENOTCAPABLE);

  const node = driver({ preopens: { '/': dir }, enforceRights: true });
  const g = node.open(3, 'data.txt');
  assert.strictEqual(node.read(g.fd).errno, ENOTCAPABLE);
  const nsub = node.open(3, 'sub', { oflags: 2 });
  assert.strictEqual(node.open(nsub.fd, 'inner.txt').errno, ENOTCAPABLE);
});

test('the CLI grants a read-only directory with --dir HOST::GUEST::ro', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'keep.txt'), 'keep');
  const { parseArgs } = require('../bin/wasi-rs.js');
  assert.deepStrictEqual(parseArgs(['--dir', `${dir}::/data::ro`, '--dir', '/x::/y', 'p.wasm']).preopens, {
    '/data': { path: dir, readOnly: true },
    '/y': '/x',
  });
  assert.throws(() => parseArgs(['--dir', '/a::/b::rw', 'p.wasm']), /expected HOST::GUEST, DIR or HOST::GUEST::ro/);
  // The sandbox probe tries to write in every preopen.
  const r = spawnSync(process.execPath, [CLI, '--dir', `${dir}::/data::ro`, program('fs_ops'), '/data'], { encoding: 'utf8' });
  assert.ok(r.status > 0 && /FAIL/.test(r.stdout), 'its writes were refused');
  assert.strictEqual(fs.readFileSync(path.join(dir, 'keep.txt'), 'utf8'), 'keep');
  assert.deepStrictEqual(fs.readdirSync(dir), ['keep.txt']);
});

test('wasi.run() with maxMemory: memory.grow fails in the guest past the cap, and the host lives on', async () => {
  const bytes = fs.readFileSync(program('grow_until_fail'));
  // 10 pages and a half: whole pages count.
  assert.strictEqual(await new WASI({ version: 'preview1' }).run(bytes, { maxMemory: 10.5 * 65536 }), 10);
  assert.strictEqual(await new WASI({ version: 'preview1' }).run(new Uint8Array(bytes), { maxMemory: 2 ** 20 }), 16);
  // Without a cap it grows to the program's own limit.
  assert.strictEqual(await new WASI({ version: 'preview1' }).run(bytes), 4096);
  // A module that needs more at start than the cap is refused, clearly.
  await assert.rejects(new WASI({ version: 'preview1' }).run(bytes, { maxMemory: 0 }), { code: 'ERR_WASI_MEMORY_LIMIT', message: /needs 1 pages .* maxMemory allows 0/ });
  // A compiled Module's limits cannot be changed: its bytes are asked for.
  await assert.rejects(new WASI({ version: 'preview1' }).run(new WebAssembly.Module(bytes), { maxMemory: 2 ** 20 }), { code: 'ERR_INVALID_ARG_TYPE', message: /maxMemory needs the module's bytes/ });
  await assert.rejects(new WASI({ version: 'preview1' }).run(bytes, { maxMemory: -1 }), { code: 'ERR_OUT_OF_RANGE' });
  await assert.rejects(new WASI({ version: 'preview1' }).run(bytes, { maxMemory: '1' }), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('wasi.run() with maxMemory caps a wasi-threads guest\'s imported shared memory too', async () => {
  const bytes = fs.readFileSync(program('grow_shared'));
  assert.strictEqual(await new WASI({ version: 'preview1' }).run(bytes), 200, 'its own maximum');
  assert.strictEqual(await new WASI({ version: 'preview1' }).run(bytes, { maxMemory: 5 * 65536 }), 5);
  await assert.rejects(new WASI({ version: 'preview1' }).run(bytes, { maxMemory: 1000 }), { code: 'ERR_WASI_MEMORY_LIMIT' });
});

test('under Node\'s permission model a preopen outside --allow-fs-read/--allow-fs-write is refused with ERR_ACCESS_DENIED', () => {
  const allowed = tempDir();
  const outside = tempDir();
  const flag = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
  const script = `
    const { WASI } = require(${JSON.stringify(ROOT)});
    const tryIt = (preopens) => { try { new WASI({ version: 'preview1', preopens }); return 'ok'; } catch (e) { return [e.code, e.permission, e.resource].join(' '); } };
    console.log(JSON.stringify([
      tryIt({ '/a': ${JSON.stringify(allowed)} }),
      tryIt({ '/o': ${JSON.stringify(outside)} }),
      tryIt({ '/o': { path: ${JSON.stringify(outside)}, readOnly: true } }),
      tryIt({ '/r': { path: ${JSON.stringify(ROOT)}, readOnly: true } }),
      tryIt({ '/r': ${JSON.stringify(ROOT)} }),
    ]));`;
  const r = spawnSync(process.execPath, [flag, `--allow-fs-read=${ROOT}`, `--allow-fs-read=${allowed}`, `--allow-fs-write=${allowed}`, '--allow-addons', '--no-warnings', '-e', script], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.deepStrictEqual(JSON.parse(r.stdout), [
    'ok',
    `ERR_ACCESS_DENIED FileSystemRead ${outside}`,
    `ERR_ACCESS_DENIED FileSystemRead ${outside}`,
    'ok',
    `ERR_ACCESS_DENIED FileSystemWrite ${ROOT}`,
  ]);
  // Without --allow-addons Node refuses the addon itself, with its own code.
  const denied = spawnSync(process.execPath, [flag, '--allow-fs-read=*', '--no-warnings', '-e', `require(${JSON.stringify(ROOT)})`], { encoding: 'utf8' });
  assert.match(denied.stderr, /ERR_DLOPEN_DISABLED/);
});

const { Readable, Writable } = require('stream');
const NO_JS_STDIO = WINDOWS && 'stdio served from JS needs pipes Node can read on its event loop: not on Windows yet';

test('stdio from and to JS under wasi.run(): a string, a Buffer or a stream in; a callback or a stream out', { skip: NO_JS_STDIO }, async () => {
  const echo = fs.readFileSync(program('stdio_echo'));
  const collect = () => {
    const chunks = [];
    const cb = (c) => chunks.push(c);
    cb.text = () => Buffer.concat(chunks).toString();
    return cb;
  };
  let out = collect();
  let err = collect();
  assert.strictEqual(await new WASI({ version: 'preview1', stdin: 'from a string\n', stdout: out, stderr: err }).run(echo), 0);
  assert.strictEqual(out.text(), 'FROM A STRING\n');
  assert.strictEqual(err.text(), 'read 14 bytes\n');
  out = collect();
  await new WASI({ version: 'preview1', stdin: new Uint8Array(Buffer.from('bytes')), stdout: out, stderr: () => {} }).run(echo);
  assert.strictEqual(out.text(), 'BYTES');
  // A stream in, a stream out.
  const written = [];
  const sink = new Writable({ write(chunk, _enc, done) { written.push(chunk); done(); } });
  const finished = new Promise((resolve) => sink.on('finish', resolve));
  await new WASI({ version: 'preview1', stdin: Readable.from(['one ', 'two ', 'three']), stdout: sink, stderr: () => {} }).run(echo);
  await finished;
  assert.strictEqual(Buffer.concat(written).toString(), 'ONE TWO THREE', 'the output stream is ended with the output');
});

test('a slow output stream holds the guest back (backpressure), and nothing is lost', { skip: NO_JS_STDIO }, async () => {
  const echo = fs.readFileSync(program('stdio_echo'));
  const size = 4 << 20;
  const input = Buffer.alloc(size, 'a');
  let got = 0;
  let mostQueued = 0;
  const sink = new Writable({
    highWaterMark: 16 << 10,
    write(chunk, _enc, done) {
      got += chunk.length;
      mostQueued = Math.max(mostQueued, sink.writableLength);
      setImmediate(done);
    },
  });
  await new WASI({ version: 'preview1', stdin: input, stdout: sink, stderr: () => {} }).run(echo);
  assert.strictEqual(got, size);
  // Had the guest not been held back, the 4 MiB would have queued up here.
  assert.ok(mostQueued < 1 << 20, `at most ${mostQueued} bytes queued in the stream`);
});

test('stdio served from JS is refused by start() and initialize(), before anything runs', { skip: NO_JS_STDIO }, () => {
  const wasi = new WASI({ version: 'preview1', stdout: () => {} });
  const memory = new WebAssembly.Memory({ initial: 1 });
  let ran = false;
  assert.throws(() => wasi.start({ exports: { memory, _start() { ran = true; } } }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.stdout is a stream or callback, which only wasi\.run\(\) serves/ });
  assert.strictEqual(ran, false);
  assert.throws(() => new WASI({ version: 'preview1', stdin: () => {} }), { code: 'ERR_INVALID_ARG_TYPE', message: /options\.stdin/ });
  assert.throws(() => new WASI({ version: 'preview1', stdout: 'text' }), { code: 'ERR_INVALID_ARG_TYPE', message: /options\.stdout/ });
});

test('on Windows, stdio served from JS is refused with a coded error', { skip: !WINDOWS && 'Windows only (elsewhere it is served)' }, () => {
  for (const [name, value] of [['stdout', () => {}], ['stdin', 'text'], ['stderr', new (require('stream').PassThrough)()]]) {
    assert.throws(() => new WASI({ version: 'preview1', [name]: value }), {
      code: 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM',
      message: `options.${name}: streams and callbacks as stdio are not supported on Windows yet; pass a file descriptor`,
    });
  }
});

test('wasi.run() lets go of every host fd of the guest when it ends', { skip: process.platform !== 'linux' && 'counts /proc/self/fd', timeout: 120_000 }, async () => {
  const echo = fs.readFileSync(program('stdio_echo'));
  const dir = tempDir();
  const count = () => fs.readdirSync('/proc/self/fd').length;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // Workers of earlier tests may still be tearing down: start once the
  // count holds still.
  for (let waited = 0, last = -1; count() !== last && waited < 20_000; waited += 200) {
    last = count();
    await sleep(200);
  }
  const before = count();
  const kept = [];
  for (let i = 0; i < 5; i++) {
    const wasi = new WASI({ version: 'preview1', stdin: 'x', stdout: () => {}, stderr: () => {}, preopens: { '/d': dir } });
    kept.push(wasi);
    await wasi.run(echo);
  }
  // The objects are all still reachable: nothing waits for the collector.
  // (The workers' own fds go as their threads finish tearing down; fds
  // that earlier tests of this process left closing may go meanwhile too,
  // so the count may end below where it started, never above.)
  for (let waited = 0; count() > before && waited < 20_000; waited += 50) await sleep(50);
  assert.ok(count() <= before, `${count()} fds open, ${before} before the runs`);
  assert.strictEqual(kept.length, 5);
});

test('an output stream that goes away mid-run is a closed pipe to the guest, and run() still settles', { skip: NO_JS_STDIO, timeout: 120_000 }, async () => {
  const echo = fs.readFileSync(program('stdio_echo'));
  let got = 0;
  const sink = new Writable({
    write(chunk, _enc, done) {
      got += chunk.length;
      done();
      sink.destroy(); // the consumer hangs up after its first chunk
    },
  });
  const status = await new WASI({ version: 'preview1', stdin: Buffer.alloc(4 << 20, 'a'), stdout: sink, stderr: () => {} }).run(echo, { timeout: 60_000 });
  assert.strictEqual(typeof status, 'number');
  assert.ok(got > 0 && got < 4 << 20, `${got} bytes reached the stream before it went away`);
});

test('an input stream that fails ends the guest\'s input, which then reads end of file', { skip: NO_JS_STDIO, timeout: 120_000 }, async () => {
  const echo = fs.readFileSync(program('stdio_echo'));
  const source = new Readable({ read() {} });
  source.push('before the failure');
  setTimeout(() => source.destroy(new Error('the request was aborted')), 200);
  const out = [];
  const status = await new WASI({ version: 'preview1', stdin: source, stdout: (c) => out.push(c), stderr: () => {} }).run(echo, { timeout: 60_000 });
  assert.strictEqual(status, 0);
  assert.strictEqual(Buffer.concat(out).toString(), 'BEFORE THE FAILURE');
});
