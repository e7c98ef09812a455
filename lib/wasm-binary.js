'use strict';
// What the JS API cannot tell of a module: the limits of the memory it
// imports. A wasi-threads module imports a shared memory, which the host
// must create with the module's own limits and `shared: true`;
// `WebAssembly.Module.imports()` gives only its names (the
// type-reflection proposal is not in Node), so they are read from the
// binary's import section here.

class WasmFormatError extends Error {}

/** A cursor over the module's bytes. Every read checks the bounds. */
class Reader {
  constructor(bytes, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.at = start;
    this.end = end;
  }

  byte() {
    if (this.at >= this.end) throw new WasmFormatError('unexpected end of the module');
    return this.bytes[this.at++];
  }

  /** An unsigned LEB128 of at most `bits` bits, as a Number (or a BigInt
   * past 2^53, which only 64-bit memories have). */
  uleb(bits = 32) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) break;
      if (shift >= BigInt(bits + 7)) throw new WasmFormatError('integer too long');
    }
    if (result >= 1n << BigInt(bits)) throw new WasmFormatError('integer too large');
    return result <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(result) : result;
  }

  skip(n) {
    if (n > this.end - this.at) throw new WasmFormatError('unexpected end of the module');
    this.at += n;
  }

  name() {
    const length = this.uleb();
    const start = this.at;
    this.skip(length);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, length).toString('utf8');
  }

  /** Limits: `{ initial, maximum, shared, index64 }`. */
  limits() {
    const flags = this.byte();
    if (flags & ~0x0f) throw new WasmFormatError(`unknown limits flags ${flags}`);
    const index64 = (flags & 4) !== 0;
    const bits = index64 ? 64 : 32;
    const initial = this.uleb(bits);
    const maximum = flags & 1 ? this.uleb(bits) : undefined;
    const pageSizeLog2 = flags & 8 ? this.uleb() : undefined;
    return { initial, maximum, shared: (flags & 2) !== 0, index64, pageSizeLog2 };
  }
}

/** Limits as the binary encodes them (the inverse of `Reader.limits`). */
function encodeLimits({ initial, maximum, shared, index64, pageSizeLog2 }) {
  const flags = (maximum !== undefined ? 1 : 0) | (shared ? 2 : 0) | (index64 ? 4 : 0) | (pageSizeLog2 !== undefined ? 8 : 0);
  const out = [flags, ...encodeUleb(initial)];
  if (maximum !== undefined) out.push(...encodeUleb(maximum));
  if (pageSizeLog2 !== undefined) out.push(...encodeUleb(pageSizeLog2));
  return out;
}

/**
 * The sections of a module, in order: `{ id, start, end, sectionStart }`,
 * `start`..`end` being the contents and `sectionStart` where the section's
 * id byte is. Throws a WasmFormatError for bytes that are not a module.
 * @param {Uint8Array} bytes
 */
function* sections(bytes) {
  const r = new Reader(bytes);
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const b of header) if (r.byte() !== b) throw new WasmFormatError('not a WebAssembly module (bad magic or version)');
  while (r.at < r.end) {
    const sectionStart = r.at;
    const id = r.byte();
    const size = r.uleb();
    const start = r.at;
    r.skip(size);
    yield { id, start, end: r.at, sectionStart };
  }
}

const KINDS = ['function', 'table', 'memory', 'global', 'tag'];

/**
 * The imports of a module, from its binary: `{ module, name, kind }`, and
 * for a function also its `typeIndex`, for a memory its limits (`Reader.limits`).
 * Throws a WasmFormatError for bytes that are not a module.
 * @param {Uint8Array} bytes
 */
function moduleImports(bytes) {
  for (const { id, start, end } of sections(bytes)) {
    if (id === 2) return readImports(new Reader(bytes, start, end));
  }
  return [];
}

/** The entries of an import section's contents (see `moduleImports`). */
function readImports(s) {
  const imports = [];
  for (let count = s.uleb(); count > 0; count--) {
    const module = s.name();
    const name = s.name();
    const kind = s.byte();
    const entry = { module, name, kind: KINDS[kind] };
    if (kind === 0) entry.typeIndex = s.uleb();
    else if (kind === 1) {
      s.byte();
      s.limits();
    } else if (kind === 2) Object.assign(entry, s.limits());
    else if (kind === 3) {
      s.byte();
      s.byte();
    } else if (kind === 4) {
      s.byte();
      s.uleb();
    } else throw new WasmFormatError(`unknown import kind ${kind}`);
    imports.push(entry);
  }
  return imports;
}

/** An unsigned LEB128 encoding of `value` (a Number or a BigInt). */
function encodeUleb(value) {
  let v = BigInt(value);
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

/**
 * The module's bytes with the maximum of every memory it defines lowered
 * to `maxPages` (given one where it had none), so that `memory.grow` past
 * it fails inside the guest, as wasm defines. The memories it imports are
 * the host's to make (see lib/run.js). Returns `{ bytes, initial }`, with
 * the largest initial size of a defined memory (pages), for the caller to
 * refuse a module that could not even start under the cap.
 * @param {Uint8Array} bytes
 * @param {number} maxPages
 */
function capDefinedMemories(bytes, maxPages) {
  for (const { id, start, end, sectionStart } of sections(bytes)) {
    if (id !== 5) continue;
    const s = new Reader(bytes, start, end);
    const count = s.uleb();
    const out = [...encodeUleb(count)];
    let initial = 0;
    for (let i = 0; i < count; i++) {
      const limits = s.limits();
      const { maximum } = limits;
      const capped = maximum === undefined || BigInt(maximum) > BigInt(maxPages) ? maxPages : maximum;
      initial = Math.max(initial, Number(limits.initial));
      out.push(...encodeLimits({ ...limits, maximum: capped }));
    }
    const body = Uint8Array.from(out);
    const header = Uint8Array.from([5, ...encodeUleb(body.length)]);
    const result = new Uint8Array(sectionStart + header.length + body.length + (bytes.length - end));
    result.set(bytes.subarray(0, sectionStart), 0);
    result.set(header, sectionStart);
    result.set(body, sectionStart + header.length);
    result.set(bytes.subarray(end), sectionStart + header.length + body.length);
    return { bytes: result, initial };
  }
  return { bytes, initial: 0 };
}

const VALUE_TYPES = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' };

/**
 * The type of the function a module exports as `name`, from its binary:
 * `{ params, results }`, each a list of 'i32', 'i64', 'f32', 'f64', ...;
 * undefined if it exports no function of that name. (The CLI's --invoke
 * needs it to turn its text arguments into numbers or BigInts.)
 * @param {Uint8Array} bytes
 * @param {string} name
 */
function exportedFunctionType(bytes, name) {
  const types = [];
  const functionTypes = []; // type index of every function, imported ones first
  let found;
  for (const { id, start, end } of sections(bytes)) {
    const s = new Reader(bytes, start, end);
    if (id === 1) {
      for (let count = s.uleb(); count > 0; count--) {
        const form = s.byte();
        if (form !== 0x60) return undefined; // a GC type section: not read here
        const list = () => Array.from({ length: s.uleb() }, () => VALUE_TYPES[s.byte()] ?? 'unknown');
        const params = list();
        types.push({ params, results: list() });
      }
    } else if (id === 2) {
      for (const imp of readImports(s)) {
        if (imp.kind === 'function') functionTypes.push(imp.typeIndex);
      }
    } else if (id === 3) {
      for (let count = s.uleb(); count > 0; count--) functionTypes.push(s.uleb());
    } else if (id === 7) {
      for (let count = s.uleb(); count > 0; count--) {
        const exportName = s.name();
        const kind = s.byte();
        const index = s.uleb();
        if (exportName === name && kind === 0) found = index;
      }
    }
  }
  if (found === undefined) return undefined;
  return types[functionTypes[found]];
}

/** The memory a module imports, if any (see `moduleImports`). */
function importedMemory(bytes) {
  return moduleImports(bytes).find((imp) => imp.kind === 'memory');
}

module.exports = { moduleImports, importedMemory, capDefinedMemories, exportedFunctionType, WasmFormatError };
