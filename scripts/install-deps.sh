#!/usr/bin/env bash
# Installs the Debian packages Sanad needs, only those missing. Nothing is downloaded from
# anywhere but Debian's archive (and npm for the web app, from its lockfile). Chromium runs the
# browser tests.
set -euo pipefail
packages=(
  cmake g++ make pkg-config git
  libboost1.81-dev nlohmann-json3-dev libsqlite3-dev libpq-dev libsodium-dev libcli11-dev
  libspdlog-dev libfmt-dev libxlsxwriter-dev libminizip-dev libexpat1-dev libicu-dev
  libcairo2-dev libpango1.0-dev fonts-hosny-amiri
  libgtest-dev libgmock-dev libbenchmark-dev poppler-utils libxml2-utils
  sqlite3 python3 postgresql-15 postgresql-client-15
  chromium
)
# Node.js and npm build the web app; a machine that already has them (from any source) keeps them.
command -v npm >/dev/null || packages+=(nodejs npm)
if [ "${1:-}" = "--fuzz" ]; then packages+=(clang libclang-rt-14-dev); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "missing packages and no sudo: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
