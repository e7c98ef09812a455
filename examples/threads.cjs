// Runs a wasm32-wasip1-threads program (the Rust test program: a CPU job
// split over 2 threads) off the event loop, every thread in a worker:
//   node examples/threads.cjs [program.wasm]
const fs = require('node:fs');
const path = require('node:path');
const { WASI } = require('wasi-rs');

const file = process.argv[2] ?? path.join(__dirname, '..', '__test__', 'build', 'threads_rs.wasm');
const wasi = new WASI({ version: 'preview1', args: ['threads_rs', 'work', '2', '100000'], maxThreads: 16 });
wasi.run(fs.readFileSync(file)).then((status) => {
  // The exit status; run() rejects on a trap (ERR_WASI_TRAP).
  process.exitCode = status;
});
