'use strict';
// The wasmtime engine (engine/, `npm run test:engine` builds it): the same
// programs behave the same in both engines, the engine's limits each end a
// guest with their coded error, runs stop on abort, time-out and worker
// termination, and compiled code is cached on disk and checked on load.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const net = require('net');
const { spawnSync } = require('child_process');
const { WASI } = require('../..');
const { ROOT, CLI, program, tempDir } = require('../helpers/run');

/** Runs `name` in `engine` with stdout and stderr collected. */
async function runIn(engine, name, { args = [], options = {}, run = {} } = {}) {
  const out = [];
  const err = [];
  const wasi = new WASI({
    version: 'preview1',
    args: [name, ...args],
    stdout: (c) => out.push(c),
    stderr: (c) => err.push(c),
    ...options,
  });
  const bytes = fs.readFileSync(program(name));
  let status;
  let error;
  try {
    status = await wasi.run(bytes, { engine, ...run });
  } catch (e) {
    error = e;
  }
  return { status, error, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

function cache(name) {
  return path.join(tempDir(`engine-cache-${name}`), 'cache');
}

test('the engine is built and reports its wasmtime version; a run starts once', async () => {
  const engine = require('../../lib/engine').loadEngine();
  assert.match(engine.version(), /^\d+\.\d+\.\d+$/);
  const run = new engine.GuestRun();
  const options = { args: ['hello'], env: [], preopens: [], stdio: [-1, -1, -1], version: 'preview1' };
  const first = run.start(fs.readFileSync(program('hello')), options);
  assert.throws(() => run.start(fs.readFileSync(program('hello')), options), /already started/);
  assert.deepStrictEqual(await first, { kind: 'exit', status: 0, message: '' });
});

test('the same programs give the same output and status in both engines', async () => {
  const cases = [
    ['hello', { args: ['engines'] }],
    ['args_env', { args: ['a b', 'c'], options: { env: { ONE: '1', TWO: 'two' } } }],
    ['exit_code', { args: ['42'] }],
    ['clocks', {}],
    ['random', {}],
    ['bad_pointers', {}],
    ['unstable', { options: { version: 'unstable' } }],
  ];
  for (const [name, setup] of cases) {
    const v8 = await runIn('v8', name, setup);
    const wasmtime = await runIn('wasmtime', name, { ...setup, run: { cache: cache(name) } });
    assert.strictEqual(v8.error, undefined, `${name} in V8: ${v8.error}`);
    assert.strictEqual(wasmtime.error, undefined, `${name} in wasmtime: ${wasmtime.error}`);
    assert.deepStrictEqual(
      { status: wasmtime.status, stdout: wasmtime.stdout, stderr: wasmtime.stderr },
      { status: v8.status, stdout: v8.stdout, stderr: v8.stderr },
      name,
    );
  }
});

test('the filesystem and the sandbox are the same in the engine: fs_ops, and a read-only preopen', async () => {
  for (const engine of ['v8', 'wasmtime']) {
    const dir = tempDir(`engine-fs-${engine}`);
    const r = await runIn(engine, 'fs_ops', { options: { preopens: { '/': dir } }, run: engine === 'v8' ? {} : { cache: false } });
    assert.strictEqual(r.error, undefined, String(r.error));
    assert.doesNotMatch(r.stdout, /FAIL/, `${engine}:\n${r.stdout}`);
    assert.strictEqual(r.status, 0, r.stdout);
  }
  const results = {};
  for (const engine of ['v8', 'wasmtime']) {
    const dir = tempDir(`engine-ro-${engine}`);
    fs.writeFileSync(path.join(dir, 'inside.txt'), 'inside\n');
    const ro = { preopens: { '/': { path: dir, readOnly: true } } };
    results[engine] = [];
    for (const op of [['read', 'inside.txt'], ['create', 'new.txt'], ['unlink', 'inside.txt'], ['mkdir', 'd'], ['times', 'inside.txt'], ['read', '../x']]) {
      const r = await runIn(engine, 'sandbox_probe', { args: op, options: ro, run: engine === 'v8' ? {} : { cache: false } });
      results[engine].push(`${op.join(' ')}: ${r.stdout.trim().replace(/\n/g, ' ')} ${r.status}`);
    }
    assert.ok(fs.existsSync(path.join(dir, 'inside.txt')), 'the read-only tree is unchanged');
  }
  assert.deepStrictEqual(results.wasmtime, results.v8);
});

// A time limit of its own: a stop that is lost would otherwise hang the run.
test('a time-out, an abort and the fuel each stop a spinning guest with their own error', { timeout: 120_000 }, async () => {
  const timedOut = await runIn('wasmtime', 'spin', { run: { timeout: 200 } });
  assert.strictEqual(timedOut.error?.code, 'ERR_WASI_TIMEOUT', String(timedOut.error));
  assert.strictEqual(timedOut.stdout, 'spinning\n');

  const controller = new AbortController();
  const aborted = runIn('wasmtime', 'spin', { options: { stdout: () => controller.abort() }, run: { signal: controller.signal } });
  assert.strictEqual((await aborted).error?.name, 'AbortError');

  // An abort that comes while the module is still being compiled (cache:
  // false) stops it too: at whatever moment of the run's start-up it lands,
  // the run ends with the abort. (Before the check for it, an abort during
  // the compile was lost, and the guest spun for ever.)
  for (const delay of [0, 1, 3, 5, 10]) {
    const early = new AbortController();
    const starting = runIn('wasmtime', 'spin', { run: { signal: early.signal, cache: false } });
    setTimeout(() => early.abort(), delay);
    assert.strictEqual((await starting).error?.name, 'AbortError', `abort after ${delay} ms`);
  }

  const fueled = await runIn('wasmtime', 'spin', { run: { fuel: 2_000_000 } });
  assert.strictEqual(fueled.error?.code, 'ERR_WASI_FUEL_EXHAUSTED', String(fueled.error));
  assert.strictEqual(fueled.stdout, 'spinning\n');
});

test('memory: memory.grow fails at maxMemory, and a module that needs more at start is ERR_WASI_MEMORY_LIMIT', async () => {
  const grown = await runIn('wasmtime', 'grow_until_fail', { run: { maxMemory: 10 * 65536 } });
  assert.strictEqual(grown.status, 10, String(grown.error));
  const tooBig = await runIn('wasmtime', 'hello', { run: { maxMemory: 65536 } });
  assert.strictEqual(tooBig.error?.code, 'ERR_WASI_MEMORY_LIMIT', String(tooBig.error));
});

test('tables: table.grow fails at maxTableElements, and a table bigger at start is ERR_WASI_MEMORY_LIMIT', async () => {
  // The engine takes the text format: a module that grows its table by 10
  // until it fails, then exits with the table's size.
  const grower = (initial) => Buffer.from(`(module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (table $t ${initial} funcref)
    (func (export "_start")
      (block $full
        (loop $more
          (br_if $full (i32.eq (table.grow $t (ref.null func) (i32.const 10)) (i32.const -1)))
          (br_if $full (i32.ge_u (table.size $t) (i32.const 100000)))
          (br $more)))
      (call $exit (table.size $t))))`);
  const run = (initial, limit) => new WASI({ version: 'preview1' }).run(grower(initial), { engine: 'wasmtime', cache: false, maxTableElements: limit });
  assert.strictEqual(await run(5, 45), 45);
  await assert.rejects(run(50, 45), { code: 'ERR_WASI_MEMORY_LIMIT' });
  await assert.rejects(new WASI({ version: 'preview1' }).run(grower(1), { maxTableElements: 10 }), { code: 'ERR_INVALID_ARG_VALUE' });
});

test('stack exhaustion is a trap, also under a small maxStack', async () => {
  for (const run of [{}, { maxStack: 128 * 1024 }]) {
    const r = await runIn('wasmtime', 'stack_overflow', { run });
    assert.strictEqual(r.error?.code, 'ERR_WASI_TRAP', String(r.error));
    assert.ok(r.error instanceof WebAssembly.RuntimeError);
    assert.match(r.error.message, /^wasm trap: call stack exhausted in \S+/);
  }
});

test('a trap says what trapped and where', async () => {
  const r = await runIn('wasmtime', 'trap');
  assert.strictEqual(r.error?.code, 'ERR_WASI_TRAP', String(r.error));
  assert.match(r.error.message, /^wasm trap: wasm `unreachable` instruction executed in \S+/);
});

/** Sends `text` to 127.0.0.1:`port` and resolves with the whole reply. */
function request(port, text) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(text));
    let reply = '';
    s.on('data', (d) => { reply += d; });
    s.on('end', () => resolve(reply));
    s.on('error', reject);
  });
}

test('sockets: the engine serves the listener the WASI object bound', { skip: process.platform === 'win32' && 'the engine takes no sockets on Windows yet' }, async () => {
  const wasi = new WASI({ version: 'preview1', args: ['http_echo'], sockets: [{ listen: '127.0.0.1:0' }], stdout: () => {} });
  const { port } = wasi.listeners[0];
  const done = wasi.run(fs.readFileSync(program('http_echo')), { engine: 'wasmtime', cache: false });
  for (let i = 0; i < 5; i++) {
    const body = `GET /item/${i} HTTP/1.0`;
    assert.strictEqual(await request(port, `${body}\r\nHost: x\r\n\r\n`), `HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  }
  await request(port, 'GET /quit HTTP/1.0\r\n\r\n');
  assert.strictEqual(await done, 0);
});

test('options only the engine takes are refused for V8, and a compiled Module is refused by the engine', async () => {
  const wasi = () => new WASI({ version: 'preview1' });
  const bytes = fs.readFileSync(program('hello'));
  await assert.rejects(wasi().run(bytes, { fuel: 10 }), { code: 'ERR_INVALID_ARG_VALUE', message: /needs engine: 'wasmtime'/ });
  await assert.rejects(wasi().run(bytes, { engine: 'spidermonkey' }), { code: 'ERR_INVALID_ARG_VALUE' });
  await assert.rejects(wasi().run(new WebAssembly.Module(bytes), { engine: 'wasmtime' }), { code: 'ERR_INVALID_ARG_TYPE', message: /pass its bytes/ });
});

test('compiled code is cached: written once, loaded after, and a corrupt entry is compiled again', async () => {
  const dir = cache('reuse');
  const first = await runIn('wasmtime', 'hello', { args: ['cache'], run: { cache: dir } });
  assert.strictEqual(first.status, 0);
  const entries = fs.readdirSync(dir);
  assert.strictEqual(entries.length, 1, `one entry: ${entries}`);
  assert.match(entries[0], /^[0-9a-f]{64}\.cwasm$/);
  const entry = path.join(dir, entries[0]);
  const written = fs.statSync(entry).mtimeMs;
  const second = await runIn('wasmtime', 'hello', { args: ['cache'], run: { cache: dir } });
  assert.strictEqual(second.stdout, first.stdout);
  assert.strictEqual(fs.statSync(entry).mtimeMs, written, 'loaded, not written again');
  // Garbage over the end of the code: it is compiled again, and the program runs.
  const good = fs.readFileSync(entry);
  fs.writeFileSync(entry, Buffer.concat([good.subarray(0, good.length - 4096), Buffer.alloc(4096, 0xcc)]));
  const third = await runIn('wasmtime', 'hello', { args: ['cache'], run: { cache: dir } });
  assert.strictEqual(third.stdout, first.stdout);
  assert.deepStrictEqual(fs.readFileSync(entry), good, 'the entry is written again');
});

test('worker.terminate() and process.exit() do not wait for a guest that runs for ever', () => {
  const script = `
    const { Worker } = require('worker_threads');
    const worker = new Worker(\`
      const { WASI } = require(${JSON.stringify(ROOT)});
      const wasi = new WASI({ version: 'preview1', stdout: () => require('worker_threads').parentPort.postMessage('spinning') });
      wasi.run(require('fs').readFileSync(${JSON.stringify(program('spin'))}), { engine: 'wasmtime', cache: false });
    \`, { eval: true });
    worker.once('message', async () => {
      await worker.terminate();
      const { WASI } = require(${JSON.stringify(ROOT)});
      const wasi = new WASI({ version: 'preview1', stdout: () => process.exit(7) });
      wasi.run(require('fs').readFileSync(${JSON.stringify(program('spin'))}), { engine: 'wasmtime', cache: false });
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 });
  assert.strictEqual(r.signal, null, 'ended by itself, not by the time-out');
  assert.strictEqual(r.status, 7, r.stderr);
});

test('CLI: --engine wasmtime runs a program, a .wat file, limits as -W, and compile fills the cache', () => {
  const dir = tempDir('engine-cli');
  const cacheDir = path.join(dir, 'cache');
  const cli = (args) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  let r = cli(['--engine', 'wasmtime', '-C', `cache-dir=${cacheDir}`, program('hello'), 'CLI']);
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stdout, 'Hello, CLI, from WASI on wasi-rs!\n');
  r = cli(['--engine=wasmtime', '-C', 'cache=n', program('exit_code'), '9']);
  assert.strictEqual(r.status, 9, r.stderr);
  const wat = path.join(dir, 'exit.wat');
  fs.writeFileSync(wat, `(module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func (export "_start") (call $exit (i32.const 3))))`);
  r = cli(['run', '--engine', 'wasmtime', '-C', 'cache=n', wat]);
  assert.strictEqual(r.status, 3, r.stderr);
  r = cli(['--engine', 'wasmtime', '-C', 'cache=n', '-W', 'timeout=200ms', program('spin')]);
  assert.strictEqual(r.status, 134, r.stderr);
  assert.match(r.stderr, /^wasi-rs: .*spin\.wasm timed out/);
  r = cli(['--engine', 'wasmtime', '-C', 'cache=n', '-W', 'fuel=1000000', program('spin')]);
  assert.strictEqual(r.status, 134, r.stderr);
  assert.match(r.stderr, /ran out of fuel/);
  r = cli(['--engine', 'wasmtime', '-C', 'cache=n', '-W', 'max-memory-size=655360', program('grow_until_fail')]);
  assert.strictEqual(r.status, 10, r.stderr);
  // The V8 engine takes the limits it can enforce, and refuses the others.
  r = cli(['-W', 'timeout=200ms', program('spin')]);
  assert.strictEqual(r.status, 134, r.stderr);
  r = cli(['-W', 'fuel=10', program('hello')]);
  assert.strictEqual(r.status, 2);
  // compile: the code goes into the cache once.
  const compileDir = path.join(dir, 'compiled');
  r = cli(['compile', '-C', `cache-dir=${compileDir}`, program('hello')]);
  assert.strictEqual(r.status, 0, r.stderr);
  assert.match(r.stdout, /compiled into the cache/);
  assert.strictEqual(fs.readdirSync(compileDir).length, 1);
  r = cli(['compile', '-C', `cache-dir=${compileDir}`, program('hello')]);
  assert.match(r.stdout, /already in the cache/);
  r = cli(['--engine', 'wasmtime', '-C', `cache-dir=${compileDir}`, program('hello'), 'again']);
  assert.strictEqual(r.stdout, 'Hello, again, from WASI on wasi-rs!\n');
  assert.strictEqual(fs.readdirSync(compileDir).length, 1, 'the run used the entry compile made');
  // The same for other settings: compile with them, and a run with them finds the entry.
  r = cli(['compile', '-W', 'fuel=1', '-W', 'max-wasm-stack=262144', '-C', `cache-dir=${compileDir}`, program('hello')]);
  assert.match(r.stdout, /compiled into the cache/);
  r = cli(['--engine', 'wasmtime', '-W', 'fuel=100000000', '-W', 'max-wasm-stack=262144', '-C', `cache-dir=${compileDir}`, program('hello'), 'fuel']);
  assert.strictEqual(r.stdout, 'Hello, fuel, from WASI on wasi-rs!\n');
  assert.strictEqual(fs.readdirSync(compileDir).length, 2, 'the run with fuel used the entry compile made for it');
  // cache=n wins over a cache-dir given before it.
  r = cli(['--engine', 'wasmtime', '-C', `cache-dir=${path.join(dir, 'unused')}`, '-C', 'cache=n', program('hello'), 'x']);
  assert.strictEqual(r.status, 0, r.stderr);
  assert.ok(!fs.existsSync(path.join(dir, 'unused')), 'no cache written');
});

// A copy of the package without engine/, as an install without the add-on,
// with `layout` written into its node_modules (package dirs: file name ->
// contents, or a path to copy); returns what asking it for the engine
// printed: the exit status, or the error's code and message.
function askCopyForEngine(name, layout = {}, { version, before = '' } = {}) {
  const dir = tempDir(name);
  const pkgDir = path.join(dir, 'node_modules', 'wasi-rs');
  for (const entry of ['index.js', 'lib', 'package.json', 'wasi-rs.node']) {
    fs.cpSync(path.join(ROOT, entry), path.join(pkgDir, entry), { recursive: true });
  }
  if (version) {
    const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ ...manifest, version }));
  }
  for (const [file, contents] of Object.entries(layout)) {
    const dest = path.join(dir, 'node_modules', file);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (contents.from) fs.copyFileSync(contents.from, dest);
    else fs.writeFileSync(dest, contents);
  }
  const script = `${before}
    const { WASI } = require('wasi-rs');
    new WASI({ version: 'preview1', args: ['hello', 'copy'] }).run(require('fs').readFileSync(${JSON.stringify(program('hello'))}), { engine: 'wasmtime' })
      .then((status) => console.log('status ' + status), (e) => { console.log(e.code + ': ' + e.message); });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: dir });
  assert.strictEqual(r.status, 0, r.stderr);
  return r.stdout;
}

const { version: VERSION } = require('../../package.json');
const { currentSuffix } = require('../../lib/platforms');
const SUFFIX = currentSuffix();
// The engine's packages as release:pack lays them out: the meta package
// (engine/npm) and this platform's, which holds the binary.
const META = {
  'wasi-rs-engine/package.json': JSON.stringify({ name: 'wasi-rs-engine', version: VERSION, main: 'index.js' }),
  'wasi-rs-engine/index.js': { from: path.join(ROOT, 'engine', 'npm', 'index.js') },
};
const PLATFORM = {
  [`wasi-rs-engine-${SUFFIX}/package.json`]: JSON.stringify({ name: `wasi-rs-engine-${SUFFIX}`, version: VERSION, main: `wasi-rs-engine.${SUFFIX}.node` }),
  [`wasi-rs-engine-${SUFFIX}/wasi-rs-engine.${SUFFIX}.node`]: { from: path.join(ROOT, 'engine', 'wasi-rs-engine.node') },
};

test('without the engine, asking for it is one error that says what to install', () => {
  assert.strictEqual(
    askCopyForEngine('engine-missing'),
    `ERR_WASI_ENGINE_NOT_INSTALLED: the wasmtime engine is not installed: install it with \`npm install wasi-rs-engine@${VERSION}\`, or build it from a clone of wasi-rs with \`npm run build:engine\`\n`,
  );
  // The meta package without its platform package (npm skipped the optional dependency).
  assert.strictEqual(
    askCopyForEngine('engine-no-platform', META),
    `ERR_WASI_ENGINE_NOT_INSTALLED: the wasmtime engine is not installed for this platform: wasi-rs-engine is, but not its binary for ${SUFFIX}, ` +
      `the package wasi-rs-engine-${SUFFIX} (an optional dependency npm skipped: install again without --no-optional, or \`npm install wasi-rs-engine-${SUFFIX}@${VERSION}\`)\n`,
  );
  // A platform with no prebuilt engine.
  assert.match(
    askCopyForEngine('engine-unsupported', META, { before: "Object.defineProperty(process, 'arch', { value: 'riscv64' });" }),
    /^ERR_WASI_ENGINE_NOT_INSTALLED: .*there is no prebuilt engine for this platform \(\w+-riscv64\S*\); prebuilt engines exist for linux-x64-gnu, linux-arm64-gnu, darwin-x64, darwin-arm64, win32-x64-msvc\. Build it from a clone of wasi-rs with `npm run build:engine`\n$/,
  );
});

test('the engine loads from its packages, and only when built for the same release', () => {
  assert.strictEqual(askCopyForEngine('engine-packaged', { ...META, ...PLATFORM }), 'Hello, copy, from WASI on wasi-rs!\nstatus 0\n');
  assert.strictEqual(askCopyForEngine('engine-platform-only', PLATFORM), 'Hello, copy, from WASI on wasi-rs!\nstatus 0\n', 'the platform package alone serves too');
  // A wasi-rs of another release refuses this engine.
  const other = askCopyForEngine('engine-other-release', { ...META, ...PLATFORM }, { version: '9.9.9' });
  const binary = `/node_modules/wasi-rs-engine-${SUFFIX}/wasi-rs-engine.${SUFFIX}.node`;
  assert.ok(other.startsWith('ERR_WASI_ENGINE_VERSION_MISMATCH: the wasmtime engine at /'), other);
  assert.ok(
    other.endsWith(`${binary} was built for wasi-rs ${VERSION}, and this is wasi-rs 9.9.9: install the same version of both (\`npm install wasi-rs-engine@9.9.9\`)\n`),
    other,
  );
});

test('the example in docs/engine.md runs', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'examples', 'engine.cjs')], { encoding: 'utf8', cwd: ROOT });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stdout, 'Hello, wasmtime, from WASI on wasi-rs!\n');
});
