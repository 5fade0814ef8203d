#!/usr/bin/env bash
# Live monitoring targets (issue 11), on the real service over 127.0.0.1, bounded in time:
#   1. POST /polls throughput: the whole store_status.csv in batches of 10,000 polls, in file order,
#      one request at a time, as CSV and (on a fresh database) as JSON arrays, SQLite and MariaDB.
#      Batches are written before timing; only the HTTP requests are timed (their sum). Incidents
#      are kept current inside each request, so they are included.
#   2. Read latency while an ingest runs: GET /stores/{id}, GET /stores/{id}/timeline (24 h),
#      GET /stores/{id}/days (90 dates) for random stores and GET /incidents?open=true, round robin, one at a time, spread over the
#      ingest; then the same reads on the full database with no ingest, for comparison.
#   3. Incidents current at the ingest response: right after some batches' answers, the incidents
#      of stores whose poll in that batch was inactive are looked up (retried for up to 1 s).
#   4. Peak RSS of the service (VmHWM) after each ingest, and after a 10x ingest (--scale 10x).
# Prints markdown tables (BENCHMARKS.md is edited by hand: the figures need reading).
#
# Usage: bash bench/live.sh [--smoke] [--scale real|10x] [--engines sqlite,mariadb] [--rounds N] [--phases LIST]
#   --smoke    200 stores x 4 days, batches of 1,000, every step once, no targets (CI, < 1 min after the build)
#   --scale    real = 3,678 stores x 21 days (default); 10x = 36,780 stores x 21 days, CSV on the first
#              engine only (memory as the database grows tenfold)
#   --rounds   throughput rounds (default 1): each round runs CSV and JSON on every engine,
#              alternating, a fresh database each time
#   --phases   throughput,reads (default both): reads = the latency probe and the incident checks;
#              its probe spreads its requests over the ingest's expected length (from this run's
#              throughput phase, else BENCH_LIVE_INGEST_S, default 120 s)
#
# Environment:
#   STOREMON_LIVE_DIR   work directory (default /tmp/storemon-live)
#   BENCH_LIVE_PORT     API port on 127.0.0.1 (default 18510)
#   BENCH_LIVE_SEED     generator seed (default 11)
#   BENCH_LIVE_PROBES   requests of each kind in the latency probe (default 300)
#   STOREMON_LIVE_DATABASE  the MariaDB database (default storemon_live; dropped and re-created)
#   MARIADB_DIR, MARIADB_PORT   the MariaDB of .ci/mariadb.sh (started if not running)
#
# Exit status: non-zero when a step fails or an answer is wrong (a batch not fully counted, an
# incident not current within 1 s). Time targets are reported as PASS/MISS, not enforced.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_NAME=live
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
COMMAND_LINE="bash bench/live.sh${*:+ $*}"
smoke=0
scale=real
engines=sqlite,mariadb
rounds=1
phases=throughput,reads
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) smoke=1 ;;
        --scale) scale="${2:?--scale needs real or 10x}"; shift ;;
        --engines) engines="${2:?--engines needs a list}"; shift ;;
        --rounds) rounds="${2:?--rounds needs a number}"; shift ;;
        --phases) phases="${2:?--phases needs a list}"; shift ;;
        -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/live.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$scale" in real|10x) ;; *) echo "bench/live.sh: --scale is real or 10x" >&2; exit 2 ;; esac
[[ "$rounds" =~ ^[1-9]$ ]] || { echo "bench/live.sh: --rounds is 1-9" >&2; exit 2; }
IFS=, read -r -a engine_list <<<"$engines"
for engine in "${engine_list[@]}"; do
    case "$engine" in sqlite|mariadb) ;; *) echo "bench/live.sh: unknown engine '$engine'" >&2; exit 2 ;; esac
done
has_phase() { [[ ",$phases," == *",$1,"* ]]; }

stores=3678 days=21 batch=10000 probes="${BENCH_LIVE_PROBES:-300}" check_every=20
[ "$scale" = 10x ] && stores=36780
if [ "$smoke" -eq 1 ]; then stores=200 days=4 batch=1000 probes=30 rounds=1 check_every=5; fi
SEED="${BENCH_LIVE_SEED:-11}"
WORK="${STOREMON_LIVE_DIR:-/tmp/storemon-live}"
PORT="${BENCH_LIVE_PORT:-18510}"
BASE="http://127.0.0.1:$PORT"
CLI="$ROOT/artifacts/bin/StoreMonitoring.Cli/release/storemon"
API="$ROOT/artifacts/bin/StoreMonitoring.Api/release/StoreMonitoring.Api"
PY="$ROOT/bench/live/live.py"
DB="${STOREMON_LIVE_DATABASE:-storemon_live}"

# Targets (real scale).
CSV_TARGET=100000 JSON_TARGET=50000 PAGE_P99_MS=20 INCIDENTS_P99_MS=50 DAYS_P99_MS=10

command -v python3 >/dev/null || die "python3 is missing"
command -v curl >/dev/null || die "curl is missing"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"

api_pid=""
cleanup() {
    stop_api
    stop_started_mariadb
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building the CLI and the API in Release"
build "$WORK/build.log" src/StoreMonitoring.Cli src/StoreMonitoring.Api

mariadb_conn=""
my_port=""
if has_engine mariadb; then
    start_mariadb "$DB"
fi

# ---------------------------------------------------------------------------------------------
# Data: the generator's files; the hours and zones go in with the CLI (untimed), the polls through
# POST /polls, pre-split into batch files.

data="$WORK/data-$stores-$days-$SEED"
if [ ! -f "$data/done" ]; then
    log "generating $stores stores x $days days (seed $SEED)"
    rm -rf "$data"
    "$CLI" generate --stores "$stores" --days "$days" --seed "$SEED" --out "$data/gen" >"$WORK/generate.log" 2>&1 \
        || { cat "$WORK/generate.log" >&2; die "generate failed"; }
    mkdir -p "$data/hours"
    mv "$data/gen/menu_hours.csv" "$data/gen/timezones.csv" "$data/hours/"
    log "splitting into batches of $batch (CSV and JSON)"
    python3 "$PY" split "$data/gen/store_status.csv" "$data/csv" "$batch" >/dev/null
    if [ "$scale" = real ]; then python3 "$PY" split "$data/gen/store_status.csv" "$data/json" "$batch" --json >/dev/null; fi
    # Stores that have polls, for the probe.
    tail -n +2 "$data/gen/store_status.csv" | cut -d, -f1 | sort -u >"$data/store_ids.txt"
    touch "$data/done"
fi
rows=$(($(wc -l <"$data/gen/store_status.csv") - 1))
batches="$(find "$data/csv" -name '*.csv' | wc -l)"
log "$rows polls in $batches batches"

# fresh_db ENGINE NAME: an empty, migrated database holding the hours and zones; sets DB_ENV.
fresh_db() {
    local engine="$1" dir="$2"
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$engine" = sqlite ]; then
        DB_ENV=(StoreMonitoring__Database__Provider=sqlite "ConnectionStrings__StoreMonitoring=Data Source=$dir/storemonitoring.db")
    else
        recreate_database "$my_port" "$DB"
        DB_ENV=(StoreMonitoring__Database__Provider=mysql "ConnectionStrings__StoreMonitoring=$mariadb_conn")
    fi
    env -C "$dir" "${DB_ENV[@]}" "$CLI" migrate >"$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; die "migrate failed"; }
    env -C "$dir" "${DB_ENV[@]}" "$CLI" import "$data/hours" >"$dir/hours.log" 2>&1 || { cat "$dir/hours.log" >&2; die "importing the hours failed"; }
}

# start_api DIR: the service on the database of DB_ENV. Information logs, so that each batch's
# "Polls ingested" line and the request timings are in DIR/api.log.
start_api() {
    local dir="$1"
    curl -s -o /dev/null --max-time 1 "$BASE/health/live" 2>/dev/null && die "something already listens on $BASE: set BENCH_LIVE_PORT"
    # PermitLimit: the largest the options take (1,000,000 per 10 s window): the limiter stays out.
    (cd "$dir" && exec env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$BASE" \
        StoreMonitoring__Auth__Mode=None StoreMonitoring__RateLimit__PermitLimit=1000000 \
        "${DB_ENV[@]}" "StoreMonitoring__ReportDirectory=$dir/reports" \
        Logging__LogLevel__Default=Information Logging__LogLevel__Microsoft.AspNetCore=Warning \
        Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics=Information \
        "$API" >"$dir/api.log" 2>&1) &
    api_pid=$!
    wait_for_service "$BASE/health/live" "$api_pid" 30 "$dir/api.log"
}

# cpu_s (bench/lib.sh): with the machine shared, the service's own CPU per batch is the figure that
# other load does not inflate.
mariadbd_pid() { [ -n "$my_port" ] && cat "${MARIADB_DIR:-/tmp/storemon-mariadb}/mysqld.pid" 2>/dev/null || true; }

vm_hwm_mb() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$api_pid/status"; }

# ingest ENGINE FORMAT DIR [probe]: posts every batch; sets RATE, SECONDS_SUM, HWM, LOAD.
ingest() {
    local engine="$1" format="$2" dir="$3" with_probe="${4:-}"
    local source="$data/$format"
    LOAD="$(load1)"
    local probe_pid=""
    rm -f "$dir/stop"
    if [ -n "$with_probe" ]; then
        # Spread over the whole ingest, so that the reads meet a database that grows to full size.
        local expected="${INGEST_S[$engine]:-${BENCH_LIVE_INGEST_S:-120}}"
        local pause
        pause="$(awk -v s="$expected" -v n="$probes" 'BEGIN { p = s * 1000 / (3 * n) - 5; if (p < 5) p = 5; printf "%.0f", p }')"
        [ "$smoke" -eq 1 ] && pause=20
        python3 "$PY" probe "$BASE" "$data/store_ids.txt" "$dir/stop" "$dir/probe.tsv" --each "$probes" --pause-ms "$pause" --seconds 900 &
        probe_pid=$!
    fi
    local check_args=()
    [ -n "$with_probe" ] && check_args=(--check-every "$check_every" --checks "$dir/checks.tsv")
    log "$engine $format: posting $batches batches (load $LOAD)${with_probe:+, probing reads}"
    local db_pid="" cpu0 db0=0
    [ "$engine" = mariadb ] && db_pid="$(mariadbd_pid)"
    cpu0="$(cpu_s "$api_pid")"
    [ -n "$db_pid" ] && db0="$(cpu_s "$db_pid")"
    python3 "$PY" post "$BASE" "$source" "$format" "$dir/batches.tsv" "${check_args[@]}" >"$dir/totals.json" \
        || { [ -n "$probe_pid" ] && kill "$probe_pid" 2>/dev/null; tail -n 20 "$dir/api.log" >&2; die "posting failed"; }
    touch "$dir/stop"
    CPU="$(awk -v a="$cpu0" -v b="$(cpu_s "$api_pid")" 'BEGIN { printf "%.1f", b - a }')"
    DB_CPU="-"
    [ -n "$db_pid" ] && DB_CPU="$(awk -v a="$db0" -v b="$(cpu_s "$db_pid")" 'BEGIN { printf "%.1f", b - a }')"
    [ -n "$probe_pid" ] && { wait "$probe_pid" || die "the probe failed"; }
    local counted
    counted="$(awk -F'\t' '{ s += $2 } END { print s + 0 }' "$dir/batches.tsv")"
    [ "$counted" -eq "$rows" ] || die "$engine $format: the answers count $counted polls, the file has $rows"
    SECONDS_SUM="$(awk -F'\t' '{ s += $3 } END { printf "%.2f", s }' "$dir/batches.tsv")"
    RATE="$(awk -v r="$rows" -v s="$SECONDS_SUM" 'BEGIN { printf "%.0f", r / s }')"
    HWM="$(vm_hwm_mb)"
    log "$engine $format: $rows polls in $SECONDS_SUM s = $RATE polls/s; service CPU $CPU s, MariaDB CPU $DB_CPU s; VmHWM $HWM MB; $(cat "$dir/totals.json")"
}

batch_stats() {
    # p50 and max of one batch's request time (ms), and of the first and last tenth of the batches.
    awk -F'\t' '{ t[NR] = $3 * 1000 } END {
        n = NR; for (i = 1; i <= n; i++) s[i] = t[i]
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (s[j] < s[i]) { x = s[i]; s[i] = s[j]; s[j] = x }
        k = int(n / 10); if (k < 1) k = 1
        for (i = 1; i <= k; i++) { a += t[i]; b += t[n - k + i] }
        printf "%.0f %.0f %.0f %.0f\n", s[int((n + 1) / 2)], s[n], a / k, b / k }' "$1"
}

check() { awk -v a="$1" -v b="$2" -v ge="$3" 'BEGIN { ok = ge ? a >= b : a < b; print ok ? "PASS" : "MISS" }'; }
target_text() { [ "$smoke" -eq 1 ] || [ "$scale" = 10x ] && { echo "-"; return; }; echo "$(check "$@")"; }

run_started="$(date -u '+%Y-%m-%d %H:%M UTC')"
ingest_rows=()
latency_rows=()
check_rows=()
failed=0
declare -A INGEST_S

if [ "$scale" = 10x ]; then
    formats=(csv)
    engine_list=("${engine_list[0]}")
    rounds=1
else
    formats=(csv json)
fi

# Throughput, alternating engine and format; fresh database and fresh service each time.
has_phase throughput || rounds=0
for round in $(seq 1 "$rounds"); do
    for format in "${formats[@]}"; do
        for engine in "${engine_list[@]}"; do
            dir="$WORK/run-$engine-$format-$round"
            fresh_db "$engine" "$dir"
            start_api "$dir"
            ingest "$engine" "$format" "$dir"
            [ "$format" = csv ] && INGEST_S[$engine]="$SECONDS_SUM"
            read -r p50 pmax first last < <(batch_stats "$dir/batches.tsv")
            target=$([ "$format" = csv ] && echo "$CSV_TARGET" || echo "$JSON_TARGET")
            verdict="$(target_text "$RATE" "$target" 1)"
            [ "$engine" = sqlite ] || verdict="- (no target)"
            ingest_rows+=("| $round | $engine | $format | $(group <<<"$rows") | $SECONDS_SUM | $(group <<<"$RATE") | $CPU / $DB_CPU | $p50 / $pmax | $first → $last | $HWM | $LOAD | $verdict |")
            stop_api
        done
    done
done

# The row name of each kind of read that live.py probe makes.
read_name() {
    case "$1" in
        store) echo "GET /stores/{id}" ;;
        timeline) echo "GET /stores/{id}/timeline (24 h)" ;;
        days) echo "GET /stores/{id}/days (90 dates)" ;;
        *) echo "GET /incidents?open=true" ;;
    esac
}

# Reads while an ingest runs (CSV), and the incident checks, on every engine.
if [ "$scale" = real ] && has_phase reads; then
    for engine in "${engine_list[@]}"; do
        dir="$WORK/probe-$engine"
        fresh_db "$engine" "$dir"
        start_api "$dir"
        ingest "$engine" csv "$dir" probe
        load_end="$(load1)"
        while read -r kind n ok p50 p99 max; do
            limit=$(case "$kind" in open_incidents) echo "$INCIDENTS_P99_MS" ;; days) echo "$DAYS_P99_MS" ;; *) echo "$PAGE_P99_MS" ;; esac)
            name=$(read_name "$kind")
            latency_rows+=("| $engine | $name | $n ($ok × 200) | $p50 | $p99 | $max | $RATE | $LOAD → $load_end | $(target_text "$p99" "$limit" 0) (p99 < $limit ms) |")
        done < <(python3 "$PY" stats "$dir/probe.tsv")
        # The same reads on the full database with no ingest: what the ingest itself adds.
        idle_each=$((probes / 4))
        rm -f "$dir/never"
        python3 "$PY" probe "$BASE" "$data/store_ids.txt" "$dir/never" "$dir/idle.tsv" --each "$idle_each" --pause-ms 5 --seconds 120
        while read -r kind n ok p50 p99 max; do
            name=$(read_name "$kind")
            latency_rows+=("| $engine | $name, no ingest (full database) | $n ($ok × 200) | $p50 | $p99 | $max | - | $(load1) | - |")
        done < <(python3 "$PY" stats "$dir/idle.tsv")
        read -r samples evidenced same worst < <(python3 "$PY" checks "$dir/checks.tsv")
        [ "$same" -eq "$samples" ] || failed=1
        check_rows+=("| $engine | $samples | $evidenced | $worst | $same | $((samples - same)) |")
        stop_api
    done
fi

machine() {
    echo "$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1); $(nproc) cores; $(. /etc/os-release && echo "$PRETTY_NAME"); .NET SDK $(dotnet --version)"
}

echo
echo "Run: $run_started, \`$COMMAND_LINE\` ($(git -C "$ROOT" rev-parse --short HEAD)); $stores stores x $days days (seed $SEED): $(group <<<"$rows") polls in $batches batches of $(group <<<"$batch"). Machine: $(machine)."
echo
echo "POST /polls, one request at a time on one keep-alive connection (python3 http.client); s = sum of the requests' times (client side, batches read from disk before each request); fresh database (hours and zones imported) and fresh service per row. Load = 1-minute load average at the start."
echo
if [ "${#ingest_rows[@]}" -gt 0 ]; then
    echo "| round | engine | format | polls | s | polls/s | CPU s service / MariaDB | batch ms p50 / max | batch ms first → last tenth | service VmHWM MB | load | target |"
    echo "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    printf '%s\n' "${ingest_rows[@]}"
fi
if [ "${#latency_rows[@]}" -gt 0 ]; then
    echo
    echo "Reads while the CSV ingest runs (fresh database): round robin, one request at a time, paced to spread $probes of each over the ingest, random stores that have polls (404 until a store's first poll arrives; timed too). ms = client side."
    echo
    echo "| engine | request | n | p50 ms | p99 ms | max ms | ingest polls/s meanwhile | load start → end | target |"
    echo "|---|---|---:|---:|---:|---:|---:|---|---|"
    printf '%s\n' "${latency_rows[@]}"
    echo
    echo "Incidents current at the answer: every ${check_every}th batch, right after its response (the poster waits, so nothing else writes), GET /stores/{id}/incidents for 3 stores whose last poll in the batch was inactive, and again 1 s later. Current = both looks equal; evidenced = an incident lists that poll (one outside business hours makes none)."
    echo
    echo "| engine | samples | evidenced by the batch's poll at the first look | first look, ms after the answer (worst) | equal 1 s later | changed (stale at the answer) |"
    echo "|---|---:|---:|---:|---:|---:|"
    printf '%s\n' "${check_rows[@]}"
fi
[ "$failed" -eq 0 ] || die "an incident was not current within 1 s of the ingest response"
