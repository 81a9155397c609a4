#!/usr/bin/env bash
# Issue 4's HTTP benchmark: the dispense check (target >= 20,000 req/s, p99 <= 10 ms on
# 2 cores) against the same server's /healthz, with wrk, in one run.
#
#   bench/wrk_dispense_check.sh [ROUNDS]      (default 3 rounds of 5 s each)
#
# Starts `isocourse serve --demo` on a scratch database, logs in as pharm.us, picks the
# waiting prescription of DEMO-US-READY (a check that allows), then alternates
# `wrk /healthz` and `wrk POST /api/v1/dispense/check` and prints each pair with the
# ratio. Needs a release build (scripts/build.sh) and wrk (installed with apt if absent).
# Environment: BIN (default build/release/isocourse), PORT (18095), CONNECTIONS (64),
# SECONDS_EACH (5).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
BIN=${BIN:-build/release/isocourse}
PORT=${PORT:-18095}
CONNECTIONS=${CONNECTIONS:-64}
SECONDS_EACH=${SECONDS_EACH:-5}
URL="http://127.0.0.1:$PORT"

if ! command -v wrk >/dev/null; then
  echo "installing wrk (apt-get install wrk)" >&2
  apt-get install -y -qq wrk >/dev/null
fi
[[ -x "$BIN" ]] || { echo "no $BIN: run scripts/build.sh first" >&2; exit 1; }

DIR=$(mktemp -d)
"$BIN" serve --demo --db "$DIR/bench.db" --port "$PORT" --quiet >"$DIR/serve.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 100); do
  grep -q "serving on" "$DIR/serve.log" && break
  kill -0 "$PID" 2>/dev/null || { cat "$DIR/serve.log" >&2; exit 1; }
  sleep 0.1
done

TOKEN=$(curl -sf -X POST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"pharm.us","password":"isocourse-demo"}' |
  sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[[ -n "$TOKEN" ]] || { echo "login as pharm.us failed" >&2; exit 1; }
LOOKUP=$(curl -sf "$URL/api/v1/dispense/lookup?q=DEMO-US-READY" -H "Authorization: Bearer $TOKEN")
PATIENT=$(sed -n 's/^{"items":\[{"patient_id":"\([^"]*\)".*/\1/p' <<<"$LOOKUP")
RX=$(sed -n 's/^{"items":\[{[^}]*"prescription_id":"\([^"]*\)".*/\1/p' <<<"$LOOKUP")
[[ -n "$PATIENT" && -n "$RX" ]] || { echo "no prescription for DEMO-US-READY: $LOOKUP" >&2; exit 1; }
BODY="{\"patient_id\":\"$PATIENT\",\"prescription_id\":\"$RX\"}"
ANSWER=$(curl -sf -X POST "$URL/api/v1/dispense/check" -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $TOKEN" -d "$BODY")
grep -q '"allowed":true' <<<"$ANSWER" || { echo "the check does not allow: $ANSWER" >&2; exit 1; }

cat >"$DIR/check.lua" <<EOF
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
EOF

# "<req/s> <p99>" from wrk's report; non-2xx answers make the run fail.
run() {
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency "$@")
  if grep -q "Non-2xx" <<<"$out"; then
    echo "wrk saw error answers:" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out")"
}

echo "$("$BIN" --version 2>/dev/null | head -1), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %14s %10s %16s %10s %7s\n' round healthz_rps p99 check_rps p99 ratio
for round in $(seq 1 "$ROUNDS"); do
  run "$URL/healthz" >"$DIR/healthz"
  run -s "$DIR/check.lua" "$URL/api/v1/dispense/check" >"$DIR/check"
  read -r h_rps h_p99 <"$DIR/healthz"
  read -r c_rps c_p99 <"$DIR/check"
  ratio=$(awk -v c="$c_rps" -v h="$h_rps" 'BEGIN {printf "%.3f", c / h}')
  printf '%-6s %14s %10s %16s %10s %7s\n' "$round" "$h_rps" "$h_p99" "$c_rps" "$c_p99" "$ratio"
done
