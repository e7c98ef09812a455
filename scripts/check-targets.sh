#!/usr/bin/env bash
# cargo clippy -D warnings (which includes cargo check) for every target in
# package.json's napi.targets, so code behind a platform `cfg` is compiled
# and linted on this Linux host too: macOS x64/arm64 and Linux arm64.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-cross.sh >/dev/null
for t in $(node -p "require('./package.json').napi.targets.join(' ')"); do
  echo "check-targets: $t"
  cargo clippy --workspace --all-targets --quiet --target "$t" -- -D warnings
done
