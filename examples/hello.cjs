// Runs a WASI program with wasi-rs, from CommonJS:
//   node examples/hello.cjs [program.wasm] [name]
// (`npm run sample` builds the default program.)
const fs = require('node:fs');
const path = require('node:path');
const { WASI } = require('wasi-rs');

const file = process.argv[2] ?? path.join(__dirname, '..', '__test__', 'build', 'hello.wasm');
const wasi = new WASI({ version: 'preview1', args: ['hello', process.argv[3] ?? 'CommonJS'] });
const wasm = new WebAssembly.Module(fs.readFileSync(file));
const instance = new WebAssembly.Instance(wasm, wasi.getImportObject());
process.exitCode = wasi.start(instance);
