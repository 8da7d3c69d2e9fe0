#!/usr/bin/env bash
# deps.sh build|test|bench|package|forecast-ref - make sure the Debian packages opsreport needs are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact command to run and fails, so `make` stops before a confusing compiler error.
set -euo pipefail

build_pkgs=(build-essential pkg-config libcsv-dev libgsl-dev libxlsxwriter-dev libhpdf-dev
            libinih-dev libcurl4-openssl-dev libglib2.0-dev libjansson-dev zlib1g-dev libssl-dev
            fonts-dejavu-core)
test_pkgs=(libcriterion-dev time python3 python3-pytest python3-openpyxl python3-pandas qpdf
           poppler-utils python3-aiosmtpd libreoffice-calc-nogui clang chromium
           help2man dpkg-dev lintian bash-completion groff-base man-db
           parallel)
# make bench: the tools opsreport is compared with (DuckDB comes from npm,
# installed by tests/bench.sh under build/bench-node)
bench_pkgs=(python3-pandas python3-statsmodels python3-xlsxwriter python3-reportlab nodejs)
# make man / install / deb: the man page from --help, the package and its lint
package_pkgs=(help2man dpkg-dev lintian)
ref_pkgs=(r-base-core r-cran-forecast)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  package) want+=("${package_pkgs[@]}") ;;
  forecast-ref) want+=("${test_pkgs[@]}" "${ref_pkgs[@]}") ;;
  *) echo "usage: $0 build|test|bench|package|forecast-ref" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "opsreport: missing Debian packages: ${missing[*]}" >&2
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "opsreport: run this as root, then try again:" >&2
  echo "  sudo apt-get update && sudo $cmd" >&2
  exit 1
fi
