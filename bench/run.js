#!/usr/bin/env node
'use strict';
// npm run bench: WASI micro-benchmarks under wasi-rs and node:wasi in the
// same run, and the same C built natively as the floor. Runs are
// interleaved (every benchmark, every implementation, then again; each
// round starts with a different implementation), each
// configuration REPS times; the report gives median and min and the
// ratios wasi-rs/node and wasi-rs/native, and ends with one line per
// benchmark: bench=<name> wasi-rs=<x> node=<y> native=<z> unit=<u>.
//
// Options: --reps N (default 8), --only a,b (benchmark names), --list (print
// the rounds, benchmarks and implementations a run would use, and stop),
// --record (also write the table to docs/benchmarks.md: the one place
// per-run figures live; nothing else in the docs quotes them),
// --keep-addon (measure the add-ons already built instead of building the
// release wasi-rs.node and the engine first: the test suite's, which must
// not be replaced while other tests use it; without an engine built, its
// column stays empty). After the call benchmarks come the big programs
// (bench/big.js: clang and Yosys, in V8, the wasmtime engine cold and warm,
// node:wasi, and the wasmtime CLI if installed); --only runs them only when
// it names them.
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const BUILD = path.join(__dirname, 'build');
const DATA = path.join(os.tmpdir(), 'wasi-rs-bench-data');
const argv = process.argv.slice(2);
const REPS = Number(argv[argv.indexOf('--reps') + 1]) || 8;
const ONLY = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : null;
const RECORD = argv.includes('--record');
const KEEP_ADDON = argv.includes('--keep-addon');
const { runBig, BIG_JOBS } = require('./big');
/** Rounds of the big programs (each a whole process of a seconds). */
const BIG_REPS = Math.max(3, Math.ceil(REPS / 2));

// name, how stdout is wired ('null' = /dev/null, 'pipe' = drained by us)
const BENCHES = [
  ['clock', 'null'],
  ['random', 'null'],
  ['write_devnull', 'null'],
  ['stdout_lines', 'pipe'],
  ['read256', 'null'],
  ['open_close', 'null'],
  ['stat', 'null'],
  ['readdir', 'null'],
  ['pread', 'null'],
  ['construct', 'null'],
  // One import called from wasm over a plain memory and over a shared one
  // (as wasi-threads and napi-rs modules have): bench/programs/calls.wat.
  ['clock_plain', 'null'],
  ['clock_shared', 'null'],
  ['write_plain', 'null'],
  ['write_shared', 'null'],
  ['read_plain', 'null'],
  ['read_shared', 'null'],
  // The Rust test program's CPU job (__test__/programs/threads_rs) in 2
  // threads: wasi-rs (and its engine) runs its wasm32-wasip1-threads
  // build, node:wasi its wasm32-wasip1 build (Node runs no threads); and
  // both the latter.
  ['rust_work_threads', 'null'],
  ['rust_work_single', 'null'],
  // A whole run of hello.wasm, WASI object included: with start(), and
  // with wasi.run() (wasi-rs; node:wasi has no run(), so its column is its
  // start()), which starts a worker.
  ['start_startup', 'null'],
  ['run_startup', 'null'],
].filter(([name]) => !ONLY || ONLY.includes(name));
// native-mt: the native build with one idle extra thread, as every Node
// process has threads. The kernel makes some calls dearer in a
// multi-threaded process (fdget takes a reference on the file when the fd
// table is shared), so this is the floor a WASI runtime inside Node can
// reach. engine: wasi-rs's wasmtime engine (wasi.run(bytes, { engine:
// 'wasmtime' }), with a warm code cache), for the C benchmarks, which time
// their host calls inside the guest (what the same syscalls cost when
// wasmtime calls them), and the threaded CPU job. Both are shown in the table only; the summary lines
// keep the format.
const IMPLS = ['wasi-rs', 'engine', 'node', 'native', 'native-mt'];
/** The benchmarks the engine runs: bench.c's (a command that times
 * itself), and the Rust program's threaded CPU job (a whole run). */
const ENGINE_BENCHES = new Set(['clock', 'random', 'write_devnull', 'stdout_lines', 'read256', 'open_close', 'stat', 'readdir', 'pread', 'rust_work_threads']);
const ENGINE_ADDON = path.join(ROOT, 'engine', 'wasi-rs-engine.node');
const ENGINE_CACHE = path.join(BUILD, 'engine-cache');

async function build() {
  execFileSync('bash', [path.join(ROOT, 'scripts', 'ensure-toolchain.sh')], { stdio: 'inherit' });
  if (!KEEP_ADDON) {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { stdio: 'inherit' });
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--engine'], { stdio: 'inherit' });
  }
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-test-programs.js')], { stdio: 'inherit' });
  fs.mkdirSync(BUILD, { recursive: true });
  const src = path.join(__dirname, 'programs', 'bench.c');
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', '-o', path.join(BUILD, 'bench.wasm'), src]);
  execFileSync('gcc', ['-O2', '-o', path.join(BUILD, 'bench-native'), src]);
  execFileSync('gcc', ['-O2', '-pthread', '-DIDLE_THREAD', '-o', path.join(BUILD, 'bench-native-mt'), src]);
  await buildCalls();
}

/** calls.wat as calls-plain.wasm and calls-shared.wasm (see the file). */
function buildCalls() {
  const wabt = require('wabt');
  const text = fs.readFileSync(path.join(__dirname, 'programs', 'calls.wat'), 'utf8');
  return wabt().then((w) => {
    for (const kind of ['plain', 'shared']) {
      const m = w.parseWat('calls.wat', text.replace('(memory 1 16 MEMORY_KIND)', kind === 'shared' ? '(memory 1 16 shared)' : '(memory 1 16)'), { threads: true });
      fs.writeFileSync(path.join(BUILD, `calls-${kind}.wasm`), Buffer.from(m.toBinary({}).buffer));
      m.destroy();
    }
  });
}

/** How many calls each "calls" benchmark makes. */
const CALLS = { clock: 1_000_000, write: 300_000, read: 300_000 };

/** The inputs the chosen benchmarks need, generated once under the temp dir and reused. */
function makeData() {
  fs.mkdirSync(DATA, { recursive: true });
  fs.writeFileSync(path.join(DATA, 'small.txt'), 'small file\n');
  const wanted = new Set(BENCHES.map(([name]) => name));
  if (wanted.has('read256') || wanted.has('pread') || wanted.has('read_plain') || wanted.has('read_shared')) makeBigFile();
  if (wanted.has('readdir')) makeBigDirectory();
}

function makeBigFile() {
  const big = path.join(DATA, 'big.bin');
  if (!fs.existsSync(big) || fs.statSync(big).size !== 256 << 20) {
    const fd = fs.openSync(big, 'w');
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < 256; i++) {
      chunk.fill(i & 0xff);
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);
  }
  // Warm the page cache, so that the first implementation to run does not
  // pay for reading the file from disk.
  const fd = fs.openSync(big, 'r');
  const buf = Buffer.alloc(1 << 20);
  while (fs.readSync(fd, buf) > 0);
  fs.closeSync(fd);
}

function makeBigDirectory() {
  const dir = path.join(DATA, 'dir10k');
  if (!fs.existsSync(dir) || fs.readdirSync(dir).length !== 10000) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    for (let i = 0; i < 10000; i++) fs.writeFileSync(path.join(dir, `entry-${String(i).padStart(5, '0')}`), '');
  }
}

/** The CPU job's size for the rust_work_* benchmarks (xorshift rounds). */
const WORK_ROUNDS = '400000000';

function command(impl, name) {
  // With --keep-addon the engine is measured only if it was built.
  if (impl === 'engine' && !(ENGINE_BENCHES.has(name) && fs.existsSync(ENGINE_ADDON))) return null;
  if (name.startsWith('rust_work_')) {
    if (impl.startsWith('native')) return null;
    const build = name === 'rust_work_threads' && impl !== 'node' ? 'threads_rs.wasm' : 'threads_rs_single.wasm';
    return [process.execPath, ['--no-warnings', path.join(__dirname, 'child.js'), impl, 'work', path.join(ROOT, '__test__', 'build', build), '2', WORK_ROUNDS, ENGINE_CACHE]];
  }
  const calls = /^(clock|write|read)_(plain|shared)$/.exec(name);
  if (calls) {
    if (impl.startsWith('native')) return null;
    const [, op, kind] = calls;
    return [process.execPath, ['--no-warnings', path.join(__dirname, 'child.js'), impl, 'calls', path.join(BUILD, `calls-${kind}.wasm`), op, String(CALLS[op])]];
  }
  const startup = /^(start|run)_startup$/.exec(name);
  if (startup) {
    if (impl.startsWith('native')) return null;
    const how = impl === 'wasi-rs' ? startup[1] : 'start';
    return [process.execPath, ['--no-warnings', path.join(__dirname, 'child.js'), impl, 'startup', path.join(ROOT, '__test__', 'build', 'hello.wasm'), how, '30']];
  }
  if (name === 'construct') {
    if (impl.startsWith('native')) return null;
    return [process.execPath, ['--no-warnings', path.join(__dirname, 'child.js'), impl, 'construct', path.join(ROOT, '__test__', 'build', 'hello.wasm'), '200']];
  }
  if (impl.startsWith('native')) return [path.join(BUILD, `bench-${impl}`), [name, DATA]];
  return [process.execPath, ['--no-warnings', path.join(__dirname, 'child.js'), impl, path.join(BUILD, 'bench.wasm'), DATA, name, ENGINE_CACHE]];
}

function runOnce(impl, name, stdoutMode) {
  const cmd = command(impl, name);
  if (!cmd) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    // The read_* benchmarks read their stdin, a file of 256 MiB.
    const stdin = name.startsWith('read_') ? fs.openSync(path.join(DATA, 'big.bin'), 'r') : 'ignore';
    const child = spawn(cmd[0], cmd[1], { stdio: [stdin, stdoutMode === 'pipe' ? 'pipe' : 'ignore', 'pipe'] });
    if (typeof stdin === 'number') fs.closeSync(stdin);
    let stderr = '';
    if (child.stdout) child.stdout.on('data', () => {});
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const m = /result=([\d.]+) unit=(\S+)/.exec(stderr);
      if (code !== 0 || !m) reject(new Error(`${impl} ${name} failed (exit ${code}): ${stderr}`));
      else resolve({ value: Number(m[1]), unit: m[2] });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  if (argv.includes('--list')) {
    // What a run would do, without running it.
    console.log(`reps=${REPS} benchmarks=${BENCHES.map(([name]) => name).join(',')} implementations=${IMPLS.join(',')} big=${BIG_JOBS.join(',')}`);
    return;
  }
  const started = Date.now();
  await build();
  makeData();
  const samples = {}; // name -> impl -> values
  let unitOf = {};
  for (let rep = 0; rep < REPS; rep++) {
    for (const [name, stdoutMode] of BENCHES) {
      // Each round starts with the next implementation, so that none
      // always runs first (or right after the same other one).
      const order = IMPLS.map((_, i) => IMPLS[(i + rep) % IMPLS.length]);
      for (const impl of order) {
        const r = await runOnce(impl, name, stdoutMode);
        if (!r) continue;
        ((samples[name] ||= {})[impl] ||= []).push(r.value);
        unitOf[name] = r.unit;
      }
    }
    process.stderr.write(`bench: round ${rep + 1}/${REPS} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  const higherIsBetter = (unit) => unit === 'MB/s';
  console.log(`\nwasi-rs benchmarks: ${REPS} interleaved runs each; ${os.cpus().length} cores, ${os.cpus()[0].model}, Node ${process.version}\n`);
  console.log('benchmark       unit         wasi-rs med/min        engine med/min         node:wasi med/min      native med/min         native-mt med/min   rs/node  rs/native  rs/native-mt  engine/rs');
  const summary = [];
  const rows = [];
  for (const [name] of BENCHES) {
    const unit = unitOf[name];
    const s = samples[name];
    const best = higherIsBetter(unit) ? (xs) => Math.max(...xs) : (xs) => Math.min(...xs);
    const cell = (impl) => (s[impl] ? `${median(s[impl]).toFixed(1)}/${best(s[impl]).toFixed(1)}` : '-');
    const med = (impl) => (s[impl] ? median(s[impl]) : null);
    // Ratios are "times as costly": for MB/s, the inverse.
    const ratio = (a, b) => (a == null || b == null ? '-' : (higherIsBetter(unit) ? b / a : a / b).toFixed(2));
    console.log(
      `${name.padEnd(15)} ${unit.padEnd(12)} ${cell('wasi-rs').padEnd(22)} ${cell('engine').padEnd(22)} ${cell('node').padEnd(22)} ${cell('native').padEnd(22)} ${cell('native-mt').padEnd(19)} ${ratio(med('wasi-rs'), med('node')).padStart(7)} ${ratio(med('wasi-rs'), med('native')).padStart(9)} ${ratio(med('wasi-rs'), med('native-mt')).padStart(13)} ${ratio(med('engine'), med('wasi-rs')).padStart(10)}`,
    );
    const fmt = (v) => (v == null ? '-' : v.toFixed(3));
    summary.push(`bench=${name} wasi-rs=${fmt(med('wasi-rs'))} node=${fmt(med('node'))} native=${fmt(med('native'))} unit=${unit}`);
    const m = (impl) => (med(impl) == null ? '-' : med(impl).toFixed(1));
    rows.push(`| ${name} | ${unit} | ${m('wasi-rs')} | ${m('engine')} | ${m('node')} | ${m('native')} | ${m('native-mt')} | ${ratio(med('wasi-rs'), med('node'))} | ${ratio(med('wasi-rs'), med('native'))} | ${ratio(med('engine'), med('wasi-rs'))} |`);
  }
  // The big programs (bench/big.js): with the wasmtime engine, which
  // they need built, unless --only leaves them out.
  let big;
  if (!ONLY || BIG_JOBS.some((n) => ONLY.includes(n))) {
    big = runBig(BIG_REPS, median, ONLY ? BIG_JOBS.filter((n) => ONLY.includes(n)) : BIG_JOBS);
    printBig(big);
  }
  console.log(`\n(total ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  for (const line of summary) console.log(line);
  for (const r of big?.rows ?? []) {
    const m = (impl) => (r.medians[impl] == null ? '-' : r.medians[impl].toFixed(3));
    console.log(`big=${r.name} v8=${m('v8')} engine_cold=${m('engine_cold')} engine_warm=${m('engine_warm')} node=${m('node')} wasmtime=${m('wasmtime')} unit=s`);
  }
  if (RECORD) record(rows, big);
}

const BIG_IMPLS = [
  ['v8', 'wasi-rs (V8)'],
  ['engine_cold', 'engine, cold cache'],
  ['engine_warm', 'engine, warm cache'],
  ['node', 'node:wasi'],
  ['wasmtime', 'wasmtime CLI'],
];

/** The big programs' table, and its ratios. */
function printBig({ rows, wasmtime }) {
  console.log(`\nBig programs: whole runs, seconds (medians of ${BIG_REPS}; the cold engine run once)${wasmtime ? '' : '; no wasmtime CLI on PATH'}\n`);
  console.log(`benchmark     ${BIG_IMPLS.map(([, label]) => label.padEnd(20)).join('')}node/warm  warm/wasmtime`);
  for (const r of rows) {
    const m = r.medians;
    const ratio = (a, b) => (a == null || b == null ? '-' : (a / b).toFixed(2));
    console.log(`${r.name.padEnd(14)}${BIG_IMPLS.map(([impl]) => (m[impl] == null ? '-' : m[impl].toFixed(2)).padEnd(20)).join('')}${ratio(m.node, m.engine_warm).padEnd(11)}${ratio(m.engine_warm, m.wasmtime)}`);
  }
}

/** Writes the run's medians to docs/benchmarks.md (see --record). */
function record(rows, big) {
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  const text = `# Benchmarks: the last recorded run

Written by \`npm run bench -- --record\` (bench/run.js); do not edit by hand. What each benchmark measures, and how a call
travels, is in [performance.md](performance.md).

${REPS} interleaved rounds on ${os.cpus().length} cores (${os.cpus()[0].model}), ${os.platform()} ${os.release()}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.
Medians; the ratios are of cost (below 1: wasi-rs is faster; for MB/s the inverse of the speeds). native-mt is the native build
with one idle extra thread, the floor for a runtime inside Node. engine is wasi-rs's wasmtime engine (warm code cache) running
the same C benchmarks, which time the calls inside the guest, and the threaded CPU job; engine/wasi-rs compares it with wasi-rs
in V8.

| benchmark | unit | wasi-rs | engine | node:wasi | native | native-mt | wasi-rs/node | wasi-rs/native | engine/wasi-rs |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
${big ? bigTable(big) : ''}`;
  fs.writeFileSync(file, text);
  console.log(`\nrecorded in ${path.relative(ROOT, file)}`);
}

/** The big programs' section of docs/benchmarks.md. */
function bigTable({ rows, wasmtime }) {
  const cell = (v) => (v == null ? '-' : v.toFixed(2));
  const lines = rows.map((r) => {
    const m = r.medians;
    const ratio = (a, b) => (a == null || b == null ? '-' : (a / b).toFixed(2));
    return `| ${r.name} | ${r.what} | ${BIG_IMPLS.map(([impl]) => cell(m[impl])).join(' | ')} | ${ratio(m.node, m.engine_warm)} |`;
  });
  return `
## Big programs

Whole runs of big WASI programs, in seconds: medians of ${BIG_REPS} interleaved rounds; the engine with a cold cache ran once
(Cranelift compiles the whole module). ${wasmtime ? '' : 'No wasmtime CLI was on PATH. '}node:wasi/warm is how many times the engine
with a warm cache is faster than node:wasi.

| job | what | ${BIG_IMPLS.map(([, label]) => label).join(' | ')} | node:wasi/warm |
| --- | --- | --- | --- | --- | --- | --- | --- |
${lines.join('\n')}
`;
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
