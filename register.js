'use strict';
// wasi-rs/register: makes every `require('wasi')`, `require('node:wasi')`,
// `import ... from 'node:wasi'` and `process.getBuiltinModule('wasi')` in
// this thread return wasi-rs. Load it for a whole application with
//
//   NODE_OPTIONS="--require wasi-rs/register" node app.js
//
// Worker threads read NODE_OPTIONS again (even with their own execArgv), so
// each thread installs the redirect for itself. Node's built-in wasi is
// then never loaded, and no ExperimentalWarning is printed.
//
// How, by Node version:
// - module.registerHooks (Node 22.15+, 23.5+): one synchronous resolve
//   hook, which both require() and import go through.
// - otherwise (Node 20, early 22): Module._load for require(), and an
//   off-thread resolve hook from module.register() for import.
const Module = require('module');
const path = require('path');
const { pathToFileURL } = require('url');

const ENTRY = path.join(__dirname, 'index.js');
const ENTRY_URL = pathToFileURL(ENTRY).href;
const NAMES = new Set(['wasi', 'node:wasi']);

// Runs once per thread: the require cache holds this module.
function install() {
  if (typeof Module.registerHooks === 'function') {
    Module.registerHooks({
      resolve(specifier, context, nextResolve) {
        if (NAMES.has(specifier)) return { url: ENTRY_URL, format: 'commonjs', shortCircuit: true };
        return nextResolve(specifier, context);
      },
    });
  } else {
    const load = Module._load;
    Module._load = function _load(request, parent, isMain) {
      if (NAMES.has(request)) return load.call(this, ENTRY, parent, isMain);
      return load.call(this, request, parent, isMain);
    };
    if (typeof Module.register === 'function') {
      Module.register(pathToFileURL(path.join(__dirname, 'lib', 'register-loader.mjs')).href, {
        data: { entry: ENTRY_URL },
      });
    }
  }

  // process.getBuiltinModule (Node 20.16+, 22.3+) does not resolve through
  // the hooks: answer for wasi there too.
  const getBuiltin = process.getBuiltinModule;
  if (typeof getBuiltin === 'function') {
    process.getBuiltinModule = function getBuiltinModule(id) {
      if (NAMES.has(id)) return require(ENTRY);
      return Reflect.apply(getBuiltin, this, arguments);
    };
  }
}

install();
