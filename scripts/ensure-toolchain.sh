#!/usr/bin/env bash
# Makes sure the tools the build and the tests need are on this machine:
# a Rust toolchain (cargo) and clang able to target wasm32-wasi with
# wasi-libc. Installs the Debian packages when they are missing.
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
