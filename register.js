'use strict';
// wasi-rs/register: makes every `require('wasi')`, `require('node:wasi')`,
// `import ... from 'node:wasi'` and `process.getBuiltinModule('wasi')` in
// this thread return wasi-rs. Load it for a whole application with
//
//   NODE_OPTIONS="--require wasi-rs/register" node app.js
//
// Each thread installs the redirect for itself: worker threads read
// NODE_OPTIONS again (even with their own execArgv), and a worker started
// with an `env` of its own (which may lack NODE_OPTIONS) gets this preload
// in its execArgv (see `coverWorkers`). Node's built-in wasi is then never
// loaded, and no ExperimentalWarning is printed.
//
// How, by Node version:
// - module.registerHooks (Node 22.15+, 23.5+): one synchronous resolve
//   hook, which both require() and import go through. Some releases with
//   it (22.21, 24.11) crash on a `node:` request that a hook sends to a
//   file; where a probe finds that, require() is also redirected before
//   Node's loader sees the request, as on Node 20.
// - otherwise (Node 20, early 22): Module._load for require(), and an
//   off-thread resolve hook from module.register() for import.
const Module = require('module');
const path = require('path');
const { pathToFileURL } = require('url');

const ENTRY = path.join(__dirname, 'index.js');
const ENTRY_URL = pathToFileURL(ENTRY).href;
const PROBE = path.join(__dirname, 'lib', 'register-probe.js');
const NAMES = new Set(['wasi', 'node:wasi']);

/** Sends require() of the names to wasi-rs before Node's loader sees them. */
function redirectRequire() {
  const load = Module._load;
  Module._load = function _load(request, parent, isMain) {
    if (NAMES.has(request)) return load.call(this, ENTRY, parent, isMain);
    return load.call(this, request, parent, isMain);
  };
}

/** Whether require('node:wasi') reaches the file a resolve hook names, on
 * this release: the hook, meanwhile, names a probe module. */
function hooksRedirectNodeScheme(hook) {
  hook.target = pathToFileURL(PROBE).href;
  try {
    return require('node:wasi') === require(PROBE);
  } catch {
    return false;
  } finally {
    hook.target = ENTRY_URL;
    delete require.cache[PROBE];
  }
}

// Runs once per thread: the require cache holds this module.
function install() {
  if (typeof Module.registerHooks === 'function') {
    const hook = { target: ENTRY_URL };
    Module.registerHooks({
      resolve(specifier, context, nextResolve) {
        if (NAMES.has(specifier)) return { url: hook.target, format: 'commonjs', shortCircuit: true };
        return nextResolve(specifier, context);
      },
    });
    if (!hooksRedirectNodeScheme(hook)) redirectRequire();
  } else {
    redirectRequire();
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

/** Makes every worker this thread starts load this preload first, however
 * it is started: with its own `env` (NODE_OPTIONS may be missing there)
 * or its own `execArgv`. A thread that has it already loads it once. */
function coverWorkers() {
  const threads = require('worker_threads');
  const Base = threads.Worker;
  class Worker extends Base {
    constructor(filename, options) {
      const own = options === undefined ? {} : options;
      const execArgv = own !== null && typeof own === 'object' ? (own.execArgv ?? process.execArgv) : undefined;
      // Anything else is Node's to refuse, as it would.
      if (!Array.isArray(execArgv)) super(filename, options);
      else super(filename, { ...own, execArgv: [...execArgv, '--require', __filename] });
    }
  }
  threads.Worker = Worker;
  // `import { Worker } from 'worker_threads'` sees it too.
  Module.syncBuiltinESMExports();
}

install();
coverWorkers();
