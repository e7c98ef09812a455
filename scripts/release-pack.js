#!/usr/bin/env node
'use strict';
// npm run release:pack: builds the addon for every target in package.json's
// napi.targets, here, and writes the npm tarballs into dist/:
// - wasi-rs-<suffix>-<version>.tgz per platform: os/cpu/libc fields and
//   only its .node (the package dirs come from `napi create-npm-dirs`);
// - wasi-rs-<version>.tgz, the main package: the JS, with every platform
//   package in optionalDependencies, and no binary of its own.
// Builds go through @napi-rs/cli v3 (`napi build --platform -x`, which runs
// cargo-zigbuild): Linux against glibc 2.17, macOS for 11.0 (arm64) and
// 10.13 (x64) without an Apple SDK. Windows x64 is built with MinGW
// (`napi build` for x86_64-pc-windows-gnu, scripts/ensure-mingw.sh) and
// shipped as win32-x64-msvc, the name napi-rs loaders look for (see
// buildTriple in lib/platforms.js). Each binary is checked statically
// (scripts/check-binary.js) before it is packed.
// Options: --only <suffix,...> builds and packs those platforms (and the
// main package) only.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { suffixOfTriple, buildTriple } = require('../lib/platforms');
const { checks, MACOS_MIN } = require('./check-binary');

const root = path.join(__dirname, '..');
const pkg = require('../package.json');
const dist = path.join(root, 'dist');
const work = path.join(root, 'target', 'release-pack');
const npmDir = path.join(work, 'npm');
const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : null;

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });

/** Runs one of the ensure-*.sh scripts (their progress goes to stderr) and returns its last line of output. */
const ensure = (script) => execFileSync('bash', [path.join(__dirname, script)], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();

const toolsBin = ensure('ensure-cross.sh');
const env = { ...process.env, PATH: `${toolsBin}${path.delimiter}${process.env.PATH}` };
const napi = path.join(root, 'node_modules', '.bin', 'napi');

fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });
run(napi, ['create-npm-dirs', '--npm-dir', path.relative(root, npmDir)], { env });

const targets = pkg.napi.targets.filter((t) => !only || only.includes(suffixOfTriple(t)));
if (only && targets.length !== only.length) throw new Error(`release:pack: --only ${only} names a platform not in napi.targets`);
const packed = [];
for (const triple of targets) {
  const suffix = suffixOfTriple(triple);
  const dir = path.join(npmDir, suffix);
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
  console.log(`\nrelease:pack: building ${suffix} (${buildTarget})`);
  const out = path.join(work, 'out', suffix);
  run(napi, ['build', '--platform', '--release', ...cross, '--no-js', '--target', buildTarget, '-p', 'wasi-rs', '--output-dir', out], { env: buildEnv });
  const built = path.join(out, `wasi-rs.${suffixOfTriple(target)}.node`);
  const results = checks(built, target);
  for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${suffix}: ${r.what}${r.detail ? ` (${r.detail})` : ''}`);
  if (!results.every((r) => r.ok)) throw new Error(`release:pack: ${built} failed its checks`);
  fs.copyFileSync(built, path.join(dir, `wasi-rs.${suffix}.node`));
  fs.copyFileSync(path.join(root, 'LICENSE'), path.join(dir, 'LICENSE'));
  packed.push(pack(dir));
}

// The main package: what package.json's files list, minus the local build,
// with the platform packages as optional dependencies at this version.
const main = path.join(work, 'main');
fs.mkdirSync(main, { recursive: true });
const manifest = { ...pkg };
delete manifest.devDependencies;
delete manifest.scripts;
manifest.files = pkg.files.filter((f) => f !== 'wasi-rs.node');
manifest.optionalDependencies = Object.fromEntries(pkg.napi.targets.map((t) => [`wasi-rs-${suffixOfTriple(t)}`, pkg.version]));
for (const f of [...manifest.files, 'README.md', 'LICENSE', 'CHANGELOG.md']) {
  fs.cpSync(path.join(root, f), path.join(main, f), { recursive: true });
}
fs.writeFileSync(path.join(main, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
packed.push(pack(main));

console.log(`\nrelease:pack: wrote ${packed.length} tarballs to ${path.relative(root, dist) || '.'}/`);
for (const t of packed) console.log(`  ${t}`);

function pack(dir) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dist], { cwd: dir, encoding: 'utf8' });
  const [{ filename, size, files }] = JSON.parse(out);
  return `${filename} (${(size / 1024).toFixed(0)} KiB, ${files.length} files)`;
}
