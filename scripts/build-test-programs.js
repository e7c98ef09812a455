#!/usr/bin/env node
'use strict';
// Compiles the test programs in __test__/programs to __test__/build/*.wasm:
// C with clang --target=wasm32-wasi (wasi-libc), WebAssembly text (for
// the wasi_unstable ABI and the wasi-threads cases, which no C toolchain
// here targets) with wabt, and the Rust crate threads_rs with cargo, for
// wasm32-wasip1-threads (threads_rs.wasm) and wasm32-wasip1
// (threads_rs_single.wasm). Rebuilds only what changed.
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

/** Newest modification time of the files under `dir`. */
function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the Rust crate `name` under __test__/programs for both targets
 * (its cargo output stays under target/, which git ignores). */
function buildRust(name) {
  const crate = path.join(srcDir, name);
  const outs = { 'wasm32-wasip1-threads': `${name}.wasm`, 'wasm32-wasip1': `${name}_single.wasm` };
  const changed = newest(path.join(crate, 'src'));
  let built = 0;
  for (const [target, file] of Object.entries(outs)) {
    const out = path.join(outDir, file);
    if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= changed) continue;
    const targetDir = path.join(root, 'target', 'test-programs');
    try {
      execFileSync('cargo', ['build', '--quiet', '--release', '--target', target, '--manifest-path', path.join(crate, 'Cargo.toml')], {
        stdio: 'inherit',
        env: { ...process.env, CARGO_TARGET_DIR: targetDir },
      });
    } catch {
      console.error(`cannot build ${name} for ${target} (run scripts/ensure-toolchain.sh, which adds the Rust target)`);
      process.exit(1);
    }
    fs.copyFileSync(path.join(targetDir, target, 'release', `${name}.wasm`), out);
    built++;
  }
  return built;
}

async function build() {
  fs.mkdirSync(outDir, { recursive: true });
  let built = buildRust('threads_rs');
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
