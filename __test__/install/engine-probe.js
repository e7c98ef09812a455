'use strict';
// Run by a foreign platform's Node (Windows Node under Wine, arm64 Node
// under qemu) in a project where the engine's tarballs for that platform
// were installed: the engine comes from its platform package, and a run,
// a trap, a time-out and fuel each end as documented. Prints one line per
// check and exits 1 if any failed. Usage (in the project, beside the test
// programs hello.wasm, trap.wasm and spin.wasm):
//   node engine-probe.js <platform suffix>
const fs = require('fs');
const os = require('os');
const path = require('path');
const { WASI } = require('wasi-rs');

const suffix = process.argv[2];
let failed = 0;
function check(what, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} engine ${suffix}: ${what}${ok || !detail ? '' : ` (${detail})`}`);
  if (!ok) failed++;
}

let runs = 0;
/** Runs `file` in the engine with stdout into a file (stdio served from JS
 * is not on Windows yet); resolves with its status and output, or error. */
async function outcome(file, args, options) {
  const out = `out-${++runs}.txt`;
  const stdout = fs.openSync(out, 'w');
  const stderr = fs.openSync(os.devNull, 'w');
  const wasi = new WASI({ version: 'preview1', args: [file, ...args], stdout, stderr });
  try {
    const status = await wasi.run(fs.readFileSync(file), { engine: 'wasmtime', cache: 'cache', ...options });
    return { status, stdout: fs.readFileSync(out, 'utf8') };
  } catch (error) {
    return { error };
  } finally {
    fs.closeSync(stdout);
    fs.closeSync(stderr);
  }
}

(async () => {
  const hello = await outcome('hello.wasm', ['engine'], {});
  check('runs a program', hello.status === 0 && hello.stdout === 'Hello, engine, from WASI on wasi-rs!\n', JSON.stringify(hello));
  const loaded = Object.keys(require.cache).filter((k) => k.endsWith('.node')).map((k) => path.relative(process.cwd(), k).split(path.sep).join('/'));
  const binary = `node_modules/wasi-rs-engine-${suffix}/wasi-rs-engine.${suffix}.node`;
  check(`loads ${binary}`, loaded.includes(binary), loaded.join());
  check('caches the compiled code', fs.readdirSync('cache').length === 1, fs.readdirSync('cache').join());
  const again = await outcome('hello.wasm', ['cached'], {});
  check('runs it again from the cache', again.stdout === 'Hello, cached, from WASI on wasi-rs!\n', JSON.stringify(again));
  const trap = await outcome('trap.wasm', [], {});
  check('a trap is ERR_WASI_TRAP, named', trap.error?.code === 'ERR_WASI_TRAP' && /^wasm trap: wasm `unreachable` instruction executed/.test(trap.error.message), String(trap.error));
  const spin = await outcome('spin.wasm', [], { timeout: 300 });
  check('a time-out ends a spinning guest', spin.error?.code === 'ERR_WASI_TIMEOUT', String(spin.error));
  const fuel = await outcome('spin.wasm', [], { fuel: 1e6 });
  check('fuel ends a spinning guest', fuel.error?.code === 'ERR_WASI_FUEL_EXHAUSTED', String(fuel.error));
  process.exitCode = failed ? 1 : 0;
})();
