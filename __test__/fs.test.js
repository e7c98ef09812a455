'use strict';
// File system calls with the spec's semantics, through C programs working
// in a scratch preopen.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { run, tempDir } = require('./helpers/run');
const { TIME_UNIT_NS, WINDOWS, WINE, canSymlink } = require('./helpers/host');

test('file I/O, flags, rights and path calls behave as the spec says', () => {
  const dir = tempDir();
  // Where the host cannot make symlinks (see helpers/host.js), the program
  // skips its 14 symlink checks and says so; times are compared in the
  // file system's unit (100 ns on NTFS). Wine 8 lacks Windows 10's POSIX
  // delete and rename (3 checks), and ignores an access time set through
  // an open handle (1 check, Node's futimes too): skipped there.
  const args = ['fs_ops', `--time-unit=${TIME_UNIT_NS}`];
  if (!canSymlink()) args.push('--no-symlinks');
  if (WINE) args.push('--no-posix-delete', '--no-fd-atime');
  const r = run('wasi-rs', 'fs_ops', { args, preopens: { '/scratch': dir } });
  const failures = r.stdout.split('\n').filter((l) => l.includes('FAIL'));
  assert.deepStrictEqual(failures, []);
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  assert.ok(r.stdout.split('\n').filter((l) => l.endsWith(': ok')).length >= (canSymlink() ? 70 : 56), r.stdout);
  assert.strictEqual(r.stdout.includes('symlinks: skipped'), !canSymlink());
  assert.strictEqual(r.stdout.includes('posix delete: skipped'), WINE);
  // What the program did is visible on the host.
  assert.strictEqual(fs.readFileSync(path.join(dir, 'data.bin')).length, 4096);
  if (canSymlink()) assert.strictEqual(fs.readlinkSync(path.join(dir, 'dl')), 'd');
  assert.strictEqual(fs.statSync(path.join(dir, 'g.txt')).nlink, 2);
  const st = fs.statSync(path.join(dir, 'g.txt'), { bigint: true });
  assert.strictEqual(st.mtimeNs, 4000000012n - (4000000012n % BigInt(TIME_UNIT_NS)), 'times are set to the nanosecond, or the unit of the file system');
});

function listing(count, bufsize) {
  const dir = tempDir();
  const r = run('wasi-rs', 'readdir', { args: ['readdir', String(count), String(bufsize)], preopens: { '/d': dir } });
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split('\n');
  const calls = Number(/calls=(\d+)/.exec(r.stderr)[1]);
  return { lines, calls };
}

test('fd_readdir lists . and .. and every entry once, with their types', () => {
  const { lines } = listing(25, 4096);
  assert.strictEqual(lines.length, 27);
  assert.strictEqual(new Set(lines).size, 27);
  assert.ok(lines.includes('. type=3'));
  assert.ok(lines.includes('.. type=3'));
  for (let i = 0; i < 25; i++) assert.ok(lines.includes(`file-${String(i).padStart(4, '0')} type=4`));
});

test('fd_readdir resumes at the cookie with a buffer smaller than one entry pair', () => {
  // 24-byte header + 9-byte name = 33 bytes per entry; 40 bytes holds one
  // whole entry and the start of the next, which is cut off and re-read.
  const small = listing(300, 40);
  const big = listing(300, 65536);
  assert.strictEqual(small.lines.length, 302);
  assert.deepStrictEqual([...small.lines].sort(), [...big.lines].sort());
  assert.ok(small.calls >= 302, `only ${small.calls} calls`);
  assert.strictEqual(big.calls, 1);
});

test('fd_readdir on a large directory', () => {
  const { lines } = listing(3000, 1024);
  assert.strictEqual(lines.length, 3002);
  assert.strictEqual(new Set(lines).size, 3002);
});

// uvwasi has no fd_readdir on Windows, and polls only sockets there (libuv),
// so Node's built-in answers ENOSYS (52) to both; wasi-rs does both.
test('fd_readdir and poll_oneoff on a stdin pipe work, where node:wasi on Windows says ENOSYS', () => {
  const dir = tempDir();
  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(dir, `f${i}`), '');
  const readdir = (impl) => run(impl, 'readdir', { args: ['readdir', '0', '4096'], preopens: { '/d': dir } });
  const poll = (impl) => run(impl, 'poll', { args: ['poll', 'stdin', '5000'] }, { input: 'hi\n' });
  const ours = readdir('wasi-rs');
  assert.strictEqual(ours.status, 0, ours.stdout);
  assert.deepStrictEqual(ours.stdout.trim().split('\n').sort(), ['. type=3', '.. type=3', 'f0 type=4', 'f1 type=4', 'f2 type=4']);
  const polled = poll('wasi-rs').stdout;
  assert.match(polled, /^errno=0 n=1\nevent ud=1 type=1 error=0 nbytes=3 hangup=\d$/m);
  assert.match(polled, /^read errno=0 data=hi$/m);
  if (WINDOWS) {
    assert.strictEqual(readdir('node').stdout, 'readdir errno 52\n');
    assert.match(poll('node').stdout, /^errno=52 n=0$/m);
  }
});
