// Code written against @types/node's `node:wasi`, as an application has
// it. __test__/typescript.test.js compiles it as it is and with the import
// changed to 'wasi-rs', under tsc --strict: both must compile.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

interface GuestEnv {
  HOME: string;
  LANG: string;
}

const guestEnv: GuestEnv = { HOME: '/home/guest', LANG: 'C' };
const preopens: NodeJS.Dict<string> = { '/sandbox': '/tmp' };
const args: readonly string[] = ['program', '--flag'];

export async function runProgram(path: string): Promise<number> {
  const wasi = new WASI({ version: 'preview1', args, env: guestEnv, preopens, returnOnExit: true, stdin: 0, stdout: 1, stderr: 2 });
  new WASI({ version: 'unstable', env: process.env });
  const module = await WebAssembly.compile(await readFile(path));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
  // Replacing an import with a typed function.
  wasi.wasiImport.sched_yield = (): number => 0;
  wasi.wasiImport.proc_exit = (code: number): number => {
    throw new Error(`exit ${code}`);
  };
  const asObject: object = instance;
  const importObject: object = wasi.getImportObject();
  void importObject;
  return wasi.start(asObject);
}

export function initializeReactor(wasi: WASI, instance: object): void {
  wasi.initialize(instance);
}
