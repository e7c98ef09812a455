#!/usr/bin/env bash
# Makes sure the tools for building every platform's binary here are
# present (the release packs and the cross-platform CI jobs call this):
# - the Rust targets listed in package.json's napi.targets;
# - rustup's llvm-tools (llvm-nm, llvm-objdump), to check the binaries;
# - zig and cargo-zigbuild, from PyPI, in a venv under target/tools/zig:
#   zig links Linux binaries against a glibc 2.17 baseline and macOS
#   dylibs without an Apple SDK. @napi-rs/cli's `-x` runs cargo-zigbuild.
# Prints the venv's bin directory last (put it on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=$(node -p "require('./package.json').napi.targets.join(' ')")
installed=$(rustup target list --installed)
for t in $targets; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t" >&2
done
rustup component list --installed | grep -q '^llvm-tools' || rustup component add llvm-tools >&2

venv=$PWD/target/tools/zig
if ! "$venv/bin/python" -c 'import ziglang' >/dev/null 2>&1 || [ ! -x "$venv/bin/cargo-zigbuild" ]; then
  echo "ensure-cross: installing ziglang and cargo-zigbuild from PyPI into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'ziglang==0.17.1' 'cargo-zigbuild==0.24.1' >&2
fi
# @napi-rs/cli looks for `zig` on PATH; the ziglang wheel runs as `python -m ziglang`.
if [ ! -x "$venv/bin/zig" ]; then
  printf '#!/bin/sh\nexec "%s" -m ziglang "$@"\n' "$venv/bin/python" > "$venv/bin/zig"
  chmod +x "$venv/bin/zig"
fi
# The npm dev dependencies (@napi-rs/cli among them).
node -e "require.resolve('@napi-rs/cli/package.json')" >/dev/null 2>&1 || npm install --no-audit --no-fund >&2
echo "$venv/bin"
