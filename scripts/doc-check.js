'use strict';
// `cargo doc` with warnings denied, as `npm run lint` runs it: the core's
// public documentation, and the binding's (a cdylib whose modules are all
// private, documented for its maintainers with --document-private-items).
const { execFileSync } = require('child_process');

const env = { ...process.env, RUSTDOCFLAGS: '-D warnings' };
for (const args of [
  ['doc', '-p', 'wasi-core', '--no-deps', '--quiet'],
  ['doc', '-p', 'wasi-rs', '--no-deps', '--document-private-items', '--quiet'],
]) {
  execFileSync('cargo', args, { stdio: 'inherit', env });
}
