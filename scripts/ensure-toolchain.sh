#!/usr/bin/env bash
# Makes sure the tools the build and the tests need are on this machine:
# a Rust toolchain (cargo), clang able to target wasm32-wasi with wasi-libc
# (the Debian packages are installed when missing), and the npm dev
# dependencies (installed when missing, so `npm test` and .ci/run work on a
# clean clone without a prior `npm install`).
set -euo pipefail

need_apt=()
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int main(void){return 0;}' > "$probe/p.c"
if ! clang --target=wasm32-wasi -o "$probe/p.wasm" "$probe/p.c" >/dev/null 2>&1; then
  need_apt+=(clang lld wasi-libc libclang-rt-14-dev-wasm32)
fi

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "ensure-toolchain: installing ${need_apt[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
  clang --target=wasm32-wasi -o "$probe/p.wasm" "$probe/p.c"
fi

command -v cargo >/dev/null || { echo "ensure-toolchain: cargo is missing; install Rust with rustup" >&2; exit 1; }

# The Rust test program (__test__/programs/threads_rs) is built for
# wasm32-wasip1-threads, and for wasm32-wasip1 as its single-threaded twin.
if command -v rustup >/dev/null; then
  installed=$(rustup target list --installed)
  for t in wasm32-wasip1 wasm32-wasip1-threads; do
    if ! grep -qx "$t" <<<"$installed"; then
      echo "ensure-toolchain: adding the Rust target $t" >&2
      rustup target add "$t" >/dev/null
    fi
  done
fi

# The npm packages the test setup needs (wabt builds the WAT test programs,
# typescript and @types/node check the typings): every dev dependency.
cd "$(dirname "$0")/.."
if ! node -e "for (const d of Object.keys(require('./package.json').devDependencies)) require.resolve(d + '/package.json')" >/dev/null 2>&1; then
  echo "ensure-toolchain: installing the npm dev dependencies" >&2
  npm install --no-audit --no-fund >/dev/null
fi
