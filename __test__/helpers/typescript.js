'use strict';
// TypeScript projects for the tests (typescript.test.js, examples.test.js):
// made in a temp dir as a user's would be, compiled with the TypeScript
// installed here.
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT, tempDir } = require('./run');

const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/**
 * A project with wasi-rs and `@types/node` (the version installed here as
 * `@types/<types>`) in its node_modules, the given sources, and a strict
 * tsconfig (`compilerOptions` added to it).
 * @param {Record<string, string>} files name -> source
 * @param {string} types 'node' or 'node-20'
 * @param {object} [compilerOptions]
 */
function tsProject(files, types, compilerOptions = {}) {
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
      ...compilerOptions,
    },
    files: Object.keys(files).filter((name) => /\.[cm]?ts$/.test(name)),
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  return dir;
}

/** Runs tsc on the project in `dir`: `{ status, output }`. */
function tsc(dir) {
  const r = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8', timeout: 120_000 });
  assert.strictEqual(r.error, undefined, String(r.error));
  return { status: r.status, output: r.stdout + r.stderr };
}

module.exports = { tsProject, tsc };
