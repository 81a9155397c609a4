#!/usr/bin/env bash
# Installs everything, builds with warnings as errors, and runs every test:
# C++ unit, case-file, CLI and integration tests through CTest, then the web tests.
# Idempotent; a re-run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh

ctest --test-dir build/release -j"$(nproc)" --output-on-failure --timeout 900

if [[ -f web/package.json ]] && grep -q '"test"' web/package.json; then
  (cd web && npm test --silent)
fi
