'use strict';
// A real application of the preload: napi-rs bindings compiled to
// wasm32-wasip1-threads (@node-rs/crc32 and @node-rs/xxhash, as published
// on npm) run on node:wasi through @napi-rs/wasm-runtime, and start their
// worker with a fixed execArgv. With wasi-rs installed from the tarballs and
// NODE_OPTIONS="--require wasi-rs/register", they must run unchanged, give
// the results they give on Node's built-in, and print no warning.
const test = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const { version } = require('../../package.json');
const TARBALLS = [`wasi-rs-${version}.tgz`, `wasi-rs-linux-x64-gnu-${version}.tgz`].map((f) => path.join(ROOT, 'dist', f));
// Pinned: what the test was written against. --force: their cpu is wasm32.
const BINDINGS = ['@node-rs/crc32-wasm32-wasi@1.10.6', '@node-rs/xxhash-wasm32-wasi@1.7.6'];

const APP = `
  const { crc32, crc32c } = require('@node-rs/crc32-wasm32-wasi');
  const { xxh32, xxh64 } = require('@node-rs/xxhash-wasm32-wasi');
  const data = Buffer.from('hello wasi-rs '.repeat(1000));
  console.log(crc32(data), crc32c(data), xxh32(data, 0), String(xxh64(data)));
  console.log(require('node:wasi').WASI === require('wasi-rs').WASI ? 'wasi-rs' : 'built-in');
  setTimeout(() => process.exit(0), 50); // the bindings' worker keeps the loop alive`;

test('napi-rs wasm32-wasi bindings run unchanged on wasi-rs through the preload', () => {
  for (const t of TARBALLS) assert.ok(fs.existsSync(t), `${t} is missing: run \`npm run release:pack\` first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-rs-napi-wasm-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  fs.writeFileSync(path.join(dir, 'app.js'), APP);
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--force', ...TARBALLS, ...BINDINGS], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  assert.strictEqual(install.status, 0, install.stderr);
  const run = (nodeOptions) => {
    const env = { ...process.env, NODE_OPTIONS: nodeOptions };
    const r = spawnSync(process.execPath, ['app.js'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    assert.strictEqual(r.status, 0, r.stderr);
    return r;
  };
  const builtin = run('');
  const ours = run('--require wasi-rs/register');
  const [builtinHashes, builtinImpl] = builtin.stdout.trim().split('\n');
  const [ourHashes, ourImpl] = ours.stdout.trim().split('\n');
  assert.strictEqual(builtinImpl, 'built-in');
  assert.strictEqual(ourImpl, 'wasi-rs');
  assert.match(ourHashes, /^\d+ \d+ \d+ \d+$/);
  assert.strictEqual(ourHashes, builtinHashes);
  assert.strictEqual(ours.stderr, '');
});
