'use strict';
// Loads the compiled addon (`npm run build` puts it at the package root).
const path = require('path');

const file = path.join(__dirname, '..', 'wasi-rs.node');
try {
  module.exports = require(file);
} catch (err) {
  if (err.code === 'MODULE_NOT_FOUND' || err.code === 'ERR_DLOPEN_FAILED') {
    err.message = `wasi-rs: cannot load the native addon at ${file}; run \`npm run build\` first.\n${err.message}`;
  }
  throw err;
}
