'use strict';
// Big real programs, whole runs timed from outside (bench/run.js runs
// these after its call benchmarks; `--only` leaves them out unless named):
// the start-up and total time of a 20 MB+ WASI module, in
// - wasi-rs with V8 (`wasi-rs prog.wasm`);
// - wasi-rs with the wasmtime engine, with an empty code cache (cold, one
//   run: Cranelift compiles the whole module) and with a warm one;
// - node:wasi (bench/big-child.js);
// - the `wasmtime` CLI, with its own cache, when one is installed (see
//   findWasmtime).
// The programs are YoWASP's builds of clang (75 MB) and Yosys (30 MB),
// fetched from the npm registry once into bench/build/big, and an
// interpreter: RustPython (23 MB with its standard library frozen in),
// built once from crates.io for wasm32-wasip1 (about 6 minutes on 2 cores;
// no CPython or Ruby build that is a plain WASI command is published on
// npm or PyPI).
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const BIG_JOBS = ['clang_c', 'python_start', 'yosys_start', 'yosys_synth'];
const DIR = path.join(__dirname, 'build', 'big');
const CLI = path.join(ROOT, 'bin', 'wasi-rs.js');
const PACKAGES = {
  clang: { spec: '@yowasp/clang@22.0.0-git20542-10', files: ['package/gen/llvm.core.wasm', 'package/gen/llvm-resources.tar'] },
  yosys: { spec: '@yowasp/yosys@0.55.944', files: ['package/gen/yosys.core.wasm'] },
};
/** Programs built from crates.io with `cargo install`: the crate, its
 * features, and the binary. The build directory is kept, so a rebuild
 * (after a toolchain update) is incremental. */
const CRATES = {
  rustpython: { spec: 'rustpython@0.5.0', features: 'freeze-stdlib,stdlib,stdio,importlib,host_env,encodings', bin: 'rustpython.wasm' },
};

const SOURCE_C = `#include <stdio.h>
#include <string.h>
static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
struct point { double x, y; };
static double dot(struct point a, struct point b) { return a.x * b.x + a.y * b.y; }
int main(int argc, char **argv) {
  struct point p = {1.5, 2.5}, q = {3.0, -1.0};
  char buf[64];
  snprintf(buf, sizeof buf, "%d %f %zu", fib(argc + 20), dot(p, q), strlen(argv[0]));
  puts(buf);
  return 0;
}
`;
const SOURCE_V = `module counter(input clk, input rst, output reg [31:0] q);
  always @(posedge clk) if (rst) q <= 0; else q <= q * 3 + 7;
endmodule
`;
const YOSYS_SCRIPT = 'read_verilog /w/t.v; hierarchy -top counter; proc; flatten; opt; wreduce; alumacc; share; opt; fsm; memory; opt -full; stat; write_verilog -noattr /w/out.v';

/** The jobs: [name, what it is, module, argv0, args, preopens (guest -> host)]. */
function jobs() {
  const work = path.join(DIR, 'work');
  const clang = path.join(DIR, 'clang', 'package', 'gen', 'llvm.core.wasm');
  const yosys = path.join(DIR, 'yosys', 'package', 'gen', 'yosys.core.wasm');
  const sysroot = path.join(DIR, 'clang', 'resources');
  const python = path.join(DIR, 'rustpython', 'bin', CRATES.rustpython.bin);
  return [
    { name: 'clang_c', what: 'clang -O2 -c of a small C file (75 MB module)', wasm: clang, argv0: 'clang', args: ['-O2', '-c', '/w/t.c', '-o', '/w/t.o'], dirs: { '/w': work, '/usr': sysroot } },
    { name: 'python_start', what: "RustPython -c 'print(1)' (23 MB module: interpreter start-up)", wasm: python, argv0: 'python', args: ['-c', 'print(1)'], dirs: {} },
    { name: 'yosys_start', what: 'yosys -V (30 MB module: start-up)', wasm: yosys, argv0: 'yosys', args: ['-V'], dirs: {} },
    { name: 'yosys_synth', what: 'yosys: a counter through coarse synthesis', wasm: yosys, argv0: 'yosys', args: ['-q', '-p', YOSYS_SCRIPT], dirs: { '/w': work } },
  ];
}

/** Fetches and unpacks the programs (once). */
function prepare() {
  for (const [name, { spec, files }] of Object.entries(PACKAGES)) {
    const dest = path.join(DIR, name);
    if (files.every((f) => fs.existsSync(path.join(dest, f)))) continue;
    fs.mkdirSync(dest, { recursive: true });
    process.stderr.write(`bench: fetching ${spec} from the npm registry\n`);
    const tgz = execFileSync('npm', ['pack', '--silent', spec], { cwd: dest, encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['xzf', tgz, ...files], { cwd: dest });
    fs.rmSync(path.join(dest, tgz));
  }
  for (const [name, { spec, features, bin }] of Object.entries(CRATES)) {
    const root = path.join(DIR, name);
    if (fs.existsSync(path.join(root, 'bin', bin))) continue;
    process.stderr.write(`bench: building ${spec} for wasm32-wasip1 from crates.io (minutes, once)\n`);
    const args = ['install', spec, '--locked', '--target', 'wasm32-wasip1', '--no-default-features', '--features', features, '--root', root];
    execFileSync('cargo', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CARGO_TARGET_DIR: path.join(DIR, `${name}-target`) } });
  }
  const sysroot = path.join(DIR, 'clang', 'resources');
  if (!fs.existsSync(path.join(sysroot, 'include'))) {
    fs.mkdirSync(sysroot, { recursive: true });
    execFileSync('tar', ['xf', path.join(DIR, 'clang', 'package', 'gen', 'llvm-resources.tar'), '-C', sysroot]);
  }
  const work = path.join(DIR, 'work');
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(path.join(work, 't.c'), SOURCE_C);
  fs.writeFileSync(path.join(work, 't.v'), SOURCE_V);
}

/** The `wasmtime` CLI to compare with: on PATH, or installed into
 * target/tools/wasmtime-cli (`cargo install wasmtime-cli --version 48.0.8
 * --root target/tools/wasmtime-cli`, the version the engine uses); null
 * when there is none. */
function findWasmtime() {
  const local = path.join(ROOT, 'target', 'tools', 'wasmtime-cli', 'bin', process.platform === 'win32' ? 'wasmtime.exe' : 'wasmtime');
  for (const cmd of ['wasmtime', local]) {
    if (spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0) return cmd;
  }
  return null;
}

/** The command line of one job in one implementation. */
function command(impl, job, cacheDir, wasmtime) {
  const dirFlags = Object.entries(job.dirs).flatMap(([guest, host]) => ['--dir', `${host}::${guest}`]);
  switch (impl) {
    case 'v8':
      return [process.execPath, [CLI, '--argv0', job.argv0, ...dirFlags, job.wasm, ...job.args]];
    case 'engine_cold':
    case 'engine_warm':
      return [process.execPath, [CLI, '--engine', 'wasmtime', '-C', `cache-dir=${cacheDir}`, '--argv0', job.argv0, ...dirFlags, job.wasm, ...job.args]];
    case 'node':
      return [process.execPath, ['--no-warnings', path.join(__dirname, 'big-child.js'), JSON.stringify(job)]];
    case 'wasmtime':
      return [wasmtime, ['run', '--argv0', job.argv0, ...dirFlags, job.wasm, ...job.args]];
    default:
      throw new Error(`unknown implementation ${impl}`);
  }
}

/** Seconds for one whole run; throws if the program failed. */
function timeOnce(impl, job, cacheDir, wasmtime) {
  const [cmd, args] = command(impl, job, cacheDir, wasmtime);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${job.name} under ${impl} failed (${r.status ?? r.signal}): ${(r.stderr || '').slice(0, 400)}`);
  return { s, stdout: r.stdout };
}

/**
 * Runs every job `reps` times in each implementation, interleaved (the
 * cold engine run once per job, with a fresh cache); returns rows
 * `{ name, what, medians: { impl: s } }`, for the jobs named in `names`.
 */
function runBig(reps, median, names = BIG_JOBS) {
  prepare();
  const wasmtime = findWasmtime();
  const impls = ['v8', 'engine_warm', 'node', ...(wasmtime ? ['wasmtime'] : [])];
  const rows = [];
  for (const job of jobs().filter((j) => names.includes(j.name))) {
    // An empty cache for the cold run, which fills it for the warm ones.
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-rs-bench-cache-'));
    const samples = { engine_cold: [timeOnce('engine_cold', job, cache).s] };
    // wasmtime's own cache, warmed the same way.
    if (wasmtime) timeOnce('wasmtime', job, cache, wasmtime);
    const outputs = new Set();
    for (let rep = 0; rep < reps; rep++) {
      const order = impls.map((_, i) => impls[(i + rep) % impls.length]);
      for (const impl of order) {
        const { s, stdout } = timeOnce(impl, job, cache, wasmtime);
        (samples[impl] ||= []).push(s);
        outputs.add(stdout);
      }
    }
    fs.rmSync(cache, { recursive: true, force: true });
    if (outputs.size !== 1) throw new Error(`${job.name}: the implementations printed different output`);
    const medians = Object.fromEntries(Object.entries(samples).map(([impl, xs]) => [impl, median(xs)]));
    rows.push({ name: job.name, what: job.what, medians });
    process.stderr.write(`bench: ${job.name} done\n`);
  }
  return { rows, wasmtime: Boolean(wasmtime) };
}

module.exports = { runBig, BIG_JOBS };
