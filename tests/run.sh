#!/usr/bin/env bash
# run.sh - runs every Criterion unit test binary, then the pytest end-to-end
# suite against $BUILD/opsreport, and ends with one "N passed, N failed" line.
set -uo pipefail
BUILD=${BUILD:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
case "$BUILD" in /*) export OPSREPORT_BIN="$BUILD/opsreport" ;; *) export OPSREPORT_BIN="$root/$BUILD/opsreport" ;; esac
passed=0; failed=0
for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  out=$("$t" --jobs 2 2>&1); rc=$?
  syn=$(printf '%s\n' "$out" | grep 'Synthesis:' | tail -n1)
  printf '%s: %s\n' "$(basename "$t")" "${syn:-no synthesis line}"
  tested=$(sed -n 's/.*Tested: \([0-9]*\).*/\1/p' <<<"$syn"); pass=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' <<<"$syn")
  tested=${tested:-0}; pass=${pass:-0}
  if [ $rc -ne 0 ] || [ -z "$syn" ]; then
    printf '%s\n' "$out" | grep -vE '^\[----\] +$' | tail -n 40
    [ "$tested" -eq "$pass" ] && failed=$((failed + 1))
  fi
  passed=$((passed + pass)); failed=$((failed + tested - pass))
done
# every change is fuzzed a little: each harness in tests/fuzz replays its
# regressions and runs FUZZ_SHORT_S seconds (the first run builds build-fuzz/)
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
  fout=$(FUZZ_S=${FUZZ_SHORT_S:-2} FUZZ_KEEP=0 tests/fuzz/run.sh 2>&1)
  printf '%s\n' "$fout" | grep -E '^(fuzz|==|SUMMARY|tests/fuzz)' | grep -v '^fuzz: '
  fline=$(grep -E '^fuzz: ' <<<"$fout" | tail -n1)
  printf '%s\n' "${fline:-fuzz: no result line}"
  case "$fline" in
    "fuzz: skipped"*) ;;
    "fuzz: "[0-9]*) fp=$(sed -n 's/^fuzz: \([0-9]*\) passed.*/\1/p' <<<"$fline")
                    ff=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$fline")
                    passed=$((passed + ${fp:-0})); failed=$((failed + ${ff:-1})) ;;
    *) printf '%s\n' "$fout" | tail -n 20; failed=$((failed + 1)) ;;
  esac
fi
if [ "${SKIP_E2E:-0}" != 1 ]; then
  tmp=$(mktemp)
  /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/e2e ${PYTEST_ARGS:-} 2>&1 | tee "$tmp"
  line=$(grep -E '[0-9]+ (passed|failed)' "$tmp" | tail -n1)
  p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+'); f=$(grep -oE '[0-9]+ (failed|errors?)' <<<"$line" | awk '{s+=$1} END {print s+0}')
  [ -z "$line" ] && f=1
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  rm -f "$tmp"
fi
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
