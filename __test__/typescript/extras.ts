// wasi-rs's own extras, typed: compiled under tsc --strict by
// __test__/typescript.test.js.
import { WASI, WASIExitError, type WASIOptions, type WASIRunOptions } from 'wasi-rs';
import { Readable, Writable } from 'node:stream';

const options: WASIOptions = {
  version: 'preview1',
  preopens: { '/data': { path: '/srv/data', readOnly: true }, '/tmp': '/tmp' },
  sockets: [{ listen: '127.0.0.1:0' }, { fd: 3 }],
  maxFds: 64,
  maxThreads: 4,
  enforceRights: false,
  stdin: Readable.from(['input']),
  stdout: new Writable({ write: (_chunk, _encoding, done) => done() }),
  stderr: (chunk: Buffer) => process.stderr.write(chunk),
};

export async function run(bytes: Uint8Array, signal: AbortSignal): Promise<number> {
  const wasi = new WASI(options);
  const port: number | undefined = wasi.listeners[0]?.port;
  void port;
  const runOptions: WASIRunOptions = { timeout: 1000, signal, maxMemory: 64 << 20 };
  try {
    return await wasi.run(bytes, runOptions);
  } catch (err) {
    if (err instanceof WASIExitError) return err.exitCode;
    throw err;
  }
}
