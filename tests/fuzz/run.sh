#!/usr/bin/env bash
# tests/fuzz/run.sh - builds the libFuzzer harnesses (clang, ASan + UBSan) in
# $FUZZ_BUILD, replays every input in tests/fuzz/regressions/NAME/, then fuzzes
# each harness for $FUZZ_S seconds starting from tests/fuzz/corpus/NAME/.
# New corpus inputs go to $FUZZ_BUILD/fuzz-corpus/NAME (the committed seeds stay
# small); crashes to $FUZZ_BUILD/fuzz-artifacts/. Prints one line per harness
# and ends with "fuzz: N passed, N failed" (tests/run.sh counts it).
# Without clang's libFuzzer it says so and exits 0 with "fuzz: skipped".
# FUZZ_KEEP=0 keeps nothing found (tests/run.sh uses it for its short run).
set -uo pipefail
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_S=${FUZZ_S:-60}
MAKE=${MAKE:-make}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! command -v clang >/dev/null 2>&1 ||
   ! clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
  echo "fuzz: skipped: clang with libFuzzer (-fsanitize=fuzzer) is not available"
  exit 0
fi
if ! $MAKE --no-print-directory CC=clang BUILD="$FUZZ_BUILD" FUZZ=1 OPT=-O1 fuzz-bins; then
  echo "fuzz: 0 passed, 1 failed (build)"
  exit 1
fi

passed=0; failed=0
for src in tests/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  bin="$FUZZ_BUILD/fuzz/$name"
  # FUZZ_KEEP=0 (the short run of make test): start from the seeds only and
  # throw away what was found, so the run stays a few seconds however long
  # `make fuzz` has grown the kept corpus
  if [ "${FUZZ_KEEP:-1}" = 1 ]; then work="$FUZZ_BUILD/fuzz-corpus/$name"; else work="$probe/$name"; fi
  seeds="tests/fuzz/corpus/$name"
  regs="tests/fuzz/regressions/$name"; arts="$FUZZ_BUILD/fuzz-artifacts"
  mkdir -p "$work" "$seeds" "$arts"
  log="$FUZZ_BUILD/fuzz-$name.log"
  # the forecast command reports bad rows on stderr: noise at millions of runs
  opts=(-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$arts/$name-")
  [ "$name" = fuzz_forecast_csv ] && opts+=(-close_fd_mask=2)
  ok=1
  if compgen -G "$regs/*" >/dev/null; then
    "$bin" "${opts[@]}" "$regs"/* >"$log" 2>&1 || ok=0
  fi
  if [ $ok = 1 ]; then
    start=$(date +%s)
    "$bin" "${opts[@]}" -max_total_time="$FUZZ_S" -print_final_stats=1 "$work" "$seeds" >>"$log" 2>&1 || ok=0
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    secs=$(( $(date +%s) - start ))
  fi
  if [ $ok = 1 ]; then
    printf 'fuzz %s: ok, %s runs in %ss\n' "$name" "${runs:-?}" "$secs"
    passed=$((passed + 1))
  else
    printf 'fuzz %s: FAILED (log %s)\n' "$name" "$log"
    grep -E 'ERROR|SUMMARY|property failed|runtime error|Test unit written' "$log" | head -n 8
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
