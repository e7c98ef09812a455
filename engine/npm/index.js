'use strict';
// wasi-rs-engine: the optional wasmtime engine of wasi-rs. It is used
// through wasi-rs (`wasi.run(bytes, { engine: 'wasmtime' })`, or the CLI's
// `--engine wasmtime`), not on its own. This package only brings in the
// binary for this platform, the optional dependency
// wasi-rs-engine-<suffix>, and says where npm put it.

/** The path of the engine's binary for a napi-rs platform suffix (e.g.
 * 'linux-x64-gnu'), resolved from this package; throws MODULE_NOT_FOUND
 * when that platform's package is not installed. */
exports.binaryPath = (suffix) => require.resolve(`wasi-rs-engine-${suffix}/wasi-rs-engine.${suffix}.node`);
