'use strict';
// The internal option by which a WASI object made in a worker becomes a
// thread of another object's WASI process (`wasi.run()`, lib/run.js). A
// symbol of this module: options cloned from user data cannot carry it.
module.exports = { kJoinProcess: Symbol('wasi-rs.joinProcess') };
