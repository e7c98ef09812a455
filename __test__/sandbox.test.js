'use strict';
// The capability sandbox: no path a guest names may touch anything outside
// its preopen, and symlinks that stay inside must keep working. Each escape
// kind has its own test; each checks the errno and that the outside tree is
// untouched.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { run, program, ROOT } = require('./helpers/run');
const { makeSandbox, snapshot } = require('./helpers/fixture');
const { WINDOWS, canSymlink, noSymlinks } = require('./helpers/host');

const ENOTCAPABLE = 76;
const ELOOP = 32;

function probe(fx, ...args) {
  const r = run('wasi-rs', 'sandbox_probe', { args: ['probe', ...args], preopens: { '/sandbox': fx.sandbox } });
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  const errno = Number(/errno=(\d+)/.exec(r.stdout)[1]);
  const data = /data=(.*)/.exec(r.stdout);
  return { errno, data: data && data[1] };
}

/** Runs `args` in a fresh fixture and expects `errno`, with nothing outside changed. */
function refused(args, errnos = [ENOTCAPABLE]) {
  const fx = makeSandbox();
  const before = snapshot(fx.outside);
  const r = probe(fx, ...args);
  assert.ok(errnos.includes(r.errno), `${args.join(' ')}: errno ${r.errno}, expected one of ${errnos}`);
  assert.strictEqual(r.data, null, 'no data may be read');
  assert.deepStrictEqual(snapshot(fx.outside), before, 'the outside tree changed');
  return fx;
}

test('.. past the preopen root is ENOTCAPABLE', () => {
  refused(['read', '../outside/secret.txt']);
  refused(['read', 'sub/../../outside/secret.txt']);
  refused(['read', '..']);
  refused(['stat', '../outside/secret.txt']);
});

test('an absolute path is ENOTCAPABLE', () => {
  const fx = makeSandbox();
  refused(['read', path.join(fx.outside, 'secret.txt')]);
  refused(['read', '/etc/passwd']);
  refused(['create', '/tmp/wasi-rs-should-not-exist']);
  assert.ok(!fs.existsSync('/tmp/wasi-rs-should-not-exist'));
});

test('a symlink with an absolute target outside is refused', { skip: noSymlinks() }, () => {
  refused(['read', 'link_abs']);
  refused(['stat', 'link_abs']);
  refused(['times', 'link_abs']);
});

test('a relative symlink climbing out with .. is refused', { skip: noSymlinks() }, () => {
  refused(['read', 'link_rel_out']);
  refused(['read', 'sub/deep_out']);
});

test('a symlink in the middle of a path leading outside is refused (Node follows it)', { skip: noSymlinks() }, () => {
  refused(['read', 'link_dir_out/secret.txt']);
  refused(['read-nofollow', 'link_dir_out/secret.txt']);
  refused(['read', 'link_dir_abs/secret.txt']);
  refused(['opendir', 'link_dir_out']);
  refused(['mkdir', 'link_dir_out/newdir']);
  refused(['unlink', 'link_dir_out/secret.txt']);
  refused(['rmdir', 'link_dir_out/dir']);
});

test('creating through a dangling symlink that points outside creates nothing', { skip: noSymlinks() }, () => {
  const fx = refused(['create', 'link_abs_dangling']);
  assert.ok(!fs.existsSync(path.join(fx.outside, 'new.txt')));
});

test('symlink loops are ELOOP', { skip: noSymlinks() }, () => {
  refused(['read', 'loop1'], [ELOOP]);
  refused(['read', 'self_loop'], [ELOOP]);
  refused(['read', 'loop1/x'], [ELOOP]);
});

test('hard links across the boundary are refused', () => {
  refused(['link', '../outside/secret.txt', 'stolen']);
  refused(['link', 'file.txt', '../outside/planted']);
  if (!canSymlink()) return; // the fixture has no links (helpers/host.js)
  refused(['link', 'link_dir_out/secret.txt', 'stolen']);
  refused(['link', 'file.txt', 'link_dir_out/planted']);
});

test('renames across the boundary are refused', () => {
  refused(['rename', 'file.txt', '../outside/moved']);
  refused(['rename', '../outside/secret.txt', 'stolen']);
  if (!canSymlink()) return; // the fixture has no links (helpers/host.js)
  refused(['rename', 'file.txt', 'link_dir_out/moved']);
  refused(['rename', 'link_dir_out/secret.txt', 'stolen']);
});

test('a new symlink with an absolute target is refused', () => {
  refused(['symlink', '/etc/passwd', 'newlink'], [ENOTCAPABLE, 63]);
});

test('symlinks that stay inside work, including relative ones through subdirectories', { skip: noSymlinks() }, () => {
  const fx = makeSandbox();
  assert.deepStrictEqual(probe(fx, 'read', 'inside_rel'), { errno: 0, data: 'inner' });
  assert.deepStrictEqual(probe(fx, 'read', 'sub/up_link'), { errno: 0, data: 'inside' });
  assert.deepStrictEqual(probe(fx, 'read', 'chain'), { errno: 0, data: 'inner' });
  assert.deepStrictEqual(probe(fx, 'read', 'subdir_link/inner.txt'), { errno: 0, data: 'inner' });
  assert.deepStrictEqual(probe(fx, 'read', 'sub/../file.txt'), { errno: 0, data: 'inside' });
  assert.deepStrictEqual(probe(fx, 'read', './sub/./inner.txt'), { errno: 0, data: 'inner' });
  assert.strictEqual(probe(fx, 'symlink', 'sub/inner.txt', 'made').errno, 0);
  assert.deepStrictEqual(probe(fx, 'read', 'made'), { errno: 0, data: 'inner' });
});

test('a symlink swapped in while the program runs never lets it read outside (race)', { skip: noSymlinks() }, async () => {
  const fx = makeSandbox();
  fs.mkdirSync(path.join(fx.sandbox, 'real'));
  fs.writeFileSync(path.join(fx.sandbox, 'real', 'secret.txt'), 'inside\n');
  const swap = path.join(fx.sandbox, 'swap');
  const tmp = path.join(fx.sandbox, 'swap.tmp');
  fs.symlinkSync('real', swap);
  const child = spawn(process.execPath, [
    '--no-warnings', path.join(ROOT, '__test__', 'helpers', 'child.js'), 'wasi-rs', program('race'),
    JSON.stringify({ args: ['race', '3000'], preopens: { '/sandbox': fx.sandbox } }),
  ]);
  let stdout = '';
  child.stdout.on('data', (d) => { stdout += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let done = false;
  exited.then(() => { done = true; });
  const targets = ['real', fx.outside, '../outside', 'real'];
  // Swap until the guest exits. Once it has said "ready" and 2,000 swaps
  // have happened since, tell it it may stop (after its 3,000 opens), so
  // every open it makes races with the swapping, on a loaded machine too.
  let swaps = 0;
  let sinceReady = 0;
  try {
    while (!done) {
      for (let i = 0; i < 200; i++) {
        fs.rmSync(tmp, { force: true });
        fs.symlinkSync(targets[swaps++ % targets.length], tmp);
        fs.renameSync(tmp, swap);
        if (stdout.startsWith('ready\n') && ++sinceReady === 2000) fs.writeFileSync(path.join(fx.sandbox, 'stop'), '');
      }
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    // If swapping failed, the guest would wait for a stop file forever.
    if (!done) child.kill();
  }
  assert.strictEqual(await exited, 0);
  const [ready, result] = stdout.trim().split('\n');
  assert.strictEqual(ready, 'ready');
  const counts = Object.fromEntries(result.split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
  assert.strictEqual(counts.outside, 0, `the guest read outside: ${stdout}`);
  assert.strictEqual(counts.other, 0, stdout);
  assert.ok(counts.inside > 0 && counts.refused > 0, `the race did not happen: ${stdout}`);
  assert.ok(counts.inside + counts.refused >= 3000 && sinceReady >= 2000, stdout);
});

// Windows names that lead out of the tree with no `..` and no symlink:
// drives, UNC and device paths, reserved device names and alternate data
// streams. On Windows each is ENOTCAPABLE (sandbox::check_path); on other
// hosts they are plain names: no such file inside, or a file made inside.
const WINDOWS_ESCAPES = [
  ['read', 'C:\\Windows\\win.ini'],
  ['read', 'C:secret.txt'],
  ['read', '\\\\?\\C:\\Windows\\win.ini'],
  ['read', '\\\\.\\C:\\Windows\\win.ini'],
  ['read', '\\\\localhost\\C$\\Windows\\win.ini'],
  ['read', '\\Windows\\win.ini'],
  ['read', 'sub\\..\\..\\outside\\secret.txt'],
  ['read', 'file.txt:hidden'],
  ['read', 'file.txt::$DATA'],
  ['read', 'CON'],
  ['read', 'sub/nul.txt'],
  ['read', 'CONIN$'],
  ['stat', 'NUL'],
  ['create', 'COM1'],
  ['create', 'file.txt:planted'],
  ['create', 'LPT1.log'],
  ['mkdir', 'AUX'],
  ['unlink', 'PRN'],
  ['rename', 'file.txt', 'NUL'],
  ['link', 'file.txt', 'CON'],
  ['symlink', 'C:\\Windows', 'drive_link'],
  ['symlink', 'NUL', 'device_link'],
];

test('Windows drive, UNC, device, reserved and stream names never leave the preopen', () => {
  for (const args of WINDOWS_ESCAPES) {
    const fx = makeSandbox();
    const outside = snapshot(fx.outside);
    const inside = snapshot(fx.sandbox);
    const r = probe(fx, ...args);
    const what = `${args.join(' ')}: errno ${r.errno}`;
    if (WINDOWS) {
      assert.strictEqual(r.errno, ENOTCAPABLE, what);
      assert.deepStrictEqual(snapshot(fx.sandbox), inside, `${what}: the preopen changed`);
    } else if (['read', 'stat', 'unlink'].includes(args[0])) {
      // A plain name here (the backslashed `..` too): nothing by that name.
      assert.strictEqual(r.errno, 44, what);
    }
    assert.strictEqual(r.data, null, what);
    assert.deepStrictEqual(snapshot(fx.outside), outside, `${what}: the outside tree changed`);
  }
});

test('a Windows junction leading out is refused like a symlink', (t) => {
  if (!WINDOWS) return t.skip('junctions exist only on Windows');
  const fx = makeSandbox();
  try {
    fs.symlinkSync(fx.outside, path.join(fx.sandbox, 'junction_out'), 'junction');
  } catch (e) {
    return t.skip(`this host makes no junctions (${e.code}; Wine 8 has none)`);
  }
  const before = snapshot(fx.outside);
  for (const args of [['read', 'junction_out/secret.txt'], ['create', 'junction_out/planted'], ['opendir', 'junction_out']]) {
    assert.strictEqual(probe(fx, ...args).errno, ENOTCAPABLE, args.join(' '));
  }
  assert.deepStrictEqual(snapshot(fx.outside), before);
});

// Every napi-rs loader preopens the host's root as '/', so that its wasm
// fallback sees files as the native binding does. There an absolute
// symlink (npm link, nix and bazel trees) leads nowhere the guest cannot
// already open, and is followed from that root; every narrower preopen
// keeps refusing it (docs/security.md).
test('under the host root preopened as /, absolute symlinks are followed; under any other preopen they are refused', { skip: noSymlinks() }, () => {
  const fx = makeSandbox();
  const real = path.join(fx.outside, 'real', 'pkg');
  fs.mkdirSync(real, { recursive: true });
  fs.writeFileSync(path.join(real, 'index.js'), 'inside pkg\n');
  const modules = path.join(fx.sandbox, 'node_modules');
  fs.mkdirSync(modules);
  fs.symlinkSync(real, path.join(modules, 'pkg')); // absolute, to a directory
  fs.symlinkSync(path.join(real, 'index.js'), path.join(modules, 'main.js')); // absolute, to a file
  fs.symlinkSync(path.join(modules, 'pkg'), path.join(modules, 'chain')); // absolute, to an absolute link
  const rel = (p) => path.relative('/', p);
  const asRoot = (preopens, ...args) => {
    const r = run('wasi-rs', 'sandbox_probe', { args: ['probe', ...args], preopens });
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    return { errno: Number(/errno=(\d+)/.exec(r.stdout)[1]), data: (/data=(.*)/.exec(r.stdout) || [])[1] };
  };
  const root = { '/': '/' };
  assert.deepStrictEqual(asRoot(root, 'read', rel(path.join(modules, 'pkg', 'index.js'))), { errno: 0, data: 'inside pkg' });
  assert.deepStrictEqual(asRoot(root, 'read', rel(path.join(modules, 'main.js'))), { errno: 0, data: 'inside pkg' });
  assert.deepStrictEqual(asRoot(root, 'read', rel(path.join(modules, 'chain', 'index.js'))), { errno: 0, data: 'inside pkg' });
  assert.strictEqual(asRoot(root, 'stat', rel(path.join(modules, 'pkg'))).errno, 0);
  assert.strictEqual(asRoot(root, 'opendir', rel(path.join(modules, 'chain'))).errno, 0);
  assert.strictEqual(asRoot(root, 'create', rel(path.join(modules, 'pkg', 'made.txt'))).errno, 0);
  assert.ok(fs.existsSync(path.join(real, 'made.txt')), 'created through the link, in its target');
  // Not following the last link: the link itself is found, not its target.
  assert.strictEqual(asRoot(root, 'read-nofollow', rel(path.join(modules, 'main.js'))).errno, ELOOP);
  // A loop of absolute links is ELOOP, not a hang.
  fs.symlinkSync(path.join(modules, 'loop_b'), path.join(modules, 'loop_a'));
  fs.symlinkSync(path.join(modules, 'loop_a'), path.join(modules, 'loop_b'));
  assert.strictEqual(asRoot(root, 'read', rel(path.join(modules, 'loop_a', 'x'))).errno, ELOOP);
  // The host root under another guest name, and a narrower preopen: refused.
  const inside = path.relative(fx.sandbox, path.join(modules, 'pkg', 'index.js'));
  assert.strictEqual(asRoot({ '/host': '/' }, 'read', rel(path.join(modules, 'pkg', 'index.js'))).errno, ENOTCAPABLE);
  assert.strictEqual(asRoot({ '/sandbox': fx.sandbox }, 'read', inside).errno, ENOTCAPABLE);
  assert.strictEqual(asRoot({ '/sandbox': fx.sandbox }, 'stat', path.relative(fx.sandbox, path.join(modules, 'main.js'))).errno, ENOTCAPABLE);
});
