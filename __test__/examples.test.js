'use strict';
// The examples in examples/ run as the README and docs/ show them: those
// hold each one verbatim, and each is run here against real programs.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { spawn } = require('child_process');
const { ROOT, program } = require('./helpers/run');
const { tsProject, tsc } = require('./helpers/typescript');
const { WINDOWS, canSymlink } = require('./helpers/host');

const EXAMPLE = path.join(ROOT, 'examples', 'untrusted-http.js');
const read = (...p) => fs.readFileSync(path.join(ROOT, ...p), 'utf8').replace(/\r\n/g, '\n');

test('the README and docs/ show the examples as they are', () => {
  const shown = [
    ['README.md', 'hello.cjs', 'js'],
    ['README.md', 'hello.mjs', 'js'],
    ['README.md', 'hello.ts', 'ts'],
    [path.join('docs', 'untrusted-code.md'), 'untrusted-http.js', 'js'],
    [path.join('docs', 'threads.md'), 'threads.cjs', 'js'],
    // Run by __test__/engine/engine.test.js, with the engine built.
    [path.join('docs', 'engine.md'), 'engine.cjs', 'js'],
  ];
  for (const [doc, example, lang] of shown) {
    assert.ok(read(doc).includes(`\`\`\`${lang}\n${read('examples', example)}\`\`\``), `${doc} has examples/${example} verbatim`);
  }
});

/** Runs node with `args` (and `env` added); returns stdout, checking it exited 0 with no stderr. */
function node(args, env = {}) {
  const r = require('child_process').spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...env }, cwd: ROOT });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stderr, '');
  return r.stdout;
}

test('the examples run: CommonJS, ESM, threads, the preload', () => {
  assert.strictEqual(node([path.join(ROOT, 'examples', 'hello.cjs')]), 'Hello, CommonJS, from WASI on wasi-rs!\n');
  assert.strictEqual(node([path.join(ROOT, 'examples', 'hello.mjs'), program('hello'), 'you']), 'Hello, you, from WASI on wasi-rs!\n');
  // A threads program: its hash of the work, and status 0.
  assert.match(node([path.join(ROOT, 'examples', 'threads.cjs')]), /^[0-9a-f]{16}\n$/);
  // The preload: node:wasi's app, wasi-rs underneath, and no ExperimentalWarning.
  assert.strictEqual(node([path.join(ROOT, 'examples', 'preload.cjs')], { NODE_OPTIONS: `--require ${path.join(ROOT, 'register.js')}` }), 'Hello, preload, from WASI on wasi-rs!\n');
});

test('the TypeScript example compiles under --strict and runs', { skip: (WINDOWS && 'TypeScript 7 is a native binary for the host that ran npm') || (!canSymlink() && 'needs symlinks') }, () => {
  const dir = tsProject({ 'hello.ts': read('examples', 'hello.ts'), 'package.json': '{ "type": "module" }' }, 'node', { outDir: 'out' });
  const compiled = tsc(dir);
  assert.strictEqual(compiled.status, 0, compiled.output);
  assert.strictEqual(node(['--preserve-symlinks', path.join(dir, 'out', 'hello.js'), program('hello')]), 'Hello, TypeScript, from WASI on wasi-rs!\n');
});

/** Starts the example server with `wasm`; resolves with its port and the child. */
async function startServer(wasm) {
  const child = spawn(process.execPath, [EXAMPLE, wasm, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`the example exited with ${code}: ${out}`)));
  });
  return { child, port, log: () => out };
}

function request(port, pathname, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, path: pathname, method: 'POST' }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const NO_JS_STDIO = WINDOWS && 'stdio served from JS is not on Windows yet';

test('the untrusted-code HTTP server streams a program\'s output per request, and stops one that runs too long', { skip: NO_JS_STDIO }, async () => {
  const echo = await startServer(program('stdio_echo'));
  try {
    const replies = await Promise.all([request(echo.port, '/a', 'hello'), request(echo.port, '/b', 'world')]);
    assert.deepStrictEqual(replies, [{ status: 200, text: 'HELLO' }, { status: 200, text: 'WORLD' }]);
  } finally {
    echo.child.kill();
  }
  const spin = await startServer(program('spin'));
  try {
    // Two at once: the event loop serves the second while the first runs.
    // The program prints a line, then spins: the reply is what it wrote
    // before it was stopped.
    const replies = await Promise.all([request(spin.port, '/slow', ''), request(spin.port, '/slow2', '')]);
    assert.deepStrictEqual(replies, [{ status: 200, text: 'spinning\n' }, { status: 200, text: 'spinning\n' }]);
    // The server logs each end after the reply has ended.
    for (let waited = 0; !/\/slow2?: ERR_WASI_TIMEOUT[^]*\/slow2?: ERR_WASI_TIMEOUT/.test(spin.log()) && waited < 20_000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(spin.log(), /\/slow: ERR_WASI_TIMEOUT/);
    assert.match(spin.log(), /\/slow2: ERR_WASI_TIMEOUT/);
  } finally {
    spin.child.kill();
  }
});
