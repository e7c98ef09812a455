#!/usr/bin/env node
'use strict';
// Compiles the test programs in __test__/programs to __test__/build/*.wasm:
// C with clang --target=wasm32-wasi (wasi-libc), and WebAssembly text (for
// the wasi_unstable ABI, which no C toolchain here targets) with wabt.
// Rebuilds only what changed.
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

function compileC(src, out) {
  try {
    execFileSync('clang', [...flagsFor(path.basename(src, '.c')), src, '-o', out], { stdio: 'inherit' });
  } catch {
    console.error(`cannot compile ${path.relative(root, src)} (is the toolchain installed? run scripts/ensure-toolchain.sh)`);
    process.exit(1);
  }
}

async function compileWat(src, out) {
  const wabt = await require('wabt')();
  const module = wabt.parseWat(path.basename(src), fs.readFileSync(src, 'utf8'), { threads: true });
  fs.writeFileSync(out, Buffer.from(module.toBinary({}).buffer));
  module.destroy();
}

async function build() {
  fs.mkdirSync(outDir, { recursive: true });
  let built = 0;
  for (const file of fs.readdirSync(srcDir).filter((f) => /\.(c|wat)$/.test(f)).sort()) {
    const src = path.join(srcDir, file);
    const out = path.join(outDir, `${path.basename(file, path.extname(file))}.wasm`);
    if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs) continue;
    if (file.endsWith('.c')) compileC(src, out);
    else await compileWat(src, out);
    built++;
  }
  console.log(`test programs: ${built} built, in ${path.relative(root, outDir)}`);
}

build().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
