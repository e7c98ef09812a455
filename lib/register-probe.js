'use strict';
// Loaded by wasi-rs/register, once per thread, to find out whether this
// Node release lets a resolve hook send `require('node:wasi')` to a file
// (see register.js). It has no other use.
module.exports = { probe: true };
