'use strict';
// Named *.oracle.js so that `node --test __test__/` (npm test) skips it;
// `npm run test:oracle` runs it after building the oracle.
// Differential tests against wasmtime: each filesystem test program runs
// under wasi-rs and under the wasmtime oracle (oracle/, built by
// `npm run test:oracle`) with the same preopens, each on its own fresh copy
// of the fixture. Exit code, stdout and the resulting directory tree must
// match, except for the deliberate differences listed in docs/differences.md.
const test = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ROOT, run, program, tempDir } = require('../helpers/run');
const { makeSandbox, snapshot } = require('../helpers/fixture');

// Times differ between two runs by nature, and each run has its own temp
// root; everything else must match.
const tree = (dir) => JSON.parse(JSON.stringify(snapshot(dir, { times: false })).split(dir).join('<root>'));

const ORACLE = path.join(ROOT, 'oracle', 'target', 'debug', 'wasmtime-oracle');

function oracle(name, { args, preopens = {} }) {
  if (!fs.existsSync(ORACLE)) throw new Error(`${ORACLE} is missing: run \`npm run test:oracle\``);
  const flags = Object.entries(preopens).flatMap(([guest, host]) => ['--dir', `${host}::${guest}`]);
  const r = spawnSync(ORACLE, [...flags, program(name), ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `name` under both runtimes, each in a fixture made by `makeFixture`
 * (returning { preopens, root }), and compares them.
 */
function compare(name, args, makeFixture, normalize = (s) => s) {
  const ours = makeFixture();
  const theirs = makeFixture();
  const a = run('wasi-rs', name, { args: [name, ...args], preopens: ours.preopens });
  const b = oracle(name, { args: [name, ...args], preopens: theirs.preopens });
  assert.strictEqual(a.status, b.status, `exit codes differ\nwasi-rs:\n${a.stdout}${a.stderr}\nwasmtime:\n${b.stdout}${b.stderr}`);
  assert.strictEqual(normalize(a.stdout), normalize(b.stdout));
  assert.deepStrictEqual(tree(ours.root), tree(theirs.root), 'the resulting directory trees differ');
  return a;
}

function scratch() {
  const root = tempDir('wasi-rs-oracle-');
  return { root, preopens: { '/scratch': root } };
}

function sandbox() {
  const fx = makeSandbox();
  return { root: fx.root, preopens: { '/sandbox': fx.sandbox } };
}

test('a libc file-system workload: same output and same tree as wasmtime', () => {
  compare('fs_tree', ['/scratch'], scratch);
});

// Checks of fs_ops on which wasi-rs deliberately differs from wasmtime
// (see docs/differences.md): wasmtime's preview1 writes and reads only the first
// buffer of an iovec array (a short count), has no fd_allocate, does not
// enforce or change rights, and answers EBADF or EINVAL where wasi-rs gives
// the POSIX errno. Every other check must come out the same.
const FS_OPS_DIFFERENCES = new Set([
  'gathered write', 'tell after write', 'scattered read fills both buffers', 'read at end of file is 0',
  'pread at offset', 'pwrite leaves the offset', 'pwrite wrote at offset', 'seek from end',
  'pwrite of two buffers writes both, offset kept', 'they landed in order',
  'allocate grows the file', 'sync flags cannot be set later', 'write without the right is ENOTCAPABLE',
  'rights can shrink', 'read after dropping the right is ENOTCAPABLE', 'rights cannot grow',
  'readdir on a file is ENOTDIR', 'rmdir with trailing slash', 'path call on a file fd is ENOTDIR',
  'a path call relative to a file is ENOTDIR', "its rights narrow to a file's",
]);

test('fs_ops: the same result as wasmtime on every check but the documented differences', () => {
  const results = (stdout) => Object.fromEntries(stdout.trim().split('\n').filter((l) => l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
  const ours = results(run('wasi-rs', 'fs_ops', { args: ['fs_ops', '--no-bad-enums'], preopens: scratch().preopens }).stdout);
  const theirs = results(oracle('fs_ops', { args: ['fs_ops', '--no-bad-enums'], preopens: scratch().preopens }).stdout);
  delete ours.failures;
  delete theirs.failures;
  assert.deepStrictEqual(Object.keys(ours), Object.keys(theirs), 'both ran the same checks');
  for (const check of Object.keys(ours)) {
    if (FS_OPS_DIFFERENCES.has(check)) assert.strictEqual(ours[check], 'ok', check);
    else assert.strictEqual(ours[check], theirs[check], check);
  }
});

test('readdir with a small buffer: same listing as wasmtime', () => {
  const sorted = (s) => s.trim().split('\n').sort().join('\n');
  compare('readdir', ['200', '40'], scratch, sorted);
});

test('args, env and stdio: same as wasmtime', () => {
  compare('args_env', ['a', '', 'ünï'], scratch);
  compare('exit_code', ['9'], scratch);
});

test('fdstat and prestat of preopens: same as wasmtime', () => {
  // stdio differs by nature here (wasmtime wraps its stdio), so compare the
  // preopen lines only.
  const preopenLines = (s) => s.split('\n').filter((l) => /^(preopen|short|prestat|fd [3-9])/.test(l)).join('\n');
  compare('fdstat', [], scratch, preopenLines);
});

// Sandbox probes whose outcome both runtimes must share. Escapes are
// compared as "refused or not" because the errno chosen for an escape is a
// deliberate difference (docs/differences.md).
const PROBES = [
  ['read', 'inside_rel'], ['read', 'sub/up_link'], ['read', 'chain'], ['read', 'subdir_link/inner.txt'],
  ['read', 'sub/../file.txt'], ['read', 'loop1'], ['read', 'missing'], ['stat', 'file.txt'],
  ['mkdir', 'newdir'], ['unlink', 'file.txt'], ['rename', 'file.txt', 'renamed.txt'], ['link', 'file.txt', 'hard.txt'],
  ['symlink', 'sub/inner.txt', 'made'], ['create', 'created.txt'], ['rmdir', 'sub'],
  ['read', '../outside/secret.txt'], ['read', 'link_abs'], ['read', 'link_rel_out'], ['read', 'link_dir_out/secret.txt'],
  ['create', 'link_abs_dangling'], ['rename', 'file.txt', '../outside/moved'], ['link', 'file.txt', 'link_dir_out/planted'],
  ['mkdir', 'link_dir_out/newdir'],
];

for (const args of PROBES) {
  test(`sandbox probe ${args.join(' ')}: same outcome as wasmtime`, () => {
    const refusedOrNot = (s) => s.replace(/errno=(\d+)/, (_, n) => (n === '0' ? 'errno=0' : Number(n) === 76 || Number(n) === 63 || Number(n) === 2 ? 'refused' : `errno=${n}`));
    compare('sandbox_probe', args, sandbox, refusedOrNot);
  });
}
