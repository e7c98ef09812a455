// An application written for Node's built-in node:wasi. Run it with the
// preload and it gets wasi-rs, unchanged:
//   NODE_OPTIONS="--require wasi-rs/register" node examples/preload.cjs
const fs = require('node:fs');
const path = require('node:path');
const { WASI } = require('node:wasi');

const wasi = new WASI({ version: 'preview1', args: ['hello', 'preload'] });
const file = path.join(__dirname, '..', '__test__', 'build', 'hello.wasm');
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), wasi.getImportObject());
wasi.start(instance);
