'use strict';
// The command-line runner: flags as wasmtime's, exit codes, and one-line
// errors for bad input.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { cli, program, tempDir } = require('./helpers/run');
const { parseArgs } = require('../bin/wasi-rs.js');

test('--help documents the flags', () => {
  const r = cli(['--help']);
  assert.strictEqual(r.status, 0);
  for (const text of ['--dir HOST::GUEST', '--dir DIR', '--env NAME=VALUE', '-S tcplisten=ADDR', '--invoke NAME', '--argv0 NAME', 'Exit status']) {
    assert.ok(r.stdout.includes(text), text);
  }
});

test('runs a program with its arguments and exit code', () => {
  const r = cli([program('hello'), 'Ada']);
  assert.strictEqual(r.status, 0);
  assert.strictEqual(r.stdout, 'Hello, Ada, from WASI on wasi-rs!\n');
  assert.strictEqual(cli([program('exit_code'), '9']).status, 9);
});

test('argv[0] is the program name; everything after it goes to the program', () => {
  const r = cli([program('args_env'), '--dir', 'x', '--', '-v']);
  assert.strictEqual(r.stdout, 'argc=5\narg[0]=args_env.wasm\narg[1]=--dir\narg[2]=x\narg[3]=--\narg[4]=-v\nenvc=0\n');
});

test('-- ends the runner flags', () => {
  const r = cli(['--env', 'A=1', '--', program('args_env'), 'x']);
  assert.strictEqual(r.stdout, 'argc=2\narg[0]=args_env.wasm\narg[1]=x\nenv[0]=A=1\nenvc=1\n');
});

test('--env NAME=VALUE sets and --env NAME inherits', () => {
  const r = cli(['--env', 'A=x=y', '--env=B=', '--env', 'PATH', '--env', 'SURELY_UNSET_VAR_123', program('args_env')]);
  assert.match(r.stdout, /^env\[0\]=A=x=y$/m);
  assert.match(r.stdout, /^env\[1\]=B=$/m);
  assert.match(r.stdout, new RegExp(`^env\\[2\\]=PATH=${process.env.PATH.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  assert.match(r.stdout, /^envc=3$/m);
});

test('--dir HOST::GUEST and --dir DIR become preopens in order', () => {
  const a = tempDir();
  const b = tempDir();
  const r = cli(['--dir', `${a}::/data`, '--dir', b, program('fdstat')]);
  assert.strictEqual(r.status, 0, r.stderr);
  assert.match(r.stdout, /^preopen fd 3: errno=0 name=\/data len=5$/m);
  assert.ok(r.stdout.includes(`preopen fd 4: errno=0 name=${b} len=${b.length}`));
});

test('a program that traps exits 134 with a one-line message', () => {
  const r = cli([program('trap')]);
  assert.strictEqual(r.status, 134);
  assert.strictEqual(r.stdout, 'about to trap\n');
  assert.match(r.stderr, /^wasi-rs: .*trap\.wasm trapped: unreachable\n$/);
});

function assertOneLineError(r, pattern, status = 1) {
  assert.strictEqual(r.status, status);
  assert.strictEqual(r.stdout, '');
  const first = r.stderr.split('\n')[0];
  assert.match(first, pattern);
  assert.ok(first.startsWith('wasi-rs: '), first);
}

test('errors: missing file, not wasm, no _start, unknown import, bad preopen, bad flags', () => {
  const dir = tempDir();
  const text = path.join(dir, 'text.wasm');
  fs.writeFileSync(text, 'not wasm at all');
  assertOneLineError(cli([path.join(dir, 'missing.wasm')]), /cannot read .*missing\.wasm: no such file/);
  assertOneLineError(cli([text]), /text\.wasm is not a valid WebAssembly module/);
  const wat = path.join(dir, 'prog.wat');
  fs.writeFileSync(wat, '  ;; a module in the text format\n(module (func (export "_start")))\n');
  assertOneLineError(cli([wat]), /prog\.wat is WebAssembly text: wasi-rs runs binary modules; convert it first/);
  assertOneLineError(cli([program('reactor')]), /reactor\.wasm has no _start export/);
  assertOneLineError(cli([program('unknown_import')]), /unknown import env::not_a_wasi_function \(function\)/);
  assertOneLineError(cli(['--dir', `${path.join(dir, 'nope')}::/x`, program('hello')]), /cannot preopen .*nope/);
  assertOneLineError(cli([program('no_memory')]), /no_memory\.wasm exports no memory/);
  assertOneLineError(cli(['--invoke', 'nope', program('invoke')]), /invoke\.wasm exports no function nope/);
  // Usage errors exit 2, as wasmtime's.
  assertOneLineError(cli(['--bogus', program('hello')]), /unknown option --bogus/, 2);
  assertOneLineError(cli(['--dir']), /--dir needs a value/, 2);
  assertOneLineError(cli(['--env', '=x', program('hello')]), /the name is empty/, 2);
  assertOneLineError(cli([]), /no program given/, 2);
  assertOneLineError(cli(['-S', 'bogus', program('hello')]), /unknown WASI option -S bogus/, 2);
  assertOneLineError(cli(['--invoke', 'add', program('invoke'), '1']), /add takes 2 arguments \(i32, i32\), 1 given/, 2);
  assertOneLineError(cli(['--invoke', 'add', program('invoke'), '1', 'x']), /argument 2 of add is an i32: x is not one/, 2);
});

test('wasmtime\'s habits: run, --version, -S, --argv0, --invoke', () => {
  const version = cli(['--version']);
  assert.strictEqual(version.stdout, `wasi-rs ${require('../package.json').version}\n`);
  assert.strictEqual(cli(['-V']).stdout, version.stdout);
  const run = cli(['run', '--argv0', 'prog', program('args_env'), 'x']);
  assert.strictEqual(run.stdout, 'argc=2\narg[0]=prog\narg[1]=x\nenvc=0\n');
  assert.deepStrictEqual(parseArgs(['-S', 'tcplisten=127.0.0.1:0', '-Stcplisten=127.0.0.1:1', '--tcplisten', '127.0.0.1:2', 'p.wasm']).sockets, [
    { listen: '127.0.0.1:0' },
    { listen: '127.0.0.1:1' },
    { listen: '127.0.0.1:2' },
  ]);
  assert.strictEqual(parseArgs(['-S', 'inherit-env', 'p.wasm']).env.PATH, process.env.PATH);
  // --invoke: _initialize first, the arguments in the export's types, each result on a line.
  const inv = (...args) => cli(['--invoke', ...args]);
  assert.strictEqual(inv('add', program('invoke'), '2', '40').stdout, '42\n');
  assert.strictEqual(inv('mul64', program('invoke'), '4294967296', '3').stdout, '12884901888\n');
  assert.strictEqual(inv('half', program('invoke'), '5').stdout, '2.5\n');
  assert.strictEqual(inv('ready', program('invoke')).stdout, '1\n');
  assert.strictEqual(inv('quit', program('invoke'), '7').status, 7);
});

test('parseArgs understands both --flag value and --flag=value', () => {
  const opts = parseArgs(['--dir=/a::/b', '--dir', '/c', '--env=K=V', 'p.wasm', '--dir', 'q']);
  assert.deepStrictEqual(opts.preopens, { '/b': '/a', '/c': '/c' });
  assert.deepStrictEqual(opts.env, { K: 'V' });
  assert.strictEqual(opts.wasm, 'p.wasm');
  assert.deepStrictEqual(opts.args, ['--dir', 'q']);
});

test('--dir takes Windows host paths: a drive letter\'s colon is no separator', () => {
  const opts = parseArgs(['--dir', 'C:\\data::/data', '--dir=D:\\logs', '--dir', '\\\\server\\share\\x::/x', 'p.wasm']);
  assert.deepStrictEqual(opts.preopens, { '/data': 'C:\\data', 'D:\\logs': 'D:\\logs', '/x': '\\\\server\\share\\x' });
});
