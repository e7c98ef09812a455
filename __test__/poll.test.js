'use strict';
// poll_oneoff: clocks (relative, absolute, realtime, monotonic) that sleep
// rather than spin, fd subscriptions on pipes, files, terminals and closed
// fds, several events at once, and the error cases.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { ROOT, TIME_SCALE, run, program, tempDir } = require('./helpers/run');
const { WINDOWS } = require('./helpers/host');

const CLI = path.join(ROOT, 'bin', 'wasi-rs.js');

function parse(stdout) {
  const events = [...stdout.matchAll(/event ud=(\d+) type=(\d+) error=(\d+) nbytes=(\d+) hangup=(\d)/g)].map((m) => ({
    ud: Number(m[1]), type: Number(m[2]), error: Number(m[3]), nbytes: Number(m[4]), hangup: m[5] === '1',
  }));
  const errno = Number((/errno=(\d+)/.exec(stdout) || [])[1]);
  const num = (name) => Number((new RegExp(`${name}=(\\d+)`).exec(stdout) || [])[1]);
  return { errno, events, elapsed: num('elapsed_ms'), cpu: num('cpu_ms'), data: (/data=(.*)/.exec(stdout) || [])[1] };
}

function poll(args, options = {}, io = {}) {
  const r = run('wasi-rs', 'poll', { args: ['poll', ...args], ...options }, io);
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  return parse(r.stdout);
}

for (const [kind, clock] of [['rel', 'monotonic'], ['abs', 'monotonic'], ['rel', 'realtime'], ['abs', 'realtime']]) {
  test(`a ${kind === 'abs' ? 'absolute' : 'relative'} ${clock} clock sleeps until its deadline without spinning`, () => {
    const r = poll(['sleep', kind, clock, '250']);
    assert.strictEqual(r.errno, 0);
    assert.deepStrictEqual(r.events, [{ ud: 42, type: 0, error: 0, nbytes: 0, hangup: false }]);
    assert.ok(r.elapsed >= 249 && r.elapsed < 2000, `slept ${r.elapsed} ms`);
    assert.ok(r.cpu < 50, `the calling thread used ${r.cpu} ms of CPU while sleeping`);
  });
}

test('several subscriptions return every ready event: a clock, a writable stdout, a readable file, a bad fd', () => {
  const r = poll(['multi'], { preopens: { '/d': tempDir() } });
  assert.strictEqual(r.errno, 0);
  const byUd = Object.fromEntries(r.events.map((e) => [e.ud, e]));
  assert.deepStrictEqual(Object.keys(byUd).sort(), ['1', '2', '3', '4']);
  assert.deepStrictEqual(byUd[1], { ud: 1, type: 0, error: 0, nbytes: 0, hangup: false });
  assert.strictEqual(byUd[2].type, 2);
  assert.strictEqual(byUd[2].error, 0);
  assert.deepStrictEqual(byUd[3], { ud: 3, type: 1, error: 0, nbytes: 4, hangup: false }, 'a file is ready; 4 bytes are left');
  assert.strictEqual(byUd[4].error, 8, 'a bad fd is an EBADF event');
});

test('zero subscriptions is EINVAL', () => {
  assert.strictEqual(poll(['zero']).errno, 28);
});

test('a CPU-time clock cannot be waited on: an ENOTSUP event', () => {
  const r = poll(['cputime']);
  assert.deepStrictEqual(r.events, [{ ud: 9, type: 0, error: 58, nbytes: 0, hangup: false }]);
});

test('stdin as a pipe with data: readable, with its byte count', () => {
  const r = poll(['stdin', '5000'], {}, { input: 'hello\n' });
  assert.strictEqual(r.events.length, 1);
  assert.deepStrictEqual({ ...r.events[0], hangup: undefined }, { ud: 1, type: 1, error: 0, nbytes: 6, hangup: undefined });
  assert.strictEqual(r.data, 'hello');
});

// On Unix these pipes are made by sh, so stdin is a real FIFO (Node's own
// child pipes are socketpairs there); on Windows, which has no sh, by Node:
// named pipes, which is what Windows programs get.
test('stdin as a pipe whose writer is gone: readable, with the hangup flag', () => {
  let r;
  if (WINDOWS) {
    // spawnSync writes the input and closes the pipe while the child starts.
    // A Windows pipe tells that its writer is gone only once it is empty
    // (PeekNamedPipe fails with ERROR_BROKEN_PIPE): readable with the
    // bytes and no hangup while data is left, then the hangup.
    const poll = (input) => spawnSync(process.execPath, [CLI, program('poll'), 'stdin', '5000'], { input, encoding: 'utf8' });
    r = poll('bye\n');
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(parse(r.stdout).events, [{ ud: 1, type: 1, error: 0, nbytes: 4, hangup: false }]);
    r = poll('');
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(parse(r.stdout).events, [{ ud: 1, type: 1, error: 0, nbytes: 0, hangup: true }]);
    return;
  } else {
    const script = `printf 'bye\\n' | (sleep 0.3; "${process.execPath}" "${CLI}" "${program('poll')}" stdin 5000)`;
    r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  }
  assert.strictEqual(r.status, 0, r.stderr);
  assert.deepStrictEqual(parse(r.stdout).events, [{ ud: 1, type: 1, error: 0, nbytes: 4, hangup: true }]);
});

test('stdin as a pipe that stays empty: the timeout fires', async () => {
  let r;
  if (WINDOWS) {
    const child = spawn(process.execPath, [CLI, program('poll'), 'stdin', '200'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const status = await new Promise((resolve) => child.on('exit', resolve));
    child.stdin.end();
    r = { status, stdout, stderr };
  } else {
    const script = `sleep ${2 * TIME_SCALE} | "${process.execPath}" "${CLI}" "${program('poll')}" stdin 200`;
    r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  }
  assert.strictEqual(r.status, 0, r.stderr);
  const p = parse(r.stdout);
  assert.deepStrictEqual(p.events, [{ ud: 2, type: 0, error: 0, nbytes: 0, hangup: false }]);
  // It waited, and slept while waiting (on Windows, between checks of the pipe).
  assert.ok(p.elapsed >= 199, `waited ${p.elapsed} ms`);
  assert.ok(p.cpu < 50, `the waiting thread used ${p.cpu} ms of CPU`);
});

test('stdin as a file: readable at once', () => {
  const file = path.join(tempDir(), 'in.txt');
  fs.writeFileSync(file, 'from a file\n');
  const fd = fs.openSync(file, 'r');
  const out = spawnSync(process.execPath, [CLI, program('poll'), 'stdin', '5000'], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
  fs.closeSync(fd);
  assert.strictEqual(out.status, 0, out.stderr);
  const r = parse(out.stdout);
  assert.strictEqual(r.events.length, 1);
  assert.strictEqual(r.events[0].ud, 1);
  assert.strictEqual(r.events[0].error, 0);
  assert.strictEqual(r.data, 'from a file');
});

test('stdin closed (a host fd that is not open): an EBADF event, no hang', () => {
  const r = poll(['stdin', '5000'], { stdin: 987 });
  assert.deepStrictEqual(r.events, [{ ud: 1, type: 1, error: 8, nbytes: 0, hangup: false }]);
});

function onTerminal(typeAfterMs, text) {
  const r = spawnSync('python3', [path.join(__dirname, 'helpers', 'pty_run.py'), String(typeAfterMs), text,
    process.execPath, path.join(ROOT, 'bin', 'wasi-rs.js'), program('poll'), 'stdin', '400'], { encoding: 'utf8', timeout: 30_000 });
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  return parse(r.stdout);
}

// A pty needs Unix; Windows console input (PeekConsoleInput) would need a
// real console, which neither these tests nor Wine's node.exe have.
const NO_PTY = WINDOWS && 'Windows has no pty; console input is not tested here';

test('stdin as a terminal with nothing typed: the timeout fires', { skip: NO_PTY }, () => {
  const r = onTerminal(-1, '');
  assert.deepStrictEqual(r.events, [{ ud: 2, type: 0, error: 0, nbytes: 0, hangup: false }]);
});

test('stdin as a terminal with a line typed: readable', { skip: NO_PTY }, () => {
  const r = onTerminal(100, 'typed\n');
  assert.strictEqual(r.events.length, 1, JSON.stringify(r));
  assert.strictEqual(r.events[0].ud, 1);
  assert.strictEqual(r.events[0].nbytes, 6);
  assert.strictEqual(r.data, 'typed');
});
