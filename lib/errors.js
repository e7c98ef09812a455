'use strict';
// Errors with the same `code`s (and close to the same messages) as Node's
// internal errors, so code that checks `err.code` keeps working.

const { inspect } = require('util');

function describe(value) {
  if (value == null) return ` Received ${value}`;
  if (typeof value === 'function') return ` Received function ${value.name}`;
  if (typeof value === 'object') {
    if (value.constructor && value.constructor.name) return ` Received an instance of ${value.constructor.name}`;
    return ` Received ${inspect(value, { depth: -1 })}`;
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof value} (${shown})`;
}

/** An error of `ErrorClass` with Node's kind of `code` property (and any `extra` own properties). */
function withCode(ErrorClass, code, message, extra = {}) {
  const err = new ErrorClass(message);
  Object.defineProperty(err, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  return Object.assign(err, extra);
}

/** How a run ends on `signal`'s abort, in either engine: its reason, or an AbortError. */
function guestAborted(signal) {
  return signal?.reason ?? withCode(Error, 'ABORT_ERR', 'The operation was aborted', { name: 'AbortError' });
}

/** How a run ends past its `timeout` (ms), in either engine. */
function guestTimedOut(timeout) {
  return withCode(Error, 'ERR_WASI_TIMEOUT', `the guest ran longer than ${timeout} ms`);
}

function ERR_INVALID_ARG_TYPE(name, expected, actual) {
  const what = name.includes('.') ? 'property' : 'argument';
  let message;
  if (expected === 'undefined') message = `The "${name}" ${what} must be undefined.`;
  else if (expected.startsWith('an instance of')) message = `The "${name}" ${what} must be ${expected}.`;
  else message = `The "${name}" ${what} must be of type ${expected}.`;
  return withCode(TypeError, 'ERR_INVALID_ARG_TYPE', message + describe(actual));
}

ERR_INVALID_ARG_TYPE.withMessage = (message) => withCode(TypeError, 'ERR_INVALID_ARG_TYPE', message);

function ERR_INVALID_ARG_VALUE(name, value, reason) {
  return withCode(
    TypeError,
    'ERR_INVALID_ARG_VALUE',
    `The property '${name}' ${reason}. Received ${inspect(value)}`,
  );
}

ERR_INVALID_ARG_VALUE.withMessage = (message) => withCode(TypeError, 'ERR_INVALID_ARG_VALUE', message);

function ERR_OUT_OF_RANGE(name, range, value) {
  return withCode(
    RangeError,
    'ERR_OUT_OF_RANGE',
    `The value of "${name}" is out of range. It must be ${range}. Received ${inspect(value)}`,
  );
}

function ERR_WASI_ALREADY_STARTED() {
  return withCode(Error, 'ERR_WASI_ALREADY_STARTED', 'WASI instance has already started');
}

/** Node's error for what its permission model refuses (`node
 * --permission`): `permission` names the scope, `resource` the path. */
function ERR_ACCESS_DENIED(permission, resource) {
  const err = withCode(Error, 'ERR_ACCESS_DENIED', `Access to this API has been restricted. Use --allow-${permission === 'FileSystemWrite' ? 'fs-write' : 'fs-read'} to manage permissions.`);
  return Object.assign(err, { permission, resource });
}

/**
 * Thrown by `proc_exit` to unwind the guest. `start()` catches it and
 * returns `exitCode`; from `initialize()` or a reactor's exported function
 * it reaches the caller, who can read `exitCode`.
 */
class WASIExitError extends Error {
  constructor(exitCode) {
    super(`WASI program exited with code ${exitCode}`);
    this.name = 'WASIExitError';
    this.code = 'ERR_WASI_EXIT';
    this.exitCode = exitCode;
  }
}

module.exports = {
  withCode,
  guestAborted,
  guestTimedOut,
  ERR_INVALID_ARG_TYPE,
  ERR_INVALID_ARG_VALUE,
  ERR_OUT_OF_RANGE,
  ERR_WASI_ALREADY_STARTED,
  ERR_ACCESS_DENIED,
  WASIExitError,
};
