#!/usr/bin/env node
'use strict';
// Runs the official wasi-threads tests (WebAssembly/wasi-testsuite, branch
// prod/testsuite-all, tests/proposals/wasi-threads) through this checkout's
// CLI, each with the exit status its .json expects (0 where it has none).
//
//   WASI_TESTSUITE_MIRROR=<git dir of the suite> node scripts/conformance-threads.js [CLI flags]
//
// CLI flags go before each test's module: `--engine wasmtime -C cache=n`
// runs the tests in the wasmtime engine (npm run build:engine first).
//
// Unlike ../shared/conformance/run.sh, every test gets a stdin that stays
// open and empty: three tests block a thread in fd_read on stdin and expect
// the process to end around it ("assumption: read from FD 0 blocks"), while
// that runner closes the child's stdin at once, so the read sees end of file
// and the thread runs into its own `unreachable`. And every test goes
// through the CLI: run.sh hands a module to the package's CLI only when it
// imports thread-spawn, which wasi_threads_noop does not (it imports only a
// memory, which Node's API cannot provide). Nothing of the suite is kept:
// the tests are read from the mirror into a temporary directory.
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const CLI = path.join(__dirname, '..', 'bin', 'wasi-rs.js');
const BRANCH = 'prod/testsuite-all';
const DIR = 'tests/proposals/wasi-threads';
const FLAGS = process.argv.slice(2);

function fail(message) {
  console.error(`conformance-threads: ${message}`);
  process.exit(2);
}

const mirror = process.env.WASI_TESTSUITE_MIRROR;
if (!mirror) fail('set WASI_TESTSUITE_MIRROR to a git dir of WebAssembly/wasi-testsuite');
const git = (...args) => execFileSync('git', ['-C', mirror, ...args], { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
let names;
try {
  names = git('ls-tree', '--name-only', `${BRANCH}:${DIR}`).toString().split('\n').filter((n) => n.endsWith('.wasm'));
} catch {
  fail(`no ${DIR} on ${BRANCH} in ${mirror}`);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-threads-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));

function runOne(file) {
  return new Promise((resolve) => {
    // stdin: a pipe this script keeps open (and never writes) until the test ends.
    const child = spawn(process.execPath, [CLI, ...FLAGS, file], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ status, signal, stderr });
    });
  });
}

(async () => {
  let passed = 0;
  const failures = [];
  for (const name of names.sort()) {
    const base = name.slice(0, -'.wasm'.length);
    const file = path.join(work, name);
    fs.writeFileSync(file, git('show', `${BRANCH}:${DIR}/${name}`));
    let expected = 0;
    try {
      expected = JSON.parse(git('show', `${BRANCH}:${DIR}/${base}.json`).toString()).exit_code ?? 0;
    } catch {
      // no .json: the test expects status 0
    }
    const started = Date.now();
    const r = await runOne(file);
    const ok = r.status === expected;
    if (ok) passed++;
    else failures.push(base);
    console.log(`${ok ? 'PASS' : 'FAIL'} ${base}: status ${r.status ?? r.signal}, expected ${expected} (${Date.now() - started} ms)${ok ? '' : `\n${r.stderr}`}`);
  }
  console.log(`wasi-threads: ${passed} passed, ${failures.length} failed of ${names.length}`);
  process.exitCode = failures.length ? 1 : 0;
})();
