'use strict';
// `cargo doc` with warnings denied, as `npm run lint` runs it: the core's
// public documentation, and the binding's (a cdylib whose modules are all
// private, documented for its maintainers with --document-private-items).
// With --engine (npm run test:engine), the wasmtime engine's instead, which
// is a workspace of its own.
const { execFileSync } = require('child_process');

const env = { ...process.env, RUSTDOCFLAGS: '-D warnings' };
const runs = process.argv.includes('--engine')
  ? [['doc', '--manifest-path', 'engine/Cargo.toml', '--no-deps', '--document-private-items', '--quiet']]
  : [
    ['doc', '-p', 'wasi-core', '--no-deps', '--quiet'],
    ['doc', '-p', 'wasi-rs', '--no-deps', '--document-private-items', '--quiet'],
  ];
for (const args of runs) {
  execFileSync('cargo', args, { stdio: 'inherit', env, cwd: require('path').join(__dirname, '..') });
}
