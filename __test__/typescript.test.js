'use strict';
// TypeScript: wasi-rs is a drop-in for @types/node's `node:wasi`. Code
// written against it (__test__/typescript/dropin.ts) compiles under
// `tsc --strict` as it is and with its import changed to 'wasi-rs', with
// the current @types/node and with Node 20's; wasi-rs's extras
// (__test__/typescript/extras.ts) are typed too.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT, tempDir } = require('./helpers/run');
const { canSymlink, WINDOWS } = require('./helpers/host');

const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const SOURCES = path.join(__dirname, 'typescript');

/** A project in a temp dir, as a user's: wasi-rs and `@types/node` (the
 * version installed here as `types`) in its node_modules, the given
 * sources, and a strict tsconfig. */
function project(files, types) {
  const dir = tempDir('wasi-rs-ts-');
  fs.mkdirSync(path.join(dir, 'node_modules', '@types'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'wasi-rs'), 'dir');
  const typesDir = path.join(ROOT, 'node_modules', '@types', types);
  fs.symlinkSync(typesDir, path.join(dir, 'node_modules', '@types', 'node'), 'dir');
  // @types/node's own dependency, the version that one resolves.
  const undici = path.dirname(require.resolve('undici-types/package.json', { paths: [typesDir] }));
  fs.symlinkSync(undici, path.join(dir, 'node_modules', 'undici-types'), 'dir');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const tsconfig = {
    compilerOptions: {
      strict: true,
      noEmit: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      // WebAssembly's types are in TypeScript's DOM library.
      lib: ['es2022', 'dom'],
      types: ['node'],
      // Resolve from the project's node_modules, as an installed package
      // would, not from the symlinks' targets.
      preserveSymlinks: true,
      skipLibCheck: false,
    },
    files: Object.keys(files),
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  return dir;
}

function tsc(dir) {
  const r = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8', timeout: 120_000 });
  assert.strictEqual(r.error, undefined, String(r.error));
  return { status: r.status, output: r.stdout + r.stderr };
}

const SKIP = (WINDOWS && 'TypeScript 7\'s compiler is a native binary installed for the host running npm') || (!canSymlink() && 'needs symlinks');

for (const types of ['node', 'node-20']) {
  test(`code typed against @types/${types === 'node' ? 'node (current)' : 'node 20'}'s node:wasi compiles unchanged against wasi-rs under --strict`, { skip: SKIP }, () => {
    const original = fs.readFileSync(path.join(SOURCES, 'dropin.ts'), 'utf8');
    assert.match(original, /from 'node:wasi'/);
    const againstNode = tsc(project({ 'dropin.ts': original }, types));
    assert.strictEqual(againstNode.status, 0, `the fixture must compile against node:wasi itself:\n${againstNode.output}`);
    const againstUs = tsc(project({ 'dropin.ts': original.replace(/from 'node:wasi'/g, "from 'wasi-rs'") }, types));
    assert.strictEqual(againstUs.status, 0, againstUs.output);
  });
}

test('wasi-rs\'s own extras are typed, and a mistyped one is an error', { skip: SKIP }, () => {
  const extras = fs.readFileSync(path.join(SOURCES, 'extras.ts'), 'utf8');
  assert.strictEqual(tsc(project({ 'extras.ts': extras }, 'node')).status, 0);
  const wrong = extras.replace('maxFds: 64', "maxFds: '64'");
  const r = tsc(project({ 'extras.ts': wrong }, 'node'));
  assert.notStrictEqual(r.status, 0);
  const line = wrong.split('\n').findIndex((l) => l.includes('maxFds')) + 1;
  assert.match(r.output, new RegExp(`extras\\.ts\\(${line},\\d+\\): error TS2322`));
});
