'use strict';
// Loads the native addon, first found of:
// 1. `wasi-rs.node` at the package root: a build from source
//    (`npm run build`), which always wins in a checkout;
// 2. the prebuilt package for this platform, `wasi-rs-<suffix>` (an
//    optional dependency of the published package; see lib/platforms.js).
// Anything else is one error that names the platform and what is
// supported, or says which package is missing or failed to load.
const fs = require('fs');
const path = require('path');
const { currentSuffix, supportedSuffixes } = require('./platforms');

const local = path.join(__dirname, '..', 'wasi-rs.node');

function load() {
  if (fs.existsSync(local)) return requireAddon(local, `the locally built ${local}`);
  const suffix = currentSuffix();
  const supported = supportedSuffixes();
  const fromSource = `To build one from source: install Rust (https://rustup.rs), then run \`npm install && npm run build\` in ${path.dirname(local)}.`;
  if (!supported.includes(suffix)) {
    throw new Error(`wasi-rs: no prebuilt binary for this platform (${suffix}); prebuilt binaries exist for ${supported.join(', ')}. ${fromSource}`);
  }
  const pkg = `wasi-rs-${suffix}`;
  let file;
  try {
    file = require.resolve(`${pkg}/wasi-rs.${suffix}.node`);
  } catch {
    throw new Error(
      `wasi-rs: no binary for ${suffix}: wasi-rs.node is not built, and the package ${pkg}, which holds the binary for ${suffix}, is not installed. ` +
        `From a published wasi-rs, ${pkg} is an optional dependency: install again without --no-optional/--omit=optional (or add ${pkg} yourself). ` +
        fromSource,
    );
  }
  return requireAddon(file, `${pkg}`);
}

function requireAddon(file, what) {
  try {
    return require(file);
  } catch (err) {
    err.message = `wasi-rs: cannot load ${what} (${file}): ${err.message}`;
    throw err;
  }
}

const addon = load();

// The addon trusts the first set of natives made on a thread, and checks
// the memory on every call of any later one (src/natives.rs). It is taken
// here, in the same step as the addon is loaded, so that no other JS can
// take it first; lib/imports.js takes it from here once.
let trusted = addon.natives();

/** This thread's trusted natives the first time, a checked set after. */
function takeNatives() {
  const set = trusted ?? addon.natives();
  trusted = undefined;
  return set;
}

module.exports = { addon, takeNatives };
