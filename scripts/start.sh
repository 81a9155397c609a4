#!/usr/bin/env bash
# The main job: installs everything, builds the server and the web app, and starts
# `isocourse serve` on 127.0.0.1 with the demo clinics in ./data/isocourse.db (seeded on
# the first run only). It prints the demo logins and the URL. Idempotent: a re-run only
# rebuilds what changed and keeps the existing database. Stop it with Ctrl-C.
# Environment: ISOCOURSE_PORT (default 8080), ISOCOURSE_DB (default data/isocourse.db).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh isocourse
mkdir -p data
exec build/release/isocourse serve --demo --db "${ISOCOURSE_DB:-data/isocourse.db}"
