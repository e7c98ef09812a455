'use strict';
// wasi-rs/register: with NODE_OPTIONS="--require wasi-rs/register", an
// application that uses node:wasi from CommonJS, from ESM and from a worker
// started with its own execArgv gets wasi-rs everywhere, runs its programs,
// and prints no ExperimentalWarning. The application is made in a temp
// dir that has wasi-rs in its node_modules, as an installed package.
const test = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ROOT, program, tempDir } = require('./helpers/run');
const { canSymlink } = require('./helpers/host');

function makeApp() {
  const app = tempDir();
  fs.mkdirSync(path.join(app, 'node_modules'));
  const installed = path.join(app, 'node_modules', 'wasi-rs');
  if (canSymlink()) {
    fs.symlinkSync(ROOT, installed, 'dir');
  } else {
    // No symlinks here (helpers/host.js): a copy of what the package ships.
    const { files } = require('../package.json');
    for (const f of [...files, 'package.json']) fs.cpSync(path.join(ROOT, f), path.join(installed, f), { recursive: true });
  }
  const hello = JSON.stringify(program('hello'));
  // Each part reports whether every way to name node:wasi gave wasi-rs,
  // then runs the sample program, which greets the part by name.
  const runHello = (who) => `
    const wasi = new WASI({ version: 'preview1', args: ['hello', '${who}'] });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(${hello})), wasi.getImportObject());
    const code = wasi.start(instance);`;
  fs.writeFileSync(path.join(app, 'main.js'), `
    const { readFileSync } = require('fs');
    const { Worker } = require('worker_threads');
    const { WASI } = require('node:wasi');
    const rs = require('wasi-rs');
    const builtin = process.getBuiltinModule ? process.getBuiltinModule('node:wasi') : rs;
    console.log('cjs', WASI === rs.WASI && require('wasi').WASI === rs.WASI && builtin.WASI === rs.WASI);
    ${runHello('cjs')}
    import('./part.mjs').then(() => {
      const w = new Worker(require('path').join(__dirname, 'worker.js'), { execArgv: [] });
      w.on('exit', (c) => {
        console.log('worker exit', c);
        // A worker with an env of its own, without NODE_OPTIONS.
        const e = new Worker("require('fs').writeSync(1, 'env worker ' + (require('node:wasi') === require('wasi-rs')) + String.fromCharCode(10))", { eval: true, env: { ONLY: 'this' } });
        e.on('exit', (c) => console.log('env worker exit', c));
      });
    });`);
  fs.writeFileSync(path.join(app, 'part.mjs'), `
    import { readFileSync } from 'fs';
    import { WASI } from 'node:wasi';
    import plain from 'wasi';
    import rs from 'wasi-rs';
    console.log('esm', WASI === rs.WASI && plain.WASI === rs.WASI);
    ${runHello('esm')}`);
  // A worker's console.log reaches stdout through the main thread, later
  // than the guest's own write to fd 1; the worker writes fd 1 directly so
  // the order of its lines is the order they were made.
  fs.writeFileSync(path.join(app, 'worker.js'), `
    const { readFileSync, writeSync } = require('fs');
    const { WASI } = require('node:wasi');
    writeSync(1, 'worker ' + (WASI === require('wasi-rs').WASI) + '\\n');
    ${runHello('worker')}
    import('node:wasi').then((m) => writeSync(1, 'worker esm ' + (m.WASI === WASI) + '\\n'));`);
  return app;
}

function runApp(app, nodeOptions) {
  const r = spawnSync(process.execPath, ['main.js'], {
    cwd: app,
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return r;
}

test('CJS, ESM, a worker with its own execArgv and one with its own env all get wasi-rs, with no warning', () => {
  const app = makeApp();
  const r = runApp(app, '--require wasi-rs/register');
  assert.strictEqual(r.status, 0, r.stderr);
  assert.deepStrictEqual(r.stdout.trim().split('\n'), [
    'cjs true',
    'Hello, cjs, from WASI on wasi-rs!',
    'esm true',
    'Hello, esm, from WASI on wasi-rs!',
    'worker true',
    'Hello, worker, from WASI on wasi-rs!',
    'worker esm true',
    'worker exit 0',
    'env worker true',
    'env worker exit 0',
  ]);
  assert.doesNotMatch(r.stderr, /ExperimentalWarning|WASI/);
  assert.strictEqual(r.stderr, '');
});

test('without the preload the same app gets Node\'s built-in (the test can fail)', () => {
  const app = makeApp();
  const r = runApp(app, '');
  assert.match(r.stdout, /^cjs false$/m);
  assert.match(r.stdout, /^esm false$/m);
  assert.match(r.stdout, /^worker false$/m);
  assert.match(r.stdout, /^env worker false$/m);
});

test('the preload is reachable only as wasi-rs/register, and wasi-rs still loads as the package', () => {
  const app = makeApp();
  const r = spawnSync(process.execPath, ['-e', `
    require('wasi-rs/register');
    console.log(typeof require('wasi-rs').WASI, require('node:wasi') === require('wasi-rs'));
    try { require('wasi-rs/lib/imports.js'); } catch (e) { console.log(e.code); }`], { cwd: app, encoding: 'utf8' });
  assert.strictEqual(r.stdout, 'function true\nERR_PACKAGE_PATH_NOT_EXPORTED\n', r.stderr);
});
