'use strict';
// Sockets: the `sockets` option and --tcplisten, a small HTTP-style echo
// server in C driven over loopback, and sock_* on things that are not
// sockets.
const test = require('node:test');
const assert = require('node:assert');
const net = require('net');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { ROOT, program } = require('./helpers/run');
const { WINDOWS } = require('./helpers/host');
const { WASI } = require('..');

/** Starts `args` (node arguments) and resolves with the child and the announced port. */
function startServer(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const port = new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /listening (\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    exited.then((code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  return { child, port, exited };
}

/** Sends `text` and resolves with the whole reply (the server closes). */
function request(port, text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => { reply += d; });
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => reject(new Error('timed out')));
  });
}

const childArgs = (options) => ['--no-warnings', path.join(ROOT, '__test__', 'helpers', 'child.js'), 'wasi-rs', program('http_echo'), JSON.stringify(options)];

test('an HTTP-style echo server in C answers over loopback and shuts down', async () => {
  const { port, exited } = startServer(childArgs({ args: ['http_echo'], sockets: [{ listen: '127.0.0.1:0' }] }));
  const p = await port;
  for (let i = 0; i < 20; i++) {
    const reply = await request(p, `GET /item/${i} HTTP/1.0\r\nHost: x\r\n\r\n`);
    const body = `GET /item/${i} HTTP/1.0`;
    assert.strictEqual(reply, `HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  }
  // A request that arrives in pieces.
  const pieces = await new Promise((resolve, reject) => {
    const s = net.connect(p, '127.0.0.1', () => {
      s.write('GET /slow');
      setTimeout(() => s.end(' HTTP/1.0\r\n\r\n'), 50);
    });
    let reply = '';
    s.on('data', (d) => { reply += d; });
    s.on('end', () => resolve(reply));
    s.on('error', reject);
  });
  assert.match(pieces, /\r\n\r\nGET \/slow HTTP\/1\.0$/);
  await request(p, 'GET /quit HTTP/1.0\r\n\r\n');
  assert.strictEqual(await exited, 0);
});

test('the CLI hands a --tcplisten socket to the program', async () => {
  const probe = net.createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const free = probe.address().port;
  await new Promise((r) => probe.close(r));
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'wasi-rs.js'), '--tcplisten', `127.0.0.1:${free}`, program('http_echo')]);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let reply;
  for (let attempt = 0; attempt < 100 && reply === undefined; attempt++) {
    try {
      reply = await request(free, 'GET /quit HTTP/1.0\r\n\r\n');
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  assert.match(reply, /^HTTP\/1\.0 200 OK/);
  assert.strictEqual(await exited, 0);
});

test('on Windows, lending a socket by fd is refused with ERR_WASI_SOCKET (Node gives JS no socket descriptor there)', { skip: !WINDOWS && 'Windows only' }, () => {
  assert.throws(() => new WASI({ version: 'preview1', sockets: [{ fd: 3 }] }), { code: 'ERR_WASI_SOCKET', message: /fd 3: on Windows, lend sockets with \{ listen \}, not \{ fd \}/ });
});

test('a socket lent by fd is used and left open', { skip: WINDOWS && 'Windows Node gives JS no socket descriptor to lend' }, async () => {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const fd = server._handle.fd;
  assert.ok(fd > 2);
  const wasi = new WASI({ version: 'preview1', sockets: [{ fd }] });
  const memory = new WebAssembly.Memory({ initial: 1 });
  wasi.start({ exports: { memory, _start() {} } });
  assert.strictEqual(wasi.wasiImport.fd_fdstat_get(3, 0), 0);
  assert.strictEqual(new Uint8Array(memory.buffer)[0], 6, 'a stream socket');
  assert.strictEqual(wasi.wasiImport.fd_close(3), 0);
  // The host's server still works.
  const connected = new Promise((resolve) => server.once('connection', (s) => { s.destroy(); resolve(); }));
  const c = net.connect(server.address().port, '127.0.0.1');
  c.on('error', () => {});
  await connected;
  c.destroy();
  await new Promise((r) => server.close(r));
});

test('socket options are validated', () => {
  assert.throws(() => new WASI({ version: 'preview1', sockets: 5 }), { code: 'ERR_INVALID_ARG_TYPE', message: /options\.sockets/ });
  assert.throws(() => new WASI({ version: 'preview1', sockets: [{}] }), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => new WASI({ version: 'preview1', sockets: [{ listen: 1 }] }), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => new WASI({ version: 'preview1', sockets: [{ fd: -1 }] }), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => new WASI({ version: 'preview1', sockets: [{ listen: 'not an address' }] }), { code: 'ERR_WASI_SOCKET', message: /not an address/ });
  const file = require('fs').openSync(require('os').devNull, 'r');
  const why = WINDOWS ? 'on Windows, lend sockets with' : 'not a socket';
  assert.throws(() => new WASI({ version: 'preview1', sockets: [{ fd: file }] }), { code: 'ERR_WASI_SOCKET', message: new RegExp(`fd ${file}: ${why}`) });
  require('fs').closeSync(file);
});

test('sockets come after the preopens', () => {
  const wasi = new WASI({ version: 'preview1', preopens: { '/a': ROOT, '/b': ROOT }, sockets: [{ listen: '127.0.0.1:0' }, { listen: '127.0.0.1:0' }] });
  assert.deepStrictEqual(wasi.listeners.map((l) => l.fd), [5, 6]);
  assert.ok(wasi.listeners.every((l) => l.address === '127.0.0.1' && l.port > 0));
});

test('sock_* on a pipe is ENOTSOCK and on a bad fd EBADF, never a crash (Node 20 segfaults on sock_accept(0))', () => {
  const script = `
    const { WASI } = require(${JSON.stringify(ROOT)});
    const wasi = new WASI({ version: 'preview1' });
    const memory = new WebAssembly.Memory({ initial: 1 });
    wasi.start({ exports: { memory, _start() {} } });
    const w = wasi.wasiImport;
    console.log([w.sock_accept(0, 0, 0), w.sock_recv(0, 0, 0, 0, 0, 0), w.sock_send(1, 0, 0, 0, 0), w.sock_shutdown(0, 3),
                 w.sock_accept(99, 0, 0), w.sock_shutdown(99, 3), w.sock_accept(0, 0, 70000)].join(' '));`;
  // A shell pipe makes fd 0 a real pipe(2) on Unix (Node's own stdio pipes
  // are socket pairs there); on Windows Node's pipes are named pipes. The
  // answer goes to a file, so fd 1 is no socket either.
  const out = path.join(require('./helpers/run').tempDir(), 'out');
  let r;
  if (WINDOWS) {
    const fd = require('fs').openSync(out, 'w');
    r = spawnSync(process.execPath, ['-e', script], { input: 'x\n', stdio: ['pipe', fd, 'pipe'], encoding: 'utf8' });
    require('fs').closeSync(fd);
  } else {
    r = spawnSync('sh', ['-c', `echo x | "${process.execPath}" -e "$SCRIPT" > "${out}"`], { env: { ...process.env, SCRIPT: script }, encoding: 'utf8' });
  }
  assert.strictEqual(r.signal, null);
  assert.strictEqual(r.status, 0, r.stderr);
  // 57 = ENOTSOCK, 8 = EBADF; the last one checks the fd before the pointer.
  assert.strictEqual(require('fs').readFileSync(out, 'utf8').trim(), '57 57 57 57 8 8 57');
});

test('poll_oneoff waits on a listening socket until a client connects, then sock_accept takes it', async () => {
  const wasi = new WASI({ version: 'preview1', sockets: [{ listen: '127.0.0.1:0' }] });
  const memory = new WebAssembly.Memory({ initial: 1 });
  wasi.start({ exports: { memory, _start() {} } });
  const view = new DataView(memory.buffer);
  // Subscription 0 at 0: fd_read on the listener (fd 3), userdata 11.
  view.setBigUint64(0, 11n, true);
  view.setUint8(8, 1);
  view.setUint32(16, 3, true);
  // Subscription 1 at 48: a 10 s monotonic clock, userdata 22.
  view.setBigUint64(48, 22n, true);
  view.setUint8(56, 0);
  view.setUint32(64, 1, true);
  view.setBigUint64(72, 10_000_000_000n, true);
  const { port } = wasi.listeners[0];
  const client = spawn(process.execPath, ['-e', `setTimeout(() => { const s = require('net').connect(${port}, '127.0.0.1'); s.on('connect', () => setTimeout(() => s.destroy(), 1000)); }, 300)`]);
  const clientDone = new Promise((resolve) => client.on('exit', resolve));
  const t0 = Date.now();
  assert.strictEqual(wasi.wasiImport.poll_oneoff(0, 200, 2, 400), 0); // blocks this thread until the client connects
  const waited = Date.now() - t0;
  assert.strictEqual(view.getUint32(400, true), 1, 'one event');
  assert.strictEqual(view.getBigUint64(200, true), 11n, 'the socket, not the clock');
  assert.strictEqual(view.getUint16(208, true), 0);
  assert.ok(waited >= 200 && waited < 9000, `waited ${waited} ms`);
  assert.strictEqual(wasi.wasiImport.sock_accept(3, 0, 500), 0);
  const conn = view.getUint32(500, true);
  assert.strictEqual(conn, 4);
  assert.strictEqual(wasi.wasiImport.sock_shutdown(conn, 3), 0);
  assert.strictEqual(wasi.wasiImport.fd_close(conn), 0);
  await clientDone;
});
