# Sourced by test-arm64.sh and test-wine.sh: running the core's Rust tests
# and the JS suite on another platform (the JS with that platform's Node,
# in a copy of the checkout that holds its addon as wasi-rs.node).

# core_tests WHO LABEL CARGO_ARGS...: the core's Rust tests for another
# platform (CARGO_ARGS name the target), run by the runner the caller put
# in the environment (CARGO_TARGET_<TRIPLE>_RUNNER). Prints each test
# binary's result line and the time; on a failure, the end of the output,
# and the script stops.
core_tests() {
  local who=$1 label=$2 start=$SECONDS out rc=0
  shift 2
  out=$(cargo test -p wasi-core --quiet "$@" 2>&1) || rc=$?
  grep -E '^test result|FAILED|panicked' <<<"$out" || true
  if [ $rc -ne 0 ]; then
    tail -40 <<<"$out"
    echo "$who: cargo test -p wasi-core ($label) FAILED" >&2
    exit 1
  fi
  echo "$who: cargo test -p wasi-core ($label): $((SECONDS - start)) s"
}

# make_test_tree TREE ADDON WHO: a fresh copy of the checkout at TREE (the
# tracked and untracked-but-not-ignored files, the built test programs and
# node_modules), with ADDON as its wasi-rs.node. WHO names the caller in
# errors.
make_test_tree() {
  local tree=$1 addon=$2 who=$3
  [ -d __test__/build ] || { echo "$who: __test__/build is missing: run npm test (pretest) first" >&2; exit 1; }
  rm -rf "$tree" && mkdir -p "$tree"
  git ls-files -z --cached --others --exclude-standard | grep -zv '^dist/' | xargs -0 cp --parents -t "$tree"
  cp -r __test__/build "$tree/__test__/"
  cp -r node_modules "$tree/"
  cp "$addon" "$tree/wasi-rs.node"
}

# test_files TREE "SUBSET" [ARGS...]: the test files to run: every file but
# the benchmark for --all, the files named in ARGS, or else the subset
# (names without __test__/ and .test.js).
test_files() {
  local tree=$1 subset=$2
  shift 2
  if [ $# -gt 0 ] && [ "$1" = --all ]; then
    (cd "$tree" && ls __test__/*.test.js | grep -v bench.test.js)
  elif [ $# -gt 0 ]; then
    echo "$*"
  else
    for f in $subset; do printf '__test__/%s.test.js ' "$f"; done
  fi
}

# report_tap LABEL TAP RC START FILES: the failed tests (with details when
# RC says the run failed), then one line: LABEL: the runner's counts, the
# time since START and the files.
report_tap() {
  local label=$1 out=$2 rc=$3 start=$4 files=$5
  count() { grep -E "^# $1 " <<<"$out" | awk '{print $3}'; }
  grep -E '^not ok' <<<"$out" | grep -v '# SKIP' || true
  if [ "$rc" -ne 0 ]; then grep -A30 '^not ok' <<<"$out" | head -150 || true; fi
  echo "$label: $(count pass) passed, $(count fail) failed, $(count skipped) skipped of $(count tests), in $((SECONDS - start)) s ($files)"
}

# tarball_says WHO TARBALL "OS CPU": stops the script unless the packed
# package says it is for that os and cpu. (npm on x64 Linux installs a
# foreign platform's package named as a tarball only with --force, which
# skips its own check.)
tarball_says() {
  local who=$1 tgz=$2 want=$3
  [ "$(tar -xOzf "$tgz" package/package.json | node -p "const p = JSON.parse(require('fs').readFileSync(0)); p.os + ' ' + p.cpu")" = "$want" ] \
    || { echo "$who: $tgz does not say os ${want% *}, cpu ${want#* }" >&2; exit 1; }
}

# engine_probe WHO SUFFIX NODE...: in the current directory, a project
# where that platform's packages (the engine's included) are installed,
# runs __test__/install/engine-probe.js with the command NODE... (that
# platform's Node, under its emulator) and prints what it checked. Its
# output goes through a file: Windows Node's stdout must be one under
# Wine 8. Fails, saying so, if any check failed. Needs $root, the checkout.
engine_probe() {
  local who=$1 suffix=$2 rc=0
  shift 2
  cp "$root"/__test__/build/{hello,trap,spin}.wasm "$root/__test__/install/engine-probe.js" .
  "$@" engine-probe.js "$suffix" > engine-probe.txt 2>&1 || rc=$?
  tr -d '\r' < engine-probe.txt
  if [ $rc -ne 0 ]; then
    echo "$who: the engine installed from dist/: FAILED (exit $rc)"
    return 1
  fi
}
