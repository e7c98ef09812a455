'use strict';
// What lib/run.js (the supervisor) and lib/thread-worker.js (each guest
// thread) agree on: the control words they share, and the wasi-threads
// numbers.

/** Int32 slots of the control SharedArrayBuffer. */
const NEXT_TID = 0; // the last thread id handed out (ids start at 1)
const LIVE = 1; // spawned threads not yet ended
const CONTROL_SLOTS = 2;

/** Thread ids are 1..=0x1FFFFFFF (the wasi-threads proposal). */
const MAX_TID = 0x1fffffff;
/** `thread-spawn`'s error: a negative errno, EAGAIN (no thread can be
 * started now), as wasi-libc's pthread_create reads it. */
const SPAWN_EAGAIN = -6;
/** The default for the `maxThreads` option: spawned threads alive at once. */
const DEFAULT_MAX_THREADS = 64;

module.exports = { NEXT_TID, LIVE, CONTROL_SLOTS, MAX_TID, SPAWN_EAGAIN, DEFAULT_MAX_THREADS };
