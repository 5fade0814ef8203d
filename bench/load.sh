#!/usr/bin/env bash
# Load test of the request limits, loopback only and bounded in time: one API key floods
# GET /reports far past its rate limit while a second client measures GET /health/live, which the
# limiter does not count. Shows the limiter answering 429 (with Retry-After) and the liveness probe
# staying fast. Prints a markdown table for BENCHMARKS.md.
#
# Usage: bash bench/load.sh [--seconds 15] [--connections 16] [--pause-ms 2]
#   --pause-ms  each flood connection waits this long between requests (wrk's delay()), so the
#               flood is a heavy client (16 x 500/s = 800x the limit) rather than a CPU burner
#               that measures the scheduler of a 2-core machine; the probe waits 1 ms.
#
# Environment:
#   STOREMON_LOAD_DIR   work directory (default /tmp/storemon-load)
#   BENCH_LOAD_PORT     API port on 127.0.0.1 (default 18310)
#   BENCH_LOAD_WAIT     seconds to wait for the 1-minute load average to fall below BENCH_LOAD_MAX
#                       (default 1.5) before measuring (default 180): the machine is shared
#
# Needs wrk (apt-get install wrk). Exit status: non-zero when a step fails, when no 429 was seen,
# or when the probe's p99 is 5 ms or more.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_NAME=load.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
WORK="${STOREMON_LOAD_DIR:-/tmp/storemon-load}"
PORT="${BENCH_LOAD_PORT:-18310}"
BASE="http://127.0.0.1:$PORT"
duration=15
connections=16
pause_ms=2
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) duration="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --pause-ms) pause_ms="$2"; shift 2 ;;
        *) echo "usage: bash bench/load.sh [--seconds N] [--connections N] [--pause-ms N]" >&2; exit 2 ;;
    esac
done

command -v wrk >/dev/null || die "wrk is missing: apt-get install wrk"
curl -s -o /dev/null --max-time 1 "$BASE/" 2>/dev/null && die "something already listens on $BASE: set BENCH_LOAD_PORT"

rm -rf "$WORK" && mkdir -p "$WORK"
echo "function delay() return $pause_ms end" >"$WORK/flood.lua"
echo "function delay() return 1 end" >"$WORK/probe.lua"
log "building the API and the CLI (Release)"
build "$WORK/build.log" src/StoreMonitoring.Api src/StoreMonitoring.Cli

# A real key, made and configured the way an operator does it.
"$ROOT/artifacts/bin/StoreMonitoring.Cli/release/storemon" apikey create --name load --scope read >"$WORK/key.txt"
key="$(sed -n 's/^ *\(smk_[A-Za-z0-9_-]*\)$/\1/p' "$WORK/key.txt")"
mapfile -t key_settings < <(grep '^StoreMonitoring__Auth__Keys__0__' "$WORK/key.txt")
[ -n "$key" ] && [ "${#key_settings[@]}" = 3 ] || die "storemon apikey create printed no key"

permits=100
window=10
(cd "$WORK" && exec env ASPNETCORE_ENVIRONMENT=Production "${key_settings[@]}" \
    "ConnectionStrings__StoreMonitoring=Data Source=$WORK/storemonitoring.db" \
    "StoreMonitoring__DataDirectory=$WORK" "StoreMonitoring__ReportDirectory=$WORK/reports" \
    StoreMonitoring__RateLimit__PermitLimit=$permits StoreMonitoring__RateLimit__WindowSeconds=$window \
    Logging__LogLevel__Default=Warning \
    "$ROOT/artifacts/bin/StoreMonitoring.Api/release/StoreMonitoring.Api" --urls "$BASE" >"$WORK/api.log" 2>&1) &
api_pid=$!
trap stop_api EXIT
wait_for_service "$BASE/health/ready" "$api_pid" 30 "$WORK/api.log"
curl -sf -o /dev/null --max-time 1 "$BASE/health/ready" || die "the API was not ready on $BASE within 30 s: $WORK/api.log"

# Warm both paths, so the JIT is not measured.
wrk -t1 -c1 -d2s "$BASE/health/live" >/dev/null
sleep "$window"

for _ in $(seq 1 "${BENCH_LOAD_WAIT:-180}"); do
    awk -v l="$(load1)" -v max="${BENCH_LOAD_MAX:-1.5}" 'BEGIN { exit !(l < max) }' && break
    sleep 1
done
load="$(load1)"
wrk -t1 -c"$connections" -d"${duration}s" -s "$WORK/flood.lua" -H "Authorization: Bearer $key" "$BASE/reports" >"$WORK/flood.txt" &
flood_pid=$!
sleep 1
curl -s -D "$WORK/limited.headers" -o "$WORK/limited.body" -H "Authorization: Bearer $key" "$BASE/reports"
wrk -t1 -c1 -d"$((duration - 2))s" -s "$WORK/probe.lua" --latency "$BASE/health/live" >"$WORK/probe.txt"
wait "$flood_pid"

status="$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$WORK/limited.headers")"
retry_after="$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$WORK/limited.headers")"
flood_total="$(awk '/requests in/ {print $1}' "$WORK/flood.txt")"
flood_rejected="$(awk '/Non-2xx/ {print $NF}' "$WORK/flood.txt")"
flood_rps="$(awk '/Requests\/sec/ {print $2}' "$WORK/flood.txt")"
probe_total="$(awk '/requests in/ {print $1}' "$WORK/probe.txt")"
probe_errors="$(awk '/Non-2xx/ {print $NF}' "$WORK/probe.txt")"
# wrk prints latencies as 123.45us, 1.23ms or 1.23s: all to milliseconds.
ms() { awk -v p="$1" '$1 == p {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}' "$WORK/probe.txt"; }
p50="$(ms 50%)"; p90="$(ms 90%)"; p99="$(ms 99%)"

echo
echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC'), \`bash bench/load.sh --seconds $duration --connections $connections --pause-ms $pause_ms\`, 1-minute load at start $load"
echo
echo "| client | requests | answered 429 | rate | p50 | p90 | p99 |"
echo "|---|---|---|---|---|---|---|"
echo "| key \`load\` (limit $permits per ${window} s), GET /reports, $connections connections | $flood_total | ${flood_rejected:-0} | $flood_rps/s | | | |"
echo "| anonymous, GET /health/live, 1 connection | $probe_total | ${probe_errors:-0} | | $p50 ms | $p90 ms | $p99 ms |"
echo
echo "A request of the key during the flood: HTTP $status, Retry-After: ${retry_after:-none}"

[ "$status" = 429 ] && [ -n "$retry_after" ] || die "the limiter did not answer 429 with Retry-After"
[ "${flood_rejected:-0}" -gt 0 ] || die "no 429 in the flood"
awk -v p="$p99" 'BEGIN {exit !(p < 5)}' || die "GET /health/live p99 $p99 ms is not under 5 ms"
