#!/usr/bin/env node
'use strict';
// Compiles the C test programs in __test__/programs to __test__/build/*.wasm
// with clang --target=wasm32-wasi (wasi-libc). Rebuilds only what changed.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const srcDir = path.join(root, '__test__', 'programs');
const outDir = path.join(root, '__test__', 'build');

// Programs that are reactors (no _start; JS calls their exports).
const REACTORS = new Set(['reactor']);

function flagsFor(name) {
  const flags = ['--target=wasm32-wasi', '-O2', '-Wall', '-Werror', '-Wno-unused-result'];
  if (REACTORS.has(name)) flags.push('-mexec-model=reactor');
  return flags;
}

function build() {
  fs.mkdirSync(outDir, { recursive: true });
  let built = 0;
  for (const file of fs.readdirSync(srcDir).filter((f) => f.endsWith('.c')).sort()) {
    const name = path.basename(file, '.c');
    const src = path.join(srcDir, file);
    const out = path.join(outDir, `${name}.wasm`);
    if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs) continue;
    try {
      execFileSync('clang', [...flagsFor(name), src, '-o', out], { stdio: 'inherit' });
    } catch {
      console.error(`cannot compile ${path.relative(root, src)} (is the toolchain installed? run scripts/ensure-toolchain.sh)`);
      process.exit(1);
    }
    built++;
  }
  console.log(`test programs: ${built} built, in ${path.relative(root, outDir)}`);
}

build();
