#!/usr/bin/env node
'use strict';
// Builds an addon with plain cargo and copies the library beside its JS.
// Usage: node scripts/build.js [--debug] [--test-hooks] [--engine]
// - the drop-in (default): wasi-rs.node;
// - --engine: the optional wasmtime engine (engine/, a workspace of its
//   own), engine/wasi-rs-engine.node; it takes minutes to build the first
//   time;
// - --test-hooks adds the test-only panic hook to the drop-in (the cargo
//   feature `test-hooks`): `npm test` builds so; `npm run build` and
//   releases do not.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const debug = process.argv.includes('--debug');
const testHooks = process.argv.includes('--test-hooks');
const engine = process.argv.includes('--engine');

const crate = engine
  ? { manifest: path.join(root, 'engine', 'Cargo.toml'), lib: 'wasi_rs_engine', dest: path.join(root, 'engine', 'wasi-rs-engine.node'), target: path.join(root, 'engine', 'target') }
  : { manifest: path.join(root, 'Cargo.toml'), lib: 'wasi_rs', dest: path.join(root, 'wasi-rs.node'), target: path.join(root, 'target') };
// The drop-in's two builds keep separate target directories: the library's
// file name does not change with its features, so builds of both in one
// directory could leave the other's library in place.
const base = engine ? crate.target : process.env.CARGO_TARGET_DIR || crate.target;
const targetDir = path.join(base, ...(testHooks && !engine ? ['test-hooks'] : []));
const cargoArgs = ['build', '--manifest-path', crate.manifest, ...(debug ? [] : ['--release']), ...(testHooks && !engine ? ['--features', 'test-hooks'] : [])];
execFileSync('cargo', cargoArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, CARGO_TARGET_DIR: targetDir } });

const libName = { darwin: `lib${crate.lib}.dylib`, win32: `${crate.lib}.dll` }[process.platform] || `lib${crate.lib}.so`;
const built = path.join(targetDir, debug ? 'debug' : 'release', libName);
// Copy to a temp name and rename, so a running process never maps a half-written file.
fs.copyFileSync(built, `${crate.dest}.tmp`);
fs.renameSync(`${crate.dest}.tmp`, crate.dest);
console.log(`built ${path.relative(root, crate.dest)} from ${path.relative(root, built)}${testHooks && !engine ? ' (with the test hooks)' : ''}`);
