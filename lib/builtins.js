'use strict';
// The builtins wasi-rs relies on at the JS boundary, captured when it
// loads. Other JS in the process is not trusted: replacing
// `WebAssembly.Memory.prototype.buffer`, the typed arrays' `length` or
// `Function.prototype.call` later must not make a call use a buffer other
// than the memory's own, or a detached one. index.js (validation) and
// lib/imports.js (binding the memory) both use these.

const uncurry = Function.prototype.bind.bind(Function.prototype.call);
const { freeze, defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Object;

/** The getter `proto[name]` as a plain function of its receiver, if any. */
function getter(proto, name) {
  const d = getOwnPropertyDescriptor(proto, name);
  return d && d.get ? uncurry(d.get) : undefined;
}

/** A memory's current buffer. Brand-checked: throws for anything but a
 * WebAssembly.Memory (from any realm). */
const memoryBuffer = getter(WebAssembly.Memory.prototype, 'buffer');
const sharedByteLength = getter(SharedArrayBuffer.prototype, 'byteLength');
/** Whether an ArrayBuffer is resizable (false where Node has no such buffers). */
const isResizable = getter(ArrayBuffer.prototype, 'resizable') || (() => false);
const Uint8 = Uint8Array;

/** Whether `value` is a WebAssembly.Memory. */
function isMemory(value) {
  if (value === null || typeof value !== 'object') return false;
  try {
    memoryBuffer(value);
    return true;
  } catch {
    return false;
  }
}

/** Whether `buffer` is a SharedArrayBuffer. */
function isShared(buffer) {
  try {
    sharedByteLength(buffer);
    return true;
  } catch {
    return false;
  }
}

// The view whose length tells whether the buffer was detached: a private
// subclass whose `length` is the builtin getter, so that redefining
// %TypedArray%.prototype.length cannot hide a detachment (V8 still
// inlines the check).
class View extends Uint8 {}
defineProperty(View.prototype, 'length', { get: getOwnPropertyDescriptor(getPrototypeOf(Uint8.prototype), 'length').get });
freeze(View.prototype);
freeze(View);

// The prototype of the import objects (`wasiImport`, `getImportObject()`).
// wasm resolves imports with ordinary property gets, so an object whose
// prototype is Object.prototype would hand a module `constructor` (and
// through it Object and Function), `__proto__` or `toString`. This one
// holds only what makes the objects behave as ordinary ones to their JS
// users: `hasOwnProperty` (harmless to a module that imports it: it
// reaches nothing), and string conversion under a symbol, which no import
// name can spell. Frozen, with a null prototype itself.
const hasOwn = uncurry(Object.prototype.hasOwnProperty);
const importsPrototype = freeze({
  __proto__: null,
  hasOwnProperty(key) {
    return hasOwn(this, key);
  },
  [Symbol.toPrimitive](hint) {
    return hint === 'number' ? NaN : '[object Object]';
  },
});

module.exports = { freeze, memoryBuffer, isMemory, isShared, isResizable, importsPrototype, Uint8, View };
