#!/usr/bin/env node
'use strict';
// Builds the addon with plain cargo and copies the library to wasi-rs.node.
// Usage: node scripts/build.js [--debug]
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const debug = process.argv.includes('--debug');
const cargoArgs = ['build', '-p', 'wasi-rs', ...(debug ? [] : ['--release'])];
execFileSync('cargo', cargoArgs, { cwd: root, stdio: 'inherit' });

const libName = { darwin: 'libwasi_rs.dylib', win32: 'wasi_rs.dll' }[process.platform] || 'libwasi_rs.so';
const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, 'target');
const built = path.join(targetDir, debug ? 'debug' : 'release', libName);
const dest = path.join(root, 'wasi-rs.node');
// Copy to a temp name and rename, so a running process never maps a half-written file.
fs.copyFileSync(built, `${dest}.tmp`);
fs.renameSync(`${dest}.tmp`, dest);
console.log(`built ${path.relative(root, dest)} from ${path.relative(root, built)}`);
