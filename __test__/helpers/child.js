'use strict';
// Runs one WASI program in this (child) process so that its fds 0-2 are
// the ones the parent test set up. Usage:
//   node child.js <impl> <file.wasm> <options-json | @options-file>
// <impl> is "wasi-rs" or "node" (Node's built-in node:wasi).
// Prints nothing of its own except, for reactors, a final "exit=<code>".
const fs = require('fs');
const path = require('path');

const [impl, wasmPath, optionsJson] = process.argv.slice(2);
// `@<file>`: the options are in that file (a long list; see run.js).
const options = JSON.parse(optionsJson?.startsWith('@') ? fs.readFileSync(optionsJson.slice(1), 'utf8') : optionsJson || '{}');
const { WASI } = impl === 'node' ? require('wasi') : require(path.join(__dirname, '..', '..'));

const wasi = new WASI({ version: 'preview1', returnOnExit: true, ...options });
const wasmModule = new WebAssembly.Module(fs.readFileSync(wasmPath));
const instance = new WebAssembly.Instance(wasmModule, wasi.getImportObject());
// Tell the parent which ports the listeners got (port 0 picks a free one).
for (const { port } of wasi.listeners || []) process.stderr.write(`listening ${port}\n`);
const code = wasi.start(instance);
process.exitCode = code;
