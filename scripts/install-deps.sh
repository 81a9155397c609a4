#!/usr/bin/env bash
# Installs every Debian 12 package isocourse needs to build, run and test.
# Idempotent and quick on re-run: when everything is present it does nothing.
# Usage: scripts/install-deps.sh [--test]   (--test adds what only the tests need)
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config git
  libyaml-cpp-dev libcli11-dev libfmt-dev libspdlog-dev libboost1.81-dev
  libsqlite3-dev sqlite3 libsodium-dev libpq-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
if [[ "${1:-}" == "--test" ]]; then
  # Browser tests drive Debian's Chromium; store tests start a real PostgreSQL server.
  packages+=(chromium postgresql)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# The web app is built with Node.js 20+ and npm (the machines ship them; Debian's own
# nodejs package is the fallback).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
  echo "isocourse: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "isocourse: these packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
