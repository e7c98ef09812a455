'use strict';
// Runs one benchmark in this process. Usage:
//   node bench/child.js <wasi-rs|node> <bench.wasm> <data-dir> <name>
//   node bench/child.js <wasi-rs|node> construct <hello.wasm> <iterations>
// The C benchmarks report on stderr themselves; "construct" measures
// `new WASI()` with 1,000 env vars plus instantiation, in JS.
const fs = require('fs');
const path = require('path');

const [impl, wasmOrMode, ...rest] = process.argv.slice(2);
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
} else {
  const [dataDir, name] = rest;
  const wasi = new WASI({ version: 'preview1', args: ['bench', name, '/data'], preopens: { '/data': dataDir }, returnOnExit: true });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(wasmOrMode)), wasi.getImportObject());
  process.exitCode = wasi.start(instance);
}
