'use strict';
// Which prebuilt binary fits this process. The one list of supported
// platforms is `napi.targets` in package.json (Rust target triples, as
// @napi-rs/cli reads them); each becomes a package `wasi-rs-<suffix>`
// holding `wasi-rs.<suffix>.node`, where the suffix is napi-rs's name for
// the platform: linux-x64-gnu, linux-arm64-gnu, darwin-x64, darwin-arm64,
// win32-x64-msvc.
const { napi } = require('../package.json');

const ARCHES = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm' };
const SYSTEMS = { linux: 'linux', darwin: 'darwin', windows: 'win32' };

/** The napi-rs platform suffix of a Rust target triple, e.g.
 * 'aarch64-unknown-linux-gnu' -> 'linux-arm64-gnu'. */
function suffixOfTriple(triple) {
  const parts = triple.split('-');
  const arch = ARCHES[parts[0]];
  const system = SYSTEMS[parts[2]];
  if (!arch || !system) throw new Error(`wasi-rs: unknown target triple ${triple} in package.json napi.targets`);
  const abi = parts[3];
  return abi ? `${system}-${arch}-${abi}` : `${system}-${arch}`;
}

/**
 * The Rust target a binary for `triple` is built with here. Windows Node
 * loads the addon from the package napi-rs names win32-x64-msvc; it is
 * built with MinGW (x86_64-pc-windows-gnu), the Windows toolchain Debian
 * has. The DLL links only Windows' own DLLs (msvcrt among them, which every
 * Windows has) and finds Node-API in node.exe at load, so what Node loads
 * is the same either way (scripts/check-binary.js checks the imports).
 */
function buildTriple(triple) {
  return triple === 'x86_64-pc-windows-msvc' ? 'x86_64-pc-windows-gnu' : triple;
}

/** The suffixes wasi-rs ships binaries for. */
function supportedSuffixes() {
  return napi.targets.map(suffixOfTriple);
}

/** This process's suffix, from Node's platform and arch and, on Linux,
 * its C library (a musl Node has no glibc version in its report). */
function currentSuffix({ platform = process.platform, arch = process.arch, glibc = detectGlibc() } = {}) {
  if (platform === 'linux') return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function detectGlibc() {
  if (process.platform !== 'linux') return false;
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  return Boolean(report?.header?.glibcVersionRuntime);
}

module.exports = { suffixOfTriple, buildTriple, supportedSuffixes, currentSuffix };
