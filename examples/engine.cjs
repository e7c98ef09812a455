// Runs a WASI program in the wasmtime engine, off the event loop, with limits:
//   node examples/engine.cjs [program.wasm] [name]
// (`npm run build:engine` builds the engine; `npm run sample` the program.)
const fs = require('node:fs');
const path = require('node:path');
const { WASI } = require('wasi-rs');

const file = process.argv[2] ?? path.join(__dirname, '..', '__test__', 'build', 'hello.wasm');
const wasi = new WASI({ version: 'preview1', args: ['hello', process.argv[3] ?? 'wasmtime'] });
wasi
  .run(fs.readFileSync(file), {
    engine: 'wasmtime',
    timeout: 10_000, // ms: ERR_WASI_TIMEOUT past it
    fuel: 1e9, // about this many wasm instructions: ERR_WASI_FUEL_EXHAUSTED
    maxMemory: 64 * 2 ** 20, // bytes: memory.grow fails past it
  })
  .then((status) => {
    process.exitCode = status;
  });
