// Runs a WASI program with wasi-rs, from an ES module:
//   node examples/hello.mjs [program.wasm] [name]
import { readFile } from 'node:fs/promises';
import { WASI } from 'wasi-rs';

const file = process.argv[2] ?? new URL('../__test__/build/hello.wasm', import.meta.url);
const wasi = new WASI({ version: 'preview1', args: ['hello', process.argv[3] ?? 'ESM'] });
const { instance } = await WebAssembly.instantiate(await readFile(file), wasi.getImportObject());
process.exitCode = wasi.start(instance);
