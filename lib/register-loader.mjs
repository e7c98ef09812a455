// The ESM half of wasi-rs/register on Nodes without module.registerHooks
// (Node 20, early 22): a resolve hook, run by module.register() on the
// loader thread, that sends 'wasi' and 'node:wasi' to wasi-rs's entry.
let entry;

export function initialize(data) {
  entry = data.entry;
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'wasi' || specifier === 'node:wasi') return { url: entry, format: 'commonjs', shortCircuit: true };
  return nextResolve(specifier, context);
}
