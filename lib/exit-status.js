'use strict';
// How a guest's end becomes the host process's exit status, and what
// counts as a trap. One place for the CLI, `returnOnExit: false` and
// `wasi.run()`'s threads.

/** The statuses a WASI process may exit with: [0, 126). Larger ones (and
 * the negative ones wasm passes as an i32) are refused as wasmtime
 * refuses them: an OS keeps only the low 8 bits, so 256 would look like
 * success, and 126 and up mean "could not run" or "killed by a signal"
 * to a shell. */
const MAX_EXIT_STATUS = 125;

/**
 * The host status for the guest's exit `code` (proc_exit's argument, as
 * wasm passed it): the code itself when a WASI process may exit with it,
 * else 1, after a line on stderr saying why.
 * @param {number} code
 * @returns {number}
 */
function hostExitStatus(code) {
  const status = code >>> 0;
  if (status <= MAX_EXIT_STATUS) return status;
  process.stderr.write(`wasi-rs: the program exited with status ${status}, outside the range a WASI program may use (0-${MAX_EXIT_STATUS}): exiting with 1\n`);
  return 1;
}

/** Ends this process with the guest's exit `code`, as `hostExitStatus` maps it. */
function exitWithGuestStatus(code) {
  process.exit(hostExitStatus(code));
}

/** Whether `err`, thrown out of wasm, is a trap: a RuntimeError, or the
 * RangeError V8 throws when the guest exhausts its stack (a trap in the
 * spec's terms, whatever class V8 gives it). */
function isTrap(err) {
  return err instanceof WebAssembly.RuntimeError || (err instanceof RangeError && /Maximum call stack size exceeded/.test(err.message));
}

module.exports = { MAX_EXIT_STATUS, hostExitStatus, exitWithGuestStatus, isTrap };
