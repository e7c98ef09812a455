#!/usr/bin/env node
'use strict';
// Builds the addon with plain cargo and copies the library to wasi-rs.node.
// Usage: node scripts/build.js [--debug] [--test-hooks]
// --test-hooks adds the test-only panic hook (the cargo feature
// `test-hooks`): `npm test` builds so; `npm run build` and releases do not.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const debug = process.argv.includes('--debug');
const testHooks = process.argv.includes('--test-hooks');
// The two builds keep separate target directories: the library's file name
// does not change with its features, so builds of both in one directory
// could leave the other's library in place.
const targetDir = path.join(process.env.CARGO_TARGET_DIR || path.join(root, 'target'), ...(testHooks ? ['test-hooks'] : []));
const cargoArgs = ['build', '-p', 'wasi-rs', ...(debug ? [] : ['--release']), ...(testHooks ? ['--features', 'test-hooks'] : [])];
execFileSync('cargo', cargoArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, CARGO_TARGET_DIR: targetDir } });

const libName = { darwin: 'libwasi_rs.dylib', win32: 'wasi_rs.dll' }[process.platform] || 'libwasi_rs.so';
const built = path.join(targetDir, debug ? 'debug' : 'release', libName);
const dest = path.join(root, 'wasi-rs.node');
// Copy to a temp name and rename, so a running process never maps a half-written file.
fs.copyFileSync(built, `${dest}.tmp`);
fs.renameSync(`${dest}.tmp`, dest);
console.log(`built ${path.relative(root, dest)} from ${path.relative(root, built)}${testHooks ? ' (with the test hooks)' : ''}`);
