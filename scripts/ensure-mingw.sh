#!/usr/bin/env bash
# What building the Windows x64 addon here takes: Debian's mingw-w64, the
# Rust target x86_64-pc-windows-gnu, and an empty libnode.dll to link
# against, in target/tools/libnode-stub. .cargo/config.toml names the
# MinGW linker and the stub (LIBNODE_PATH) and says why a stub is enough,
# so after this a plain `cargo build --target x86_64-pc-windows-gnu` works.
# Prints one line: the stub's folder. Needs root for apt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if ! dpkg -s mingw-w64 >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends mingw-w64 >/dev/null
fi
rustup target list --installed | grep -qx x86_64-pc-windows-gnu || rustup target add x86_64-pc-windows-gnu >&2

stub=$root/target/tools/libnode-stub
if [ ! -f "$stub/libnode.dll" ]; then
  mkdir -p "$stub"
  echo 'int wasi_rs_libnode_stub;' > "$stub/stub.c"
  x86_64-w64-mingw32-gcc -shared -o "$stub/libnode.dll" "$stub/stub.c"
fi
echo "$stub"
