#!/usr/bin/env bash
# bench.sh - throughput and memory of the pipeline, measured (never asserted).
# Prints rows/s, MB/s and peak RSS (GNU time) for:
#   1. ingest+validate of a ~1M-row GL export from the generator (validate command)
#   2. the full run on sample data and on a 10x --scale data set
# and runs the forecast benchmark when it exists.
set -euo pipefail
BUILD=${BUILD:-build}
BIN="$PWD/$BUILD/opsreport"
work=$(mktemp -d /tmp/opsreport-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

measure() { # label rows bytes -- command...
  local label=$1 rows=$2 bytes=$3; shift 4
  local tf="$work/time.txt"
  /usr/bin/time -f '%e %M' -o "$tf" "$@" >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt"; return 1; }
  read -r secs kb <"$tf"
  awk -v l="$label" -v r="$rows" -v b="$bytes" -v s="$secs" -v k="$kb" 'BEGIN {
    if (s <= 0) s = 0.01;
    printf "%-34s %10d rows %8.1f MB %7.2f s %12.0f rows/s %8.1f MB/s  peak RSS %7.1f MB\n",
           l, r, b / 1e6, s, r / s, b / 1e6 / s, k / 1024 }'
}

count_rows() { local n=0; for f in "$@"; do n=$((n + $(wc -l <"$f") - 1)); done; echo $n; }
sum_bytes() { cat "$@" | wc -c; }

echo "== ingest: GL actuals at --scale 10 (about 1M rows)"
"$BIN" generate --out "$work/gl" --scale 10 --only gl_actuals >/dev/null
cat >"$work/gl.ini" <<INI
[input.gl_actuals]
file = gl_actuals.csv
delimiter = semicolon
decimal = ,
thousands = .
date_formats = %d.%m.%Y
col.date = Posting Date
col.entity = Company
col.cost_centre = Cost Center
col.account = G/L Account
col.account_type = Account Type
col.amount = Amount (EUR)
INI
measure "validate gl_actuals x10" "$(count_rows "$work/gl/gl_actuals.csv")" "$(sum_bytes "$work/gl/gl_actuals.csv")" -- \
  "$BIN" validate --config "$work/gl.ini" --period 2026-10 --data "$work/gl"
measure "run gl_actuals x10 (with reports)" "$(count_rows "$work/gl/gl_actuals.csv")" "$(sum_bytes "$work/gl/gl_actuals.csv")" -- \
  "$BIN" run --config "$work/gl.ini" --period 2026-10 --data "$work/gl" --out "$work/out-gl" -q

echo "== render: a 1M-row detail sheet (one month of GL lines at --scale 340)"
"$BIN" generate --out "$work/big" --months 1 --scale 340 --only gl_actuals >/dev/null
measure "run, 1M GL lines in the period" "$(count_rows "$work/big/gl_actuals.csv")" "$(sum_bytes "$work/big/gl_actuals.csv")" -- \
  "$BIN" run --config "$work/gl.ini" --period 2026-10 --data "$work/big" --out "$work/out-big" -q
grep -A6 '"stage_seconds"' "$work/out-big/2026-10/manifest.json" | tr -d '\n ' | sed 's/^/  stage seconds: /; s/$/\n/'
ls -l "$work/out-big/2026-10/detail.xlsx" | awk '{printf "  detail.xlsx: %.1f MB\n", $5 / 1e6}'

echo "== full pipeline"
measure "run sample-data (x1)" "$(count_rows sample-data/*.csv)" "$(sum_bytes sample-data/*.csv)" -- \
  "$BIN" run --config config/opsreport.ini --period 2026-10 --data sample-data --out "$work/out1" -q
"$BIN" generate --out "$work/x10" --scale 10 >/dev/null
measure "run --scale 10 data" "$(count_rows "$work"/x10/*.csv)" "$(sum_bytes "$work"/x10/*.csv)" -- \
  "$BIN" run --config config/opsreport.ini --period 2026-10 --data "$work/x10" --out "$work/out10" -q

echo "== forecasting (3000 series; side by side with R (ets, auto.arima, thetaf) on 100 of them and on the public series R ships, when R is installed)"
/usr/bin/python3 tests/bench/forecast_bench.py --series 3000 --r-series 100
