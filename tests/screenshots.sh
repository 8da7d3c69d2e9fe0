#!/usr/bin/env bash
# screenshots.sh - regenerates the pictures README shows, from a fresh sample run:
#   docs/summary-1.png, docs/summary-2.png   pages 1 and 2 of summary.pdf (pdftoppm)
#   docs/workbook-summary.png                the workbook's Summary sheet as LibreOffice prints it
set -euo pipefail
BUILD=${BUILD:-build}
work=$(mktemp -d /tmp/opsreport-shots-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$BUILD/opsreport" run --config config/opsreport.ini --period 2026-10 --data sample-data --out "$work/out" -q
run="$work/out/2026-10"
mkdir -p docs
pdftoppm -png -r 70 -f 1 -l 2 "$run/summary.pdf" "$work/summary"
cp "$work/summary-1.png" docs/summary-1.png
cp "$work/summary-2.png" docs/summary-2.png
soffice "-env:UserInstallation=file://$work/lo" --headless --convert-to pdf --outdir "$work" "$run/report.xlsx" >/dev/null 2>&1
pdftoppm -png -r 70 -f 1 -l 1 "$work/report.pdf" "$work/workbook"
cp "$work"/workbook-*1.png docs/workbook-summary.png
echo "wrote docs/summary-1.png docs/summary-2.png docs/workbook-summary.png"
