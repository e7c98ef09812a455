'use strict';
// Node 20's V8 (11.3) loses a wasm local kept across
// `memory.atomic.wait32` in code from its baseline compiler, Liftoff: a
// thread that waits for another then reads a stale value, and a Rust
// program's join or channel receive hangs. V8 12 and later (Node 22+) are
// right. Liftoff is a process-wide V8 setting, read when wasm code is
// compiled, so before a wasi-threads module is compiled on Node 20 it is
// turned off for the process (code already compiled keeps its tier; later
// modules then compile with the optimizing tier only). docs/threads.md.
const { moduleImports } = require('./wasm-binary');

const affected = Number(process.versions.v8.split('.')[0]) < 12;
let applied = false;

/** Whether `bytes` is a wasi-threads module: it imports `thread-spawn` or
 * a shared memory (false for anything that is not a module). */
function isThreadsBinary(bytes) {
  try {
    return moduleImports(bytes).some((imp) => (imp.module === 'wasi' && imp.name === 'thread-spawn') || imp.shared);
  } catch {
    return false;
  }
}

/** Turns Liftoff off on an affected V8 before `bytes`, a wasi-threads
 * module, is compiled. Returns whether it is off now because of this. */
function avoidLiftoffBug(bytes) {
  if (!affected || applied || !isThreadsBinary(bytes)) return applied;
  require('v8').setFlagsFromString('--no-liftoff');
  applied = true;
  return true;
}

module.exports = { avoidLiftoffBug, isThreadsBinary };
