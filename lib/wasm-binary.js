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
    if (flags & 8) this.uleb(); // a custom page size's log2: kept out of the result
    return { initial, maximum, shared: (flags & 2) !== 0, index64 };
  }
}

const KINDS = ['function', 'table', 'memory', 'global', 'tag'];

/**
 * The imports of a module, from its binary: `{ module, name, kind }`, and
 * for a memory also `{ initial, maximum, shared, index64 }` (pages).
 * Throws a WasmFormatError for bytes that are not a module.
 * @param {Uint8Array} bytes
 */
function moduleImports(bytes) {
  const r = new Reader(bytes);
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const b of header) if (r.byte() !== b) throw new WasmFormatError('not a WebAssembly module (bad magic or version)');
  while (r.at < r.end) {
    const id = r.byte();
    const size = r.uleb();
    const start = r.at;
    r.skip(size);
    if (id !== 2) continue;
    const s = new Reader(bytes, start, start + size);
    const imports = [];
    for (let count = s.uleb(); count > 0; count--) {
      const module = s.name();
      const name = s.name();
      const kind = s.byte();
      const entry = { module, name, kind: KINDS[kind] };
      if (kind === 0) s.uleb();
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
  return [];
}

/** The memory a module imports, if any (see `moduleImports`). */
function importedMemory(bytes) {
  return moduleImports(bytes).find((imp) => imp.kind === 'memory');
}

module.exports = { moduleImports, importedMemory, WasmFormatError };
