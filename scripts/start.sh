#!/usr/bin/env bash
# The main job: installs everything, builds, and shows isocourse working.
# Idempotent; a re-run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh isocourse
bin=build/release/isocourse

"$bin" --help
echo
echo "== Worked example: 70 kg, generic isotretinoin, 135 mg/kg from 2026-12-01 =="
"$bin" plan --weight 70 --product generic --target 135 --start 2026-12-01
