#!/usr/bin/env node
'use strict';
// npm run release:pack: builds both add-ons for every target in
// package.json's napi.targets, here, and writes the npm tarballs into dist/:
// - wasi-rs-<suffix>-<version>.tgz per platform: os/cpu/libc fields and
//   only its .node (the package dirs come from `napi create-npm-dirs`);
// - wasi-rs-<version>.tgz, the main package: the JS, with every platform
//   package in optionalDependencies, and no binary of its own;
// - the optional wasmtime engine (engine/) the same way:
//   wasi-rs-engine-<suffix>-<version>.tgz per platform, and
//   wasi-rs-engine-<version>.tgz, which holds engine/npm (a README and
//   the few lines that say where its platform package is) and names the
//   platform packages as optionalDependencies. The main package names it
//   as an optional peer of the same version: wasi-rs loads only the engine
//   of its own release.
// Builds go through @napi-rs/cli v3 (`napi build --platform -x`, which runs
// cargo-zigbuild): Linux against glibc 2.17, macOS for 11.0 (arm64) and
// 10.13 (x64) without an Apple SDK. Windows x64 is built with MinGW
// (`napi build` for x86_64-pc-windows-gnu, scripts/ensure-mingw.sh) and
// shipped as win32-x64-msvc, the name napi-rs loaders look for (see
// buildTriple in lib/platforms.js). Each binary is checked statically
// (scripts/check-binary.js) before it is packed.
// Options:
// --only <suffix,...>  builds and packs those platforms only (and the
//                      packages that name them);
// --engine-only <suffix,...>  of the engine, those platforms only (CI
//                      builds the engine for Linux x64: each engine build
//                      takes minutes);
// --no-engine          leaves the engine out.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { suffixOfTriple, buildTriple } = require('../lib/platforms');
const { checks, MACOS_MIN } = require('./check-binary');

const root = path.join(__dirname, '..');
const pkg = require('../package.json');
const dist = path.join(root, 'dist');
const work = path.join(root, 'target', 'release-pack');
const argv = process.argv.slice(2);
const listArg = (flag) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1].split(',') : null);
const only = listArg('--only');
const engineOnly = listArg('--engine-only');
const withEngine = !argv.includes('--no-engine');

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });

/** Runs one of the ensure-*.sh scripts (their progress goes to stderr) and returns its last line of output. */
const ensure = (script) => execFileSync('bash', [path.join(__dirname, script)], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();

const toolsBin = ensure('ensure-cross.sh');
const env = { ...process.env, PATH: `${toolsBin}${path.delimiter}${process.env.PATH}` };
const napi = path.join(root, 'node_modules', '.bin', 'napi');
const suffixes = pkg.napi.targets.map(suffixOfTriple);
for (const list of [only, engineOnly]) {
  const unknown = (list || []).filter((s) => !suffixes.includes(s));
  if (unknown.length) throw new Error(`release:pack: ${unknown} is not a platform in napi.targets (${suffixes})`);
}

// The fields every package shares with the main one.
const common = { version: pkg.version, license: pkg.license, engines: pkg.engines };

/** The two add-ons: the crate each is built from and the package it ships in. */
const MAIN = { name: pkg.name, binaryName: pkg.napi.binaryName, manifestPath: 'Cargo.toml', crate: 'wasi-rs', description: pkg.description, targets: only };
const ENGINE = {
  name: 'wasi-rs-engine',
  binaryName: 'wasi-rs-engine',
  manifestPath: path.join('engine', 'Cargo.toml'),
  crate: 'wasi-rs-engine',
  description: "wasi-rs's optional wasmtime engine: WASI modules run in wasmtime inside Node, with compiled code cached on disk and hard limits",
  targets: only && engineOnly ? only.filter((s) => engineOnly.includes(s)) : only || engineOnly,
};
const ADDONS = withEngine ? [MAIN, ENGINE] : [MAIN];

fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });
const packed = [];
for (const addon of ADDONS) packed.push(...packPlatforms(addon));

// The main package: what package.json's files list, minus the local build,
// with the platform packages as optional dependencies at this version and
// the engine as an optional peer of this version.
const main = path.join(work, 'main');
fs.mkdirSync(main, { recursive: true });
const manifest = { ...pkg };
delete manifest.devDependencies;
delete manifest.scripts;
manifest.files = pkg.files.filter((f) => f !== 'wasi-rs.node');
manifest.optionalDependencies = optionalDependencies(pkg.name);
manifest.peerDependencies = { 'wasi-rs-engine': pkg.version };
manifest.peerDependenciesMeta = { 'wasi-rs-engine': { optional: true } };
for (const f of [...manifest.files, 'README.md', 'LICENSE', 'CHANGELOG.md']) {
  fs.cpSync(path.join(root, f), path.join(main, f), { recursive: true });
}
writeManifest(main, manifest);
packed.push(pack(main));

// The engine's package: engine/npm, naming its platform packages.
if (withEngine) {
  const engine = path.join(work, 'engine-main');
  fs.cpSync(path.join(root, 'engine', 'npm'), engine, { recursive: true });
  fs.copyFileSync(path.join(root, 'LICENSE'), path.join(engine, 'LICENSE'));
  writeManifest(engine, {
    name: ENGINE.name,
    ...common,
    description: ENGINE.description,
    main: 'index.js',
    files: ['index.js'],
    keywords: [...pkg.keywords, 'wasmtime'],
    optionalDependencies: optionalDependencies(ENGINE.name),
  });
  packed.push(pack(engine));
}

console.log(`\nrelease:pack: wrote ${packed.length} tarballs to ${path.relative(root, dist) || '.'}/`);
for (const t of packed) console.log(`  ${t}`);

/** `<name>-<suffix>` at this version, for every platform in napi.targets. */
function optionalDependencies(name) {
  return Object.fromEntries(suffixes.map((suffix) => [`${name}-${suffix}`, pkg.version]));
}

/**
 * Builds `addon` for each of its platforms (all of napi.targets unless
 * narrowed), checks each binary, and packs its platform packages, made by
 * `napi create-npm-dirs` from a napi config of this release.
 */
function packPlatforms(addon) {
  const dir = path.join(work, addon.name);
  const napiConfig = path.join(dir, 'package.json');
  fs.mkdirSync(dir, { recursive: true });
  writeManifest(dir, { name: addon.name, ...common, description: addon.description, napi: { binaryName: addon.binaryName, targets: pkg.napi.targets } });
  run(napi, ['create-npm-dirs', '--package-json-path', napiConfig, '--npm-dir', path.join(dir, 'npm')], { env });
  const tarballs = [];
  for (const triple of pkg.napi.targets.filter((t) => !addon.targets || addon.targets.includes(suffixOfTriple(t)))) {
    const suffix = suffixOfTriple(triple);
    const target = buildTriple(triple);
    const buildEnv = { ...env };
    let buildTarget = target;
    const cross = [];
    if (target === 'x86_64-pc-windows-gnu') {
      // MinGW, as .cargo/config.toml sets it up.
      ensure('ensure-mingw.sh');
    } else {
      // cargo-zigbuild (-x); it reads a glibc version from the target's suffix.
      cross.push('-x');
      if (triple.endsWith('-linux-gnu')) buildTarget = `${triple}.2.17`;
    }
    if (MACOS_MIN[triple]) buildEnv.MACOSX_DEPLOYMENT_TARGET = MACOS_MIN[triple];
    console.log(`\nrelease:pack: building ${addon.name} for ${suffix} (${buildTarget})`);
    const out = path.join(dir, 'out', suffix);
    const args = ['build', '--platform', '--release', ...cross, '--no-js', '--target', buildTarget, '--manifest-path', addon.manifestPath];
    run(napi, [...args, '--package-json-path', napiConfig, '-p', addon.crate, '--output-dir', out], { env: buildEnv });
    const built = path.join(out, `${addon.binaryName}.${suffixOfTriple(target)}.node`);
    const results = checks(built, target);
    for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${addon.name} ${suffix}: ${r.what}${r.detail ? ` (${r.detail})` : ''}`);
    if (!results.every((r) => r.ok)) throw new Error(`release:pack: ${built} failed its checks`);
    const pkgDir = path.join(dir, 'npm', suffix);
    fs.copyFileSync(built, path.join(pkgDir, `${addon.binaryName}.${suffix}.node`));
    fs.copyFileSync(path.join(root, 'LICENSE'), path.join(pkgDir, 'LICENSE'));
    tarballs.push(pack(pkgDir));
  }
  return tarballs;
}

function writeManifest(dir, manifest) {
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

function pack(dir) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dist], { cwd: dir, encoding: 'utf8' });
  const [{ filename, size, unpackedSize, files }] = JSON.parse(out);
  return `${filename} (${(size / 1024).toFixed(0)} KiB, ${(unpackedSize / 1024).toFixed(0)} KiB unpacked, ${files.length} files)`;
}
