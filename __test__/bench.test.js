'use strict';
// The benchmark harness (npm run bench) runs end to end and prints the
// summary lines the issue defines. One quick round of a few benchmarks;
// the numbers themselves are not judged here (no timing tests). It keeps
// the suite's addon (--keep-addon): rebuilding it would swap the binary
// under the tests running beside it.
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT } = require('./helpers/run');

test('npm run bench runs its benchmarks, at least 5 interleaved rounds, against node:wasi and native', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'run.js'), '--list'], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  const fields = Object.fromEntries(r.stdout.trim().split(' ').map((f) => f.split('=')));
  assert.ok(Number(fields.reps) >= 5, r.stdout);
  assert.deepStrictEqual(fields.benchmarks.split(','), [
    'clock', 'random', 'write_devnull', 'stdout_lines', 'read256', 'open_close', 'stat', 'readdir', 'pread', 'construct',
    'clock_plain', 'clock_shared', 'write_plain', 'write_shared', 'read_plain', 'read_shared',
    'rust_work_threads', 'rust_work_single', 'start_startup', 'run_startup',
  ]);
  for (const impl of ['wasi-rs', 'node', 'native']) assert.ok(fields.implementations.split(',').includes(impl), r.stdout);
});

test('npm run bench: one round of six benchmarks ends with one parseable line each', () => {
  const names = ['clock', 'write_devnull', 'open_close', 'construct', 'clock_shared', 'read_shared'];
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'run.js'), '--reps', '1', '--keep-addon', '--only', names.join(',')], {
    encoding: 'utf8',
    timeout: 180000,
  });
  assert.strictEqual(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').slice(-names.length);
  lines.forEach((line, i) => {
    const m = /^bench=(\w+) wasi-rs=([\d.]+) node=([\d.]+) native=([\d.]+|-) unit=(\S+)$/.exec(line);
    assert.ok(m, `not a summary line: ${line}`);
    assert.strictEqual(m[1], names[i]);
    for (const v of [m[2], m[3]]) assert.ok(Number(v) > 0, line);
    if (names[i] === 'construct' || /_shared$/.test(names[i])) assert.strictEqual(m[4], '-', `${names[i]} has no native counterpart`);
    else assert.ok(Number(m[4]) > 0, line);
  });
  // The table gives median and min per implementation (the engine's
  // column stays empty here: --keep-addon, and the engine may not be
  // built), and the ratios.
  assert.match(r.stdout, /wasi-rs med\/min\s+engine med\/min\s+node:wasi med\/min\s+native med\/min\s+native-mt med\/min\s+rs\/node\s+rs\/native\s+rs\/native-mt\s+engine\/rs/);
  for (const name of names) assert.match(r.stdout, new RegExp(`^${name}\\s+\\S+\\s+[\\d.]+/[\\d.]+\\s`, 'm'));
});
