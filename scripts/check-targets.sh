#!/usr/bin/env bash
# cargo clippy -D warnings (which includes cargo check) over the whole
# workspace, tests included, for every target in package.json's
# napi.targets, as it is built here (lib/platforms.js buildTriple: Windows
# with MinGW), so code behind a platform `cfg` is compiled and linted on
# this Linux host too: macOS x64/arm64, Linux arm64 and Windows x64.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-cross.sh >/dev/null
for t in $(node -p "const { buildTriple } = require('./lib/platforms'); require('./package.json').napi.targets.map(buildTriple).join(' ')"); do
  echo "check-targets: $t"
  # The MinGW toolchain and the libnode stub the binding links against.
  if [ "$t" = x86_64-pc-windows-gnu ]; then bash scripts/ensure-mingw.sh >/dev/null; fi
  cargo clippy --workspace --all-targets --quiet --target "$t" -- -D warnings
done
