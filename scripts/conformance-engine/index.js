'use strict';
// An adapter for ../../../shared/conformance/run.sh that runs each module of
// the official WASI suite in wasi-rs's wasmtime engine instead of V8:
//
//   npm run build:engine
//   WASI_TESTSUITE_MIRROR=<git dir> WASI_IMPL=$PWD/scripts/conformance-engine \
//     CONFORMANCE_THREADS=0 bash ../shared/conformance/run.sh
//
// The runner builds a WASI object, instantiates the module in V8 with its
// imports and calls start(instance). This class keeps that shape: its
// imports are wasi-rs's own (so instantiation succeeds), but start()
// leaves the V8 instance unused and runs the module's file, which the
// runner passes as argv[0], with wasi.run(bytes, { engine: 'wasmtime' }).
const fs = require('fs');
const { WASI: WasiRs } = require('../..');

class WASI {
  #options;
  #wasi;

  constructor(options) {
    this.#options = options;
    this.#wasi = new WasiRs(options);
  }

  getImportObject() {
    return this.#wasi.getImportObject();
  }

  async start() {
    const file = this.#options.args[0];
    // No cache: every module is compiled, as a first run is.
    return this.#wasi.run(fs.readFileSync(file), { engine: 'wasmtime', cache: false });
  }
}

module.exports = { WASI, implVersion: `${require('../../package.json').version} (wasmtime ${require('../../lib/engine').loadEngine().version()})` };
