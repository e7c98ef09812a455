'use strict';
// Runs one benchmark in this process. Usage:
//   node bench/child.js <wasi-rs|engine|node> <bench.wasm> <data-dir> <name> <engine-cache-dir>
//   node bench/child.js <wasi-rs|node> construct <hello.wasm> <iterations>
//   node bench/child.js <wasi-rs|node> calls <calls.wasm> <clock|write|read> <calls>
//   node bench/child.js <wasi-rs|engine|node> work <threads_rs[_single].wasm> <threads> <rounds> <engine-cache-dir>
//   node bench/child.js <wasi-rs|node> startup <hello.wasm> <start|run> <iterations>
// The C benchmarks report on stderr themselves; "construct" measures
// `new WASI()` with 1,000 env vars plus instantiation, in JS; "calls"
// times one import called from wasm, over the memory calls.wasm imports
// (a plain or a shared one: bench/programs/calls.wat); "work" times a
// whole run of the Rust test program's CPU job, compile and start-up
// included: its threaded build under wasi.run() (in the wasmtime engine
// too), or its single-threaded build under start(); "startup" times a
// whole run of hello.wasm, the WASI object and instance included, with
// start() or (wasi-rs only) with wasi.run(), which starts a worker for it.
const fs = require('fs');
const path = require('path');

const [impl, wasmOrMode, ...rest] = process.argv.slice(2);
// engine: wasi-rs with its wasmtime engine (the C benchmarks and "work").
const { WASI } = impl === 'node' ? require('wasi') : require(path.join(__dirname, '..'));

if (wasmOrMode === 'construct') {
  const [wasmPath, iterations] = rest;
  const module = new WebAssembly.Module(fs.readFileSync(wasmPath));
  const env = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`VAR_${i}`, `value-${i}-${'x'.repeat(20)}`]));
  const n = Number(iterations);
  const once = () => {
    const wasi = new WASI({ version: 'preview1', args: ['hello'], env });
    return new WebAssembly.Instance(module, wasi.getImportObject());
  };
  for (let i = 0; i < 20; i++) once(); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) once();
  const t1 = process.hrtime.bigint();
  process.stderr.write(`result=${(Number(t1 - t0) / n / 1000).toFixed(3)} unit=us/op\n`);
} else if (wasmOrMode === 'calls') {
  const [wasmPath, op, calls] = rest;
  const module = new WebAssembly.Module(fs.readFileSync(wasmPath));
  const limits = { initial: 1, maximum: 16 };
  const shared = /shared/.test(path.basename(wasmPath));
  const memory = new WebAssembly.Memory({ ...limits, shared });
  const wasi = new WASI({ version: 'preview1', returnOnExit: true });
  const instance = new WebAssembly.Instance(module, { ...wasi.getImportObject(), env: { memory } });
  wasi.initialize(instance);
  const run = instance.exports[op];
  const n = Number(calls);
  if (run(Math.min(n, 20000)) !== 0) throw new Error(`${op} failed`); // warm up
  const t0 = process.hrtime.bigint();
  const errors = run(n);
  const t1 = process.hrtime.bigint();
  if (errors !== 0) throw new Error(`${op} failed`);
  process.stderr.write(`result=${(Number(t1 - t0) / n).toFixed(1)} unit=ns/call\n`);
} else if (wasmOrMode === 'startup') {
  const [wasmPath, how, iterations] = rest;
  const bytes = fs.readFileSync(wasmPath);
  const module = new WebAssembly.Module(bytes);
  const devNull = fs.openSync(require('os').devNull, 'w');
  const once = async () => {
    const wasi = new WASI({ version: 'preview1', args: ['hello', 'bench'], stdout: devNull, returnOnExit: true });
    if (how === 'run') return wasi.run(bytes);
    return wasi.start(new WebAssembly.Instance(module, wasi.getImportObject()));
  };
  (async () => {
    for (let i = 0; i < 5; i++) await once(); // warm up
    const n = Number(iterations);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await once();
    const t1 = process.hrtime.bigint();
    process.stderr.write(`result=${(Number(t1 - t0) / n / 1e6).toFixed(3)} unit=ms/run\n`);
  })();
} else if (wasmOrMode === 'work') {
  const [wasmPath, threads, rounds, engineCache] = rest;
  const args = ['threads_rs', 'work', threads, rounds];
  const t0 = process.hrtime.bigint();
  const bytes = fs.readFileSync(wasmPath);
  const done = (status) => {
    if (status !== 0) throw new Error(`work exited with ${status}`);
    process.stderr.write(`result=${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} unit=ms\n`);
  };
  const wasi = new WASI({ version: 'preview1', args, returnOnExit: true });
  if (/_single\.wasm$/.test(wasmPath)) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), wasi.getImportObject());
    done(wasi.start(instance));
  } else {
    wasi.run(bytes, impl === 'engine' ? { engine: 'wasmtime', cache: engineCache } : {}).then(done);
  }
} else {
  const [dataDir, name, engineCache] = rest;
  const wasi = new WASI({ version: 'preview1', args: ['bench', name, '/data'], preopens: { '/data': dataDir }, returnOnExit: true });
  if (impl === 'engine') {
    wasi.run(fs.readFileSync(wasmOrMode), { engine: 'wasmtime', cache: engineCache }).then((status) => {
      process.exitCode = status;
    });
  } else {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(wasmOrMode)), wasi.getImportObject());
    process.exitCode = wasi.start(instance);
  }
}
