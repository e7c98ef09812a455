'use strict';
// WASI programs run under wasi-rs and, where Node's built-in defines the
// behaviour, under node:wasi too: exit code, stdout and stderr must match.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { WINDOWS } = require('./helpers/host');
const { run, tempDir } = require('./helpers/run');

// Node's built-in makes wasi-libc's start-up fail (exit 71) when argv is
// empty, so differential runs pass the program name as argv[0], as every
// real runner does.
function same(name, options = { args: [name] }, io = {}) {
  const ours = run('wasi-rs', name, options, io);
  const node = run('node', name, options, io);
  assert.deepStrictEqual(ours, node, `${name}: wasi-rs and node:wasi differ`);
  return ours;
}

test('args and env: UTF-8, empty values, spaces, as node:wasi', () => {
  const r = same('args_env', {
    args: ['prog', '', 'two words', 'héllo wörld', '日本語', '🙂', '--flag=x'],
    env: { EMPTY: '', UNICODE: 'ünï', 'WITH SPACE': 'a b', EQ: 'a=b=c', SKIPPED: undefined, NUM: 5 },
  });
  assert.strictEqual(r.status, 0);
  const lines = r.stdout.trim().split('\n');
  assert.deepStrictEqual(lines.slice(0, 8), ['argc=7', 'arg[0]=prog', 'arg[1]=', 'arg[2]=two words', 'arg[3]=héllo wörld', 'arg[4]=日本語', 'arg[5]=🙂', 'arg[6]=--flag=x']);
  assert.ok(lines.includes('env[0]=EMPTY='));
  assert.ok(lines.includes('env[2]=WITH SPACE=a b'));
  assert.ok(lines.includes('env[3]=EQ=a=b=c'));
  assert.ok(lines.includes('env[4]=NUM=5'));
  assert.ok(lines.includes('envc=5'), 'undefined values are skipped');
});

test('args and env: thousands of entries, as node:wasi', () => {
  const args = Array.from({ length: 2000 }, (_, i) => `arg-${i}-${'x'.repeat(i % 50)}`);
  const env = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`VAR_${i}`, `value ${i}`]));
  const r = same('args_env', { args, env });
  assert.match(r.stdout, /^argc=2000$/m);
  assert.match(r.stdout, /^envc=2000$/m);
  assert.match(r.stdout, /^arg\[1999\]=arg-1999-x{49}$/m);
});

test('no args and no env (node:wasi fails this with exit 71)', () => {
  const r = run('wasi-rs', 'args_env', {});
  assert.strictEqual(r.status, 0);
  assert.strictEqual(r.stdout, 'argc=0\nenvc=0\n');
});

test('the exit code from main reaches start()', () => {
  const r = same('args_env', { args: ['p'], env: { EXIT_CODE: '12' } });
  assert.strictEqual(r.status, 12);
});

test('stdin to stdout and stderr through pipes, as node:wasi', () => {
  const input = 'hello wasi\n'.repeat(10000) + 'end ünicode';
  const r = same('stdio_echo', {}, { input });
  assert.strictEqual(r.stdout, input.toUpperCase().replace('ÜNICODE', 'üNICODE'));
  assert.strictEqual(r.stderr, `read ${Buffer.byteLength(input)} bytes\n`);
});

test('empty stdin is an immediate end of file', () => {
  const r = same('stdio_echo', {}, { input: '' });
  assert.strictEqual(r.stdout, '');
  assert.strictEqual(r.stderr, 'read 0 bytes\n');
});

test('stdin, stdout and stderr options take host fds, including a file opened for append', () => {
  const dir = tempDir();
  const inFile = path.join(dir, 'in.txt');
  const outFile = path.join(dir, 'out.txt');
  const errFile = path.join(dir, 'err.txt');
  fs.writeFileSync(inFile, 'abc\n');
  fs.writeFileSync(outFile, 'existing line\n');
  const { WASI } = require('..');
  const fds = { stdin: fs.openSync(inFile, 'r'), stdout: fs.openSync(outFile, 'a'), stderr: fs.openSync(errFile, 'w') };
  const wasi = new WASI({ version: 'preview1', ...fds });
  const m = new WebAssembly.Module(fs.readFileSync(require('./helpers/run').program('stdio_echo')));
  assert.strictEqual(wasi.start(new WebAssembly.Instance(m, wasi.getImportObject())), 0);
  Object.values(fds).forEach((fd) => fs.closeSync(fd));
  assert.strictEqual(fs.readFileSync(outFile, 'utf8'), 'existing line\nABC\n');
  assert.strictEqual(fs.readFileSync(errFile, 'utf8'), 'read 4 bytes\n');
});

test('fd_fdstat_get reports WASI fdflags: append on an append-mode stdout', () => {
  const dir = tempDir();
  const outFile = path.join(dir, 'out.txt');
  const { WASI } = require('..');
  const fd = fs.openSync(outFile, 'a');
  const wasi = new WASI({ version: 'preview1', stdout: fd });
  const m = new WebAssembly.Module(fs.readFileSync(require('./helpers/run').program('fdstat')));
  wasi.start(new WebAssembly.Instance(m, wasi.getImportObject()));
  fs.closeSync(fd);
  const out = fs.readFileSync(outFile, 'utf8');
  assert.match(out, /^fd 1: filetype=4 append=1 nonblock=0 write=1 read=1$/m);
  assert.match(out, /^fd 1: filestat errno=0 filetype=4$/m);
});

test('fdstat, filestat, prestat and fd_close on stdio and a preopen, as node:wasi', () => {
  const dir = tempDir();
  const options = { args: ['fdstat'], preopens: { '/sandbox': dir, '.': dir } };
  const ours = run('wasi-rs', 'fdstat', options);
  const node = run('node', 'fdstat', options);
  // Deliberate differences: a too-short prestat name buffer is
  // ENAMETOOLONG (37) as in wasmtime; Node says ENOBUFS (42). On Windows,
  // stdio here is named pipes, which are no sockets: filetype unknown (0),
  // as for a FIFO on Unix and as in wasmtime, where Node says
  // socket_stream (6).
  const lines = (out) => out.split('\n').filter((l) => !l.startsWith('short buffer'));
  const nodeLines = lines(node.stdout).map((l) => (WINDOWS && /^fd [0-2]: /.test(l) ? l.replace('filetype=6', 'filetype=0') : l));
  assert.deepStrictEqual(lines(ours.stdout), nodeLines);
  assert.strictEqual(ours.status, 0);
  assert.match(ours.stdout, /^preopen fd 3: errno=0 name=\/sandbox len=8$/m);
  assert.match(ours.stdout, /^preopen fd 4: errno=0 name=\. len=1$/m);
  assert.match(ours.stdout, /^short buffer errno=37$/m);
  assert.match(ours.stdout, /^prestat scan ends at fd 5$/m);
  assert.match(ours.stdout, /^close stderr: 0\nwrite to closed stderr: 8\nclose closed: 8\nclose huge fd: 8$/m);
});

test('clocks: monotonic, resolutions, cputime, EINVAL for bad ids, realtime matches the host', () => {
  const before = Math.floor(Date.now() / 1000);
  const r = run('wasi-rs', 'clocks');
  const after = Math.ceil(Date.now() / 1000);
  assert.strictEqual(r.status, 0, r.stdout);
  assert.doesNotMatch(r.stdout, /FAIL/);
  const realtime = Number(/realtime_s=(\d+)/.exec(r.stdout)[1]);
  assert.ok(realtime >= before && realtime <= after, `${realtime} not in [${before}, ${after}]`);
});

test('random_get: fresh, balanced bytes', () => {
  const r = run('wasi-rs', 'random');
  assert.strictEqual(r.status, 0, r.stdout);
  assert.strictEqual(r.stdout, 'draws differ: ok\nlarge draw balanced: ok\nsmall draws distinct and balanced: ok\nempty draw: ok\n');
});

test('bad pointers and lengths give EFAULT and never crash (Node 20 crashes here)', () => {
  const r = run('wasi-rs', 'bad_pointers', { preopens: { '/': tempDir() } });
  assert.strictEqual(r.signal, null);
  assert.strictEqual(r.status, 0);
  const results = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=')));
  assert.strictEqual(Object.keys(results).length, 17);
  for (const [call, errno] of Object.entries(results)) {
    // More iovecs than IOV_MAX is EINVAL, as writev says; the rest is EFAULT.
    assert.strictEqual(errno, call === 'fd_write_many' ? '28' : '21', call);
  }
});

test('memory grown between calls by the program itself, as node:wasi', () => {
  const r = same('grow');
  assert.strictEqual(r.status, 0);
  assert.strictEqual(r.stdout.trim().split('\n').length, 8);
});

test('a large burst of output through a pipe loses nothing', () => {
  const input = 'x'.repeat(4 << 20);
  const r = run('wasi-rs', 'stdio_echo', {}, { input });
  assert.strictEqual(r.stdout.length, input.length);
  assert.strictEqual(r.stderr, `read ${input.length} bytes\n`);
});
