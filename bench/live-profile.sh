#!/usr/bin/env bash
# Where the time of POST /polls goes: CPU samples of the service (dotnet-trace, cpu-sampling) while
# it takes the batches of bench/live.sh in file order, after a warm-up, on 127.0.0.1. Prints the
# trace's top methods (inclusive and exclusive). Run bench/live.sh first (it writes the batches).
#
# Usage: bash bench/live-profile.sh [--engine sqlite|mariadb] [--skip N] [--batches N]
#   --skip     batches posted before the trace starts (default 60: the database is no longer empty)
#   --batches  batches posted while tracing (default 40)
#
# Stopping the trace can take minutes on a loaded machine (the runtime writes its rundown).
#
# Environment: STOREMON_LIVE_DIR and STOREMON_LIVE_DATABASE (as bench/live.sh), BENCH_LIVE_PORT (default 18510),
#   DOTNET_TRACE (default: dotnet-trace on PATH, else installed into $STOREMON_LIVE_DIR/tools with
#   `dotnet tool install dotnet-trace --tool-path`), MARIADB_DIR and MARIADB_PORT.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_NAME=live-profile
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
engine=sqlite skip=60 count=40
while [ $# -gt 0 ]; do
    case "$1" in
        --engine) engine="${2:?}"; shift ;;
        --skip) skip="${2:?}"; shift ;;
        --batches) count="${2:?}"; shift ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/live-profile.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
case "$engine" in sqlite|mariadb) ;; *) echo "bench/live-profile.sh: --engine is sqlite or mariadb" >&2; exit 2 ;; esac

WORK="${STOREMON_LIVE_DIR:-/tmp/storemon-live}"
PORT="${BENCH_LIVE_PORT:-18510}"
BASE="http://127.0.0.1:$PORT"
CLI="$ROOT/artifacts/bin/StoreMonitoring.Cli/release/storemon"
API="$ROOT/artifacts/bin/StoreMonitoring.Api/release/StoreMonitoring.Api"
PY="$ROOT/bench/live/live.py"

data="$(find "$WORK" -maxdepth 1 -name 'data-3678-*' -type d | head -n 1)"
[ -n "$data" ] && [ -f "$data/done" ] || die "no real-scale batches under $WORK: run bench/live.sh first"
[ -x "$API" ] || die "no API build at $API: run bench/live.sh first"

trace="${DOTNET_TRACE:-$(command -v dotnet-trace || true)}"
if [ -z "$trace" ]; then
    trace="$WORK/tools/dotnet-trace"
    [ -x "$trace" ] || dotnet tool install dotnet-trace --tool-path "$WORK/tools" >&2
fi

dir="$WORK/profile-$engine"
rm -rf "$dir"
mkdir -p "$dir/warm" "$dir/traced"
i=0
for f in "$data/csv/"*.csv; do
    if [ "$i" -lt "$skip" ]; then ln -s "$f" "$dir/warm/"; elif [ "$i" -lt $((skip + count)) ]; then ln -s "$f" "$dir/traced/"; else break; fi
    i=$((i + 1))
done

if [ "$engine" = sqlite ]; then
    db_env=(StoreMonitoring__Database__Provider=sqlite "ConnectionStrings__StoreMonitoring=Data Source=$dir/storemonitoring.db")
else
    db="${STOREMON_LIVE_DATABASE:-storemon_live}"
    start_mariadb "$db"
    recreate_database "$my_port" "$db"
    db_env=(StoreMonitoring__Database__Provider=mysql "ConnectionStrings__StoreMonitoring=$mariadb_conn")
fi
env -C "$dir" "${db_env[@]}" "$CLI" migrate >"$dir/migrate.log" 2>&1 || die "migrate failed"
env -C "$dir" "${db_env[@]}" "$CLI" import "$data/hours" >"$dir/hours.log" 2>&1 || die "importing the hours failed"

curl -s -o /dev/null --max-time 1 "$BASE/health/live" 2>/dev/null && die "something already listens on $BASE"
(cd "$dir" && exec env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$BASE" StoreMonitoring__Auth__Mode=None \
    StoreMonitoring__RateLimit__PermitLimit=1000000 "${db_env[@]}" Logging__LogLevel__Default=Warning "$API" >"$dir/api.log" 2>&1) &
api_pid=$!
trap stop_api EXIT
wait_for_service "$BASE/health/live" "$api_pid" 30 "$dir/api.log"

log "warming up: $skip batches"
python3 "$PY" post "$BASE" "$dir/warm" csv "$dir/warm.tsv" >/dev/null
log "tracing $count batches (pid $api_pid)"
"$trace" collect -p "$api_pid" --profile dotnet-sampled-thread-time -o "$dir/trace.nettrace" >"$dir/trace.log" 2>&1 &
trace_pid=$!
sleep 3
cpu0="$(cpu_s "$api_pid")"
python3 "$PY" post "$BASE" "$dir/traced" csv "$dir/traced.tsv" >/dev/null
cpu1="$(cpu_s "$api_pid")"
kill -INT "$trace_pid" 2>/dev/null || true
wait "$trace_pid" || true
awk -F'\t' -v cpu="$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { print b - a }')" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
    '{ s += $3; n += $2 } END { printf "traced: %d polls in %.2f s of requests = %.0f polls/s; service CPU %.1f s = %.0f polls per CPU second (load %s)\n", n, s, n / s, cpu, n / cpu, load }' "$dir/traced.tsv"
"$trace" report "$dir/trace.nettrace" topN -n 40 --inclusive 2>&1 | head -n 60
"$trace" report "$dir/trace.nettrace" topN -n 30 2>&1 | head -n 45
