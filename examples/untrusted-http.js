'use strict';
// An HTTP server that runs an untrusted WASI program for each request.
// The request body is the program's stdin and its stdout streams into the
// response. It may read this directory (as /data) but change nothing, it
// gets 64 MiB of memory and 64 fds, and it is stopped after 2 seconds.
// The event loop keeps serving other requests meanwhile.
//
//   node examples/untrusted-http.js program.wasm [port]
const fs = require('fs');
const http = require('http');
const { WASI } = require('wasi-rs');

// The bytes, not a compiled module: run() lowers their memory maximum.
const program = fs.readFileSync(process.argv[2]);

const server = http.createServer(async (req, res) => {
  const wasi = new WASI({
    version: 'preview1',
    args: ['program', req.url],
    preopens: { '/data': { path: __dirname, readOnly: true } },
    stdin: req,
    stdout: res, // ended when the program's output ends
    stderr: (chunk) => process.stderr.write(`[${req.url}] ${chunk}`),
    maxFds: 64,
  });
  try {
    const status = await wasi.run(program, { timeout: 2000, maxMemory: 64 << 20 });
    console.log(`${req.url}: exit status ${status}`);
  } catch (err) {
    // ERR_WASI_TIMEOUT, ERR_WASI_TRAP, ERR_WASI_MEMORY_LIMIT, ...
    console.log(`${req.url}: ${err.code}`);
    if (!res.headersSent) res.writeHead(err.code === 'ERR_WASI_TIMEOUT' ? 504 : 500);
    res.end();
  }
});

server.listen(Number(process.argv[3] ?? 8080), () => {
  console.log(`listening on http://localhost:${server.address().port}`);
});
