'use strict';
// The examples in examples/ run as the README shows them: the README
// holds each one verbatim, and each is run here against real programs.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { spawn } = require('child_process');
const { ROOT, program } = require('./helpers/run');
const { WINDOWS } = require('./helpers/host');

const EXAMPLE = path.join(ROOT, 'examples', 'untrusted-http.js');

test('the README shows examples/untrusted-http.js as it is', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').replace(/\r\n/g, '\n');
  const source = fs.readFileSync(EXAMPLE, 'utf8').replace(/\r\n/g, '\n');
  assert.ok(readme.includes(`\`\`\`js\n${source}\`\`\``), 'README.md has the example verbatim in a js code block');
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
