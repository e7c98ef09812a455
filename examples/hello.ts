// Runs a WASI program with wasi-rs, from TypeScript (compile with tsc,
// then run the .js):  node hello.js [program.wasm] [name]
import { readFile } from 'node:fs/promises';
import { WASI } from 'wasi-rs';

const file = process.argv[2] ?? new URL('../__test__/build/hello.wasm', import.meta.url);
const wasi = new WASI({ version: 'preview1', args: ['hello', process.argv[3] ?? 'TypeScript'] });
const wasm = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(wasm, wasi.getImportObject());
process.exitCode = wasi.start(instance);
