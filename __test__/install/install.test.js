'use strict';
// The published packages, as a user gets them: the main tarball and the
// linux-x64 one from dist/ (npm run release:pack) are installed into a
// fresh project, and everything after that runs with no cargo or rustc on
// PATH and no Rust variable in the environment. A WASI program then runs
// through the API, through `npx wasi-rs` and through the preload, and the
// loader's errors for a missing package and an unsupported platform are
// the documented ones.
const test = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { program } = require('../helpers/run');

const ROOT = path.join(__dirname, '..', '..');
const { version } = require('../../package.json');
const DIST = path.join(ROOT, 'dist');
const MAIN = path.join(DIST, `wasi-rs-${version}.tgz`);
const LINUX_X64 = path.join(DIST, `wasi-rs-linux-x64-gnu-${version}.tgz`);
const ENGINE = path.join(DIST, `wasi-rs-engine-${version}.tgz`);
const ENGINE_LINUX_X64 = path.join(DIST, `wasi-rs-engine-linux-x64-gnu-${version}.tgz`);

// PATH without any directory that holds cargo, rustc or rustup, and no
// CARGO*/RUSTUP* variables: nothing from here on can build Rust.
function rustFreeEnv() {
  const dirs = process.env.PATH.split(path.delimiter).filter(
    (d) => !['cargo', 'rustc', 'rustup'].some((tool) => fs.existsSync(path.join(d, tool))),
  );
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CARGO|RUSTUP|RUSTC)/.test(k)));
  env.PATH = [path.dirname(process.execPath), ...dirs].join(path.delimiter);
  delete env.NODE_OPTIONS;
  return env;
}
const ENV = rustFreeEnv();

function sh(cwd, cmd, args, extraEnv = {}) {
  const r = spawnSync(cmd, args, { cwd, env: { ...ENV, ...extraEnv }, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return r;
}

function project(tarballs) {
  for (const t of tarballs) assert.ok(fs.existsSync(t), `${t} is missing: run \`npm run release:pack\` first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-rs-install-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  const r = sh(dir, 'npm', ['install', '--no-audit', '--no-fund', ...tarballs]);
  assert.strictEqual(r.status, 0, r.stderr);
  fs.copyFileSync(program('hello'), path.join(dir, 'hello.wasm'));
  return dir;
}

const RUN_API = `
  const { WASI } = require('wasi-rs');
  const fs = require('fs');
  const wasi = new WASI({ version: 'preview1', args: ['hello', process.argv[1]] });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync('hello.wasm')), wasi.getImportObject());
  wasi.start(instance);
  console.log(Object.keys(require.cache).filter((k) => k.endsWith('.node')).map((k) => require('path').relative(process.cwd(), k)).join());`;

// The release build leaves the test-only panic hook out (the cargo feature
// test-hooks, which only npm test's build has): asking for it, even with the
// test switch on, is an error that says so, and no import can be made to panic.
test('the released binary has no test hook', () => {
  const dir = project([MAIN, LINUX_X64]);
  const script = `
    const { WASI } = require('wasi-rs');
    try { new WASI({ version: 'preview1', [Symbol.for('wasi-rs.testPanicOn')]: 'fd_write' }); console.log('made'); }
    catch (e) { console.log(e.message); }`;
  const r = sh(dir, process.execPath, ['-e', script], { WASI_RS_TEST_HOOKS: '1' });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.match(r.stdout, /this build of wasi-rs has no test hooks/);
});

test('no Rust toolchain is reachable from the tests below', () => {
  const r = sh(os.tmpdir(), 'sh', ['-c', 'command -v cargo || command -v rustc || command -v rustup']);
  assert.notStrictEqual(r.status, 0, `found ${r.stdout}`);
});

test('installed from the tarballs, a program runs through the API, npx and the preload', () => {
  const dir = project([MAIN, LINUX_X64]);
  assert.ok(!fs.existsSync(path.join(dir, 'node_modules', 'wasi-rs', 'wasi-rs.node')), 'the main package ships no binary');
  const api = sh(dir, process.execPath, ['-e', RUN_API, 'api']);
  assert.strictEqual(api.status, 0, api.stderr);
  assert.strictEqual(api.stdout, 'Hello, api, from WASI on wasi-rs!\nnode_modules/wasi-rs-linux-x64-gnu/wasi-rs.linux-x64-gnu.node\n');
  const cli = sh(dir, 'npx', ['--no-install', 'wasi-rs', 'hello.wasm', 'npx']);
  assert.strictEqual(cli.status, 0, cli.stderr);
  assert.strictEqual(cli.stdout, 'Hello, npx, from WASI on wasi-rs!\n');
  const preload = sh(dir, process.execPath, ['-e', RUN_API.replace("require('wasi-rs')", "require('node:wasi')"), 'preload'], {
    NODE_OPTIONS: '--require wasi-rs/register',
  });
  assert.strictEqual(preload.status, 0, preload.stderr);
  assert.strictEqual(preload.stderr, '');
  assert.match(preload.stdout, /^Hello, preload, from WASI on wasi-rs!\n/);
});

// The optional wasmtime engine, installed from its two tarballs beside the
// main ones: the binary comes from its platform package, and a program runs
// in it through the API and the CLI. Without them the drop-in is unchanged
// and asking for the engine says what to install.
test('installed with the engine packages, a program runs in the engine', () => {
  const dir = project([MAIN, LINUX_X64, ENGINE, ENGINE_LINUX_X64]);
  const script = `
    const { WASI } = require('wasi-rs');
    const wasi = new WASI({ version: 'preview1', args: ['hello', 'engine'] });
    wasi.run(require('fs').readFileSync('hello.wasm'), { engine: 'wasmtime', cache: 'cache' }).then((status) => {
      const path = require('path');
      const addons = Object.keys(require.cache).filter((k) => k.endsWith('.node')).map((k) => path.relative(process.cwd(), k));
      console.log(status + ' ' + addons.sort().join());
    });`;
  const api = sh(dir, process.execPath, ['-e', script]);
  assert.strictEqual(api.status, 0, api.stderr);
  assert.strictEqual(
    api.stdout,
    'Hello, engine, from WASI on wasi-rs!\n0 node_modules/wasi-rs-engine-linux-x64-gnu/wasi-rs-engine.linux-x64-gnu.node,node_modules/wasi-rs-linux-x64-gnu/wasi-rs.linux-x64-gnu.node\n',
  );
  assert.strictEqual(fs.readdirSync(path.join(dir, 'cache')).length, 1, 'the compiled code was cached');
  const cli = sh(dir, 'npx', ['--no-install', 'wasi-rs', '--engine', 'wasmtime', '-C', 'cache=n', 'hello.wasm', 'cli']);
  assert.strictEqual(cli.status, 0, cli.stderr);
  assert.strictEqual(cli.stdout, 'Hello, cli, from WASI on wasi-rs!\n');

  const without = project([MAIN, LINUX_X64]);
  const r = sh(without, 'npx', ['--no-install', 'wasi-rs', '--engine', 'wasmtime', 'hello.wasm']);
  assert.notStrictEqual(r.status, 0);
  assert.match(r.stderr, new RegExp(`the wasmtime engine is not installed: install it with \`npm install wasi-rs-engine@${version.replace(/\./g, '\\.')}\``));
});

test('without the platform package, loading names the missing package', () => {
  const dir = project([MAIN]);
  const r = sh(dir, process.execPath, ['-e', "require('wasi-rs')"]);
  assert.notStrictEqual(r.status, 0);
  assert.match(r.stderr, /wasi-rs: no binary for linux-x64-gnu: wasi-rs.node is not built, and the package wasi-rs-linux-x64-gnu, which holds the binary for linux-x64-gnu, is not installed/);
  assert.match(r.stderr, /npm install && npm run build/);
});

test('on an unsupported platform, loading names it and what is supported', () => {
  const dir = project([MAIN, LINUX_X64]);
  const r = sh(dir, process.execPath, ['-e', "Object.defineProperty(process, 'arch', { value: 'riscv64' }); require('wasi-rs')"]);
  assert.notStrictEqual(r.status, 0);
  assert.match(
    r.stderr,
    /wasi-rs: no prebuilt binary for this platform \(linux-riscv64-gnu\); prebuilt binaries exist for linux-x64-gnu, linux-arm64-gnu, darwin-x64, darwin-arm64, win32-x64-msvc\./,
  );
});
