#!/usr/bin/env bash
# bench.sh - throughput and memory of the pipeline, measured (never asserted).
# Prints wall time, rows/s, MB/s and peak RSS (GNU time) for:
#   0. side by side on the same files, in the same run: opsreport validate and
#      run, DuckDB (npm @duckdb/node-api, 1 and 2 threads) grouping the GL by
#      month and cost centre, and the pandas stack (pandas, statsmodels
#      Holt-Winters, XlsxWriter, ReportLab) - on the 5M-line GL (--scale 50),
#      a high-cardinality variant of it, and the 16-input data at --scale 50;
#      ratios are other / opsreport (above 1: opsreport is faster or leaner)
#   1. ingest+validate of a ~1M-row GL export from the generator (validate command)
#   2. the full run on sample data and on a 10x --scale data set
# and runs the forecast benchmark when it exists.
# BENCH_REPEAT=N (default 1): each comparison command N times, the median shown.
# BENCH_SCALE (default 50): the --scale of the comparison data.
# BENCH_COMPARE_ONLY=1: only section 0.
# DuckDB comes from build/bench-node (npm install --prefix build/bench-node
# @duckdb/node-api); when it or the pandas stack is missing the bench says so.
set -euo pipefail
BUILD=${BUILD:-build}
BIN="$PWD/$BUILD/opsreport"
NODE_PREFIX="$PWD/$BUILD/bench-node"
REPEAT=${BENCH_REPEAT:-1}
SCALE=${BENCH_SCALE:-50}
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

# compare KEY LABEL BYTES -- command...: REPEAT runs, the median wall time,
# CPU time (user + system: what a shared machine's load does not inflate) and
# peak RSS kept in WALL[KEY] / CPU[KEY] / RSS[KEY] (MB) and printed with MB/s
declare -A WALL CPU RSS
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
compare() {
  local key=$1 label=$2 bytes=$3; shift 4
  local walls=() cpus=() rsss=() tf="$work/time.txt"
  for ((i = 0; i < REPEAT; i++)); do
    if ! /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" >"$work/out.txt" 2>"$work/err.txt"; then
      echo "  $label: failed: $(head -c 300 "$work/err.txt")"
      return 0
    fi
    read -r secs user sys kb <"$tf"
    walls+=("$secs")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
    rsss+=("$kb")
  done
  WALL[$key]=$(printf '%s\n' "${walls[@]}" | median)
  CPU[$key]=$(printf '%s\n' "${cpus[@]}" | median)
  RSS[$key]=$(printf '%s\n' "${rsss[@]}" | median | awk '{printf "%.1f", $1 / 1024}')
  awk -v l="$label" -v b="$bytes" -v s="${WALL[$key]}" -v c="${CPU[$key]}" -v m="${RSS[$key]}" -v n="$REPEAT" 'BEGIN {
    if (s <= 0) s = 0.01;
    if (c <= 0) c = 0.01;
    printf "  %-48s wall %7.2f s %7.1f MB/s  cpu %7.2f s %7.1f MB/s  peak RSS %7.1f MB%s\n", l, s, b / 1e6 / s,
           c, b / 1e6 / c, m, (n > 1 ? "  (median of " n ")" : "") }'
}

# ratio LABEL OTHER BASE: how many times OTHER's wall time, CPU time and peak RSS are BASE's
ratio() {
  local label=$1 other=$2 base=$3
  [ -n "${WALL[$other]:-}" ] && [ -n "${WALL[$base]:-}" ] || return 0
  awk -v l="$label" -v wo="${WALL[$other]}" -v wb="${WALL[$base]}" -v co="${CPU[$other]}" -v cb="${CPU[$base]}" \
      -v mo="${RSS[$other]}" -v mb="${RSS[$base]}" 'BEGIN {
    printf "    %-44s wall x%5.2f   cpu x%5.2f   memory x%6.2f\n", l, wo / (wb > 0 ? wb : 0.01),
           co / (cb > 0 ? cb : 0.01), mo / (mb > 0 ? mb : 0.1) }'
}

have_duckdb=0
if command -v npm >/dev/null && [ ! -d "$NODE_PREFIX/node_modules/@duckdb/node-api" ]; then
  echo "(installing DuckDB for the comparison: npm install --prefix $NODE_PREFIX @duckdb/node-api)"
  npm install --prefix "$NODE_PREFIX" --no-audit --no-fund @duckdb/node-api >/dev/null 2>&1 || true
fi
if command -v node >/dev/null && [ -d "$NODE_PREFIX/node_modules/@duckdb/node-api" ]; then
  have_duckdb=1
else
  echo "(DuckDB not installed: npm install --prefix $NODE_PREFIX @duckdb/node-api; its columns are skipped)"
fi
have_pandas=0
if /usr/bin/python3 -c 'import pandas, statsmodels, xlsxwriter, reportlab' 2>/dev/null; then
  have_pandas=1
else
  echo "(pandas stack not installed: python3-pandas python3-statsmodels python3-xlsxwriter python3-reportlab; its columns are skipped)"
fi

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

# gl_side_by_side NAME DIR: every tool on DIR/gl_actuals.csv
gl_side_by_side() {
  local name=$1 dir=$2 csv=$2/gl_actuals.csv bytes
  bytes=$(sum_bytes "$csv")
  echo "-- $name: $(count_rows "$csv") lines, $(awk -v b="$bytes" 'BEGIN {printf "%.0f", b / 1e6}') MB"
  compare "$name.validate1" "opsreport validate --jobs 1" "$bytes" -- \
    "$BIN" validate --config "$work/gl.ini" --period 2026-10 --data "$dir" --jobs 1
  compare "$name.validate" "opsreport validate --jobs 2" "$bytes" -- \
    "$BIN" validate --config "$work/gl.ini" --period 2026-10 --data "$dir" --jobs 2
  rm -rf "$work/out-cmp"
  compare "$name.run1" "opsreport run --jobs 1 (workbook, detail, PDF)" "$bytes" -- \
    "$BIN" run --config "$work/gl.ini" --period 2026-10 --data "$dir" --out "$work/out-cmp" -q --jobs 1
  rm -rf "$work/out-cmp"
  compare "$name.run" "opsreport run --jobs 2 (workbook, detail, PDF)" "$bytes" -- \
    "$BIN" run --config "$work/gl.ini" --period 2026-10 --data "$dir" --out "$work/out-cmp" -q --jobs 2
  if [ $have_duckdb = 1 ]; then
    compare "$name.duck1" "DuckDB group by month, cost centre (1 thread)" "$bytes" -- \
      node tests/bench/duckdb_gl.cjs "$NODE_PREFIX" "$csv" 1
    compare "$name.duck2" "DuckDB group by month, cost centre (2 threads)" "$bytes" -- \
      node tests/bench/duckdb_gl.cjs "$NODE_PREFIX" "$csv" 2
  fi
  if [ $have_pandas = 1 ]; then
    mkdir -p "$work/pandas"
    compare "$name.pandas" "pandas + statsmodels + XlsxWriter + ReportLab" "$bytes" -- \
      /usr/bin/python3 tests/bench/pandas_stack.py "$csv" "$work/pandas" 2026-10
  fi
  echo "  ratios (other / opsreport; above 1: opsreport faster / leaner):"
  ratio "opsreport validate --jobs 1 / --jobs 2" "$name.validate1" "$name.validate"
  ratio "DuckDB 1 thread / opsreport validate --jobs 1" "$name.duck1" "$name.validate1"
  ratio "DuckDB 2 threads / opsreport validate --jobs 2" "$name.duck2" "$name.validate"
  ratio "pandas stack / opsreport run --jobs 1" "$name.pandas" "$name.run1"
  ratio "pandas stack / opsreport run --jobs 2" "$name.pandas" "$name.run"
}

echo "== side by side at --scale $SCALE (DuckDB, pandas and opsreport on the same files)"
"$BIN" generate --out "$work/gl" --scale "$SCALE" --only gl_actuals >/dev/null
gl_side_by_side "GL, typical cardinality (generator default)" "$work/gl"
# high cardinality: every account split into 20,000 sub-accounts by line
# number, so Budget vs Actual has one line item per few GL lines
mkdir -p "$work/glhc"
awk -F';' 'BEGIN { OFS = ";" } NR == 1 { print; next } { $4 = $4 "-" (NR % 20000); print }' \
  "$work/gl/gl_actuals.csv" >"$work/glhc/gl_actuals.csv"
rm -rf "$work/gl"
gl_side_by_side "GL, high cardinality (accounts x 20,000)" "$work/glhc"
rm -rf "$work/glhc"
"$BIN" generate --out "$work/all" --scale "$SCALE" >/dev/null
all_bytes=$(sum_bytes "$work"/all/*.csv)
echo "-- 16 inputs: $(count_rows "$work"/all/*.csv) rows, $(awk -v b="$all_bytes" 'BEGIN {printf "%.0f", b / 1e6}') MB"
for j in 1 2; do
  compare "all.validate$j" "opsreport validate --jobs $j" "$all_bytes" -- \
    "$BIN" validate --config config/opsreport.ini --period 2026-10 --data "$work/all" --jobs $j
  rm -rf "$work/out-all"
  compare "all.run$j" "opsreport run --jobs $j (the month-end job)" "$all_bytes" -- \
    "$BIN" run --config config/opsreport.ini --period 2026-10 --data "$work/all" --out "$work/out-all" -q --jobs $j
done
ratio "opsreport run --jobs 1 / --jobs 2" all.run1 all.run2
rm -rf "$work/all" "$work/out-all" "$work/out-cmp" "$work/pandas"
[ "${BENCH_COMPARE_ONLY:-0}" = 1 ] && exit 0

echo "== ingest: GL actuals at --scale 10 (about 1M rows)"
"$BIN" generate --out "$work/gl" --scale 10 --only gl_actuals >/dev/null
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
