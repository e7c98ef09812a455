#!/usr/bin/env bash
# cargo clippy -D warnings (which includes cargo check) for every target in
# package.json's napi.targets, so code behind a platform `cfg` is compiled
# and linted on this Linux host too: macOS x64/arm64 and Linux arm64; and
# for Windows (x86_64-pc-windows-gnu), the core, whose Windows port is in
# progress (the binding's build needs the libnode stub: test-wine.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-cross.sh >/dev/null
for t in $(node -p "require('./package.json').napi.targets.join(' ')"); do
  echo "check-targets: $t"
  cargo clippy --workspace --all-targets --quiet --target "$t" -- -D warnings
done
rustup target list --installed | grep -qx x86_64-pc-windows-gnu || rustup target add x86_64-pc-windows-gnu >&2
echo "check-targets: x86_64-pc-windows-gnu (the wasi-core library; its Rust tests are Unix-only so far)"
cargo clippy -p wasi-core --quiet --target x86_64-pc-windows-gnu -- -D warnings
