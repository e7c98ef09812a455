'use strict';
// Runs one job of bench/big.js under node:wasi, as a whole process:
//   node bench/big-child.js '<job as JSON>'
// Exits with the program's status.
const fs = require('fs');
const { WASI } = require('wasi');

const job = JSON.parse(process.argv[2]);
const wasi = new WASI({ version: 'preview1', args: [job.argv0, ...job.args], preopens: job.dirs, returnOnExit: true });
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(job.wasm)), wasi.getImportObject());
process.exitCode = wasi.start(instance);
