'use strict';
// Test helpers: run a WASI program in a child process under either
// implementation and capture its exit code, stdout and stderr.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const BUILD = path.join(ROOT, '__test__', 'build');
const CHILD = path.join(__dirname, 'child.js');
const CLI = path.join(ROOT, 'bin', 'wasi-rs.js');
/** How much slower than native this machine runs the tests: 1 unless
 * WASI_RS_TEST_TIME_SCALE says more (scripts/test-arm64.sh sets it under
 * qemu). Tests that wait for a child or give it a head start scale by it. */
const TIME_SCALE = Math.max(1, Number(process.env.WASI_RS_TEST_TIME_SCALE) || 1);

/** Path of a compiled test program. */
function program(name) {
  const file = path.join(BUILD, `${name}.wasm`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm test\` (it builds the test programs)`);
  return file;
}

/**
 * Runs `name` under `impl` ('wasi-rs' or 'node') with WASI `options`.
 * `input` is fed to stdin. Returns { status, signal, stdout, stderr }.
 */
function run(impl, name, options = {}, { input = '', env = {} } = {}) {
  // Long options go through a file: a Windows command line holds at most
  // 32,767 characters.
  let json = JSON.stringify(options);
  if (json.length > 8192) {
    const file = path.join(tempDir(), 'options.json');
    fs.writeFileSync(file, json);
    json = `@${file}`;
  }
  const r = spawnSync(process.execPath, ['--no-warnings', CHILD, impl, program(name), json], {
    input,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI with `args`. */
function cli(args, { input = '' } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the CLI with `args` and a stdin pipe kept open (never written):
 * resolves with the exit status, stderr, and whether the process ended
 * while its stdin was still open (the pipe is closed after 30 s anyway).
 */
function cliWithOpenStdin(args) {
  const child = require('child_process').spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const guard = setTimeout(() => child.stdin.end(), 30_000);
  return new Promise((resolve) => {
    child.on('exit', (status) => {
      const endedWithStdinOpen = !child.stdin.writableEnded;
      clearTimeout(guard);
      child.stdin.destroy();
      resolve({ status, stderr, endedWithStdinOpen });
    });
  });
}

/** A fresh temporary directory, removed when the process exits. */
function tempDir(prefix = 'wasi-rs-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // On Windows a file a live WASI instance still holds cannot be
      // deleted before the process ends; the temp dir then stays.
    }
  });
  return dir;
}

module.exports = { TIME_SCALE, ROOT, BUILD, CLI, program, run, cli, cliWithOpenStdin, tempDir };
