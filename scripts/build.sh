#!/usr/bin/env bash
# Configures (once) and builds the release preset, and the web app when present.
# Usage: scripts/build.sh [cmake --build target...]
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -f build/release/build.ninja ]]; then
  cmake --preset release >/dev/null
fi
if (($#)); then
  targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build build/release -j"$(nproc)" "${targets[@]}"
else
  cmake --build build/release -j"$(nproc)"
fi

if [[ -f web/package.json ]]; then
  # npm ci only when the lockfile changed since the last install.
  stamp=web/node_modules/.isocourse-lock-stamp
  if [[ ! -f $stamp ]] || ! cmp -s web/package-lock.json "$stamp"; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
    cp web/package-lock.json "$stamp"
  fi
  # Rebuild the web bundle only when its sources changed.
  if [[ ! -f web/dist/index.html ]] ||
     [[ -n "$(find web/src web/index.html web/package.json web/vite.config.* -newer web/dist/index.html 2>/dev/null | head -n 1)" ]]; then
    (cd web && npm run build --silent)
  fi
fi
