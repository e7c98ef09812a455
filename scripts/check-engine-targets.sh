#!/usr/bin/env bash
# cargo clippy -D warnings over the wasmtime engine (engine/, its own
# workspace) for every target in package.json's napi.targets other than
# this host's, as they would be built (lib/platforms.js buildTriple):
# wasmtime compiles a C helper, so macOS and Linux arm64 go through
# cargo-zigbuild (zig as the C compiler), Windows through MinGW. CI builds
# and tests the engine for Linux x64 only (npm run test:engine); this
# keeps the code for the others compiling, in a few minutes per target.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(bash scripts/ensure-cross.sh | tail -1)
host=$(rustc -vV | sed -n 's/^host: //p')
for t in $(node -p "const { buildTriple } = require('./lib/platforms'); require('./package.json').napi.targets.map(buildTriple).join(' ')"); do
  [ "$t" = "$host" ] && continue
  echo "check-engine-targets: $t"
  if [ "$t" = x86_64-pc-windows-gnu ]; then
    bash scripts/ensure-mingw.sh >/dev/null
    cargo clippy --quiet --manifest-path engine/Cargo.toml --target "$t" -- -D warnings
  else
    PATH=$tools:$PATH cargo-zigbuild clippy --quiet --manifest-path engine/Cargo.toml --target "$t" -- -D warnings
  fi
done
