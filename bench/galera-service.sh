#!/usr/bin/env bash
# The real service (the published API, Production, Auth None) on the three-node Galera cluster of
# .ci/galera.sh against one MariaDB of .ci/mariadb.sh, in the same run, alternating:
#   1. import: POST /import_data of the generated real-scale data (3,678 stores x 21 days, seed 1, as
#      bench/run.sh), through one instance; time until the answer (the import is done when it answers)
#      and, on the cluster, until every node has applied it;
#   2. poll ingest: POST /polls of the first BATCHES batches of 10,000 polls (as bench/live.sh sends
#      them), through one instance (single; cluster node 1), and through two instances on nodes 1 and 2
#      at once (even batches to one, odd to the other: the same stores through both), aggregate polls/s;
#   3. report: POST /trigger_report, then GET /get_report every 50 ms until the CSV, single and cluster;
#   4. one report with 1, 2 and 3 workers (instances on nodes 1, 2, 3, all with the worker on): time from
#      trigger to CSV, and from report_shards how many shards each instance computed.
# Every CSV is compared (cmp) with the single MariaDB's first one. Prints markdown tables (also to
# WORK/results.md); BENCHMARKS.md is edited by hand.
#
# Usage: bash bench/galera-service.sh [--rounds N] [--batches N] [--smoke]
#   --rounds   repetitions of every step (default 3)
#   --batches  batches of 10,000 polls per ingest run (default 30)
#   --smoke    200 stores x 4 days, batches of 1,000, one round (checks the script, < 2 min)
#   --ingest-only  step 2 only
# The servers must already run, e.g.
#   GALERA_DIR=/tmp/galera-bench GALERA_BASE_PORT=3331 GALERA_GROUP_BASE_PORT=4667 bash .ci/galera.sh start
#   MARIADB_DIR=/tmp/mdb-gbench MARIADB_PORT=3334 MARIADB_BUFFER_POOL=256M bash .ci/mariadb.sh start
#
# Environment:
#   GBENCH_DIR           work directory (default /tmp/gbench)
#   GBENCH_SINGLE_PORT   the single MariaDB (default 3334)
#   GBENCH_NODE_PORTS    the cluster's nodes 1-3 (default "3331 3332 3333")
#   GBENCH_HTTP_BASE     service ports: single on BASE, cluster node N's instance on BASE+N (default 18400)
#   GBENCH_SHARD_STORES  Reports:ShardStores (default 100: 37 shards at real scale)
#   GBENCH_POLL_INTERVAL Reports:PollIntervalSeconds, how soon an idle worker sees new shards (default 0.2)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
COMMAND_LINE="bash bench/galera-service.sh${*:+ $*}"
rounds=3 batches=30 smoke=0 steps=all
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="${2:?--rounds needs a number}"; shift ;;
        --batches) batches="${2:?--batches needs a number}"; shift ;;
        --smoke) smoke=1 ;;
        --ingest-only) steps=ingest ;;
        -h|--help) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/galera-service.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ "$rounds" =~ ^[1-9]$ ]] || { echo "--rounds is 1-9" >&2; exit 2; }
[[ "$batches" =~ ^[1-9][0-9]*$ ]] || { echo "--batches is a positive number" >&2; exit 2; }

stores=3678 days=21 batch=10000 seed=1
if [ "$smoke" -eq 1 ]; then stores=200 days=4 batch=1000 rounds=1 batches=10; fi
WORK="${GBENCH_DIR:-/tmp/gbench}"
SINGLE_PORT="${GBENCH_SINGLE_PORT:-3334}"
read -r -a NODE_PORTS <<<"${GBENCH_NODE_PORTS:-3331 3332 3333}"
HTTP_BASE="${GBENCH_HTTP_BASE:-18400}"
SHARD_STORES="${GBENCH_SHARD_STORES:-100}"
POLL_INTERVAL="${GBENCH_POLL_INTERVAL:-0.2}"
[ "$smoke" -eq 1 ] && SHARD_STORES=10
DB=storemon_gbench
CLI="$ROOT/artifacts/bin/StoreMonitoring.Cli/release/storemon"
API="$ROOT/artifacts/bin/StoreMonitoring.Api/release/StoreMonitoring.Api"
PY="$ROOT/bench/live/live.py"

BENCH_NAME=galera-service
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1000 }'; }
conn_of() { echo "Server=127.0.0.1;Port=$1;User ID=storemon;Password=storemon;Database=$DB;AllowLoadLocalInfile=true"; }
# A read on a cluster node that waits for everything committed anywhere before it (causal read).
csql() { if [ "$1" = "$SINGLE_PORT" ]; then sql "$1" "$2"; else sql "$1" "SET SESSION wsrep_sync_wait = 1; $2"; fi; }

for port in "$SINGLE_PORT" "${NODE_PORTS[@]}"; do
    sql "$port" "SELECT 1" >/dev/null 2>&1 || die "no MariaDB answers on 127.0.0.1:$port (start it first: see --help)"
done
[ "$(sql "${NODE_PORTS[0]}" "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'" | cut -f2)" = 3 ] || die "the cluster on ${NODE_PORTS[0]} is not three nodes"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
rm -rf "$WORK"/instance-*

declare -A API_PID
stop_instance() {
    local name="$1" pid="${API_PID[$1]:-}"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    API_PID[$name]=""
}
stop_all() { local name; for name in "${!API_PID[@]}"; do stop_instance "$name"; done; }
trap stop_all EXIT
trap 'exit 130' INT TERM

log "building the CLI and the API in Release"
build "$WORK/build.log" src/StoreMonitoring.Cli src/StoreMonitoring.Api

# ---------------------------------------------------------------------------------------------
# Data: the generator's files, as bench/run.sh; the status file also split into POST /polls batches.

data="$WORK/data-$stores-$days-$seed"
if [ ! -f "$data/done" ]; then
    log "generating $stores stores x $days days (seed $seed)"
    rm -rf "$data"
    "$CLI" generate --stores "$stores" --days "$days" --seed "$seed" --out "$data/gen" >"$WORK/generate.log" 2>&1 \
        || { cat "$WORK/generate.log" >&2; die "generate failed"; }
    mkdir -p "$data/input" "$data/hours"
    mv "$data/gen/store_status.csv" "$data/gen/menu_hours.csv" "$data/gen/timezones.csv" "$data/input/"
    cp "$data/input/menu_hours.csv" "$data/input/timezones.csv" "$data/hours/"
    python3 "$PY" split "$data/input/store_status.csv" "$data/batches" "$batch" >/dev/null
    touch "$data/done"
fi
rows=$(($(wc -l <"$data/input/store_status.csv") - 1))
# The ingest's batches: the first N in file (time) order; for two instances, even ones and odd ones.
polls_dir="$WORK/polls-$batches"
rm -rf "$polls_dir"
mkdir -p "$polls_dir/all" "$polls_dir/even" "$polls_dir/odd" "$polls_dir/low" "$polls_dir/high"
i=0
for f in $(find "$data/batches" -name '*.csv' | sort | head -n "$batches"); do
    ln -s "$f" "$polls_dir/all/"
    if [ $((i % 2)) -eq 0 ]; then ln -s "$f" "$polls_dir/even/"; else ln -s "$f" "$polls_dir/odd/"; fi
    # Each batch also cut in two by store (ids starting 0-7 and 8-f): two pollers with disjoint stores.
    awk -v lo="$polls_dir/low/${f##*/}" -v hi="$polls_dir/high/${f##*/}" \
        'NR == 1 { print > lo; print > hi; next } /^[0-7]/ { print > lo; next } { print > hi }' "$f"
    i=$((i + 1))
done
ingest_polls=$(($(cat "$polls_dir"/all/*.csv | wc -l) - i))
log "$rows status rows; ingest: $i batches, $ingest_polls polls"

# ---------------------------------------------------------------------------------------------
# Databases and instances

# fresh_db PORT [hours]: drops and re-creates the database, migrates it with the CLI, and with "hours"
# imports the hours and zones (untimed, as bench/live.sh).
fresh_db() {
    local port="$1" dir="$WORK/cli"
    mkdir -p "$dir"
    recreate_database "$port" "$DB"
    local env_vars=(StoreMonitoring__Database__Provider=mysql "ConnectionStrings__StoreMonitoring=$(conn_of "$port")")
    env -C "$dir" "${env_vars[@]}" "$CLI" migrate >"$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; die "migrate failed"; }
    if [ "${2:-}" = hours ]; then
        env -C "$dir" "${env_vars[@]}" "$CLI" import "$data/hours" >"$dir/hours.log" 2>&1 || { cat "$dir/hours.log" >&2; die "importing the hours failed"; }
    fi
}

# start_instance NAME DB_PORT HTTP_PORT [causal]: the published API on 127.0.0.1, worker on.
start_instance() {
    local name="$1" port="$2" http="$3" causal="${4:-false}"
    local dir="$WORK/instance-$name" base="http://127.0.0.1:$3"
    mkdir -p "$dir"
    curl -s -o /dev/null --max-time 1 "$base/health/live" 2>/dev/null && die "something already listens on $base"
    (cd "$dir" && exec env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$base" \
        StoreMonitoring__Auth__Mode=None StoreMonitoring__RateLimit__PermitLimit=1000000 \
        StoreMonitoring__Database__Provider=mysql "ConnectionStrings__StoreMonitoring=$(conn_of "$port")" \
        StoreMonitoring__Database__CausalReads="$causal" \
        "StoreMonitoring__DataDirectory=$data/input" "StoreMonitoring__ReportDirectory=$dir/reports" \
        StoreMonitoring__Reports__ShardStores="$SHARD_STORES" StoreMonitoring__Reports__InstanceName="$name" \
        StoreMonitoring__Reports__PollIntervalSeconds="$POLL_INTERVAL" \
        Logging__LogLevel__Default=Warning \
        "$API" >>"$dir/api.log" 2>&1) &
    API_PID[$name]=$!
    wait_for_service "$base/health/live" "${API_PID[$name]}" 60 "$dir/api.log"
}
node_http() { echo $((HTTP_BASE + $1)); }
start_node_instance() { start_instance "node$1" "${NODE_PORTS[$(($1 - 1))]}" "$(node_http "$1")" true; }

# Waits until nodes 2 and 3 have applied everything node 1 had committed (wsrep_last_committed).
wait_applied() {
    local seqno peer waited
    seqno="$(sql "${NODE_PORTS[0]}" "SHOW GLOBAL STATUS LIKE 'wsrep_last_committed'" | cut -f2)"
    for peer in "${NODE_PORTS[1]}" "${NODE_PORTS[2]}"; do
        waited=0
        until [ "$(sql "$peer" "SHOW GLOBAL STATUS LIKE 'wsrep_last_committed'" | cut -f2)" -ge "$seqno" ]; do
            [ "$waited" -lt 6000 ] || die "node on $peer still behind after 600 s"
            sleep 0.05
            waited=$((waited + 1))
        done
    done
}

# ---------------------------------------------------------------------------------------------
# Steps

# import BASE OUT_DIR: POST /import_data; sets IMPORT_S.
import() {
    local base="$1" out="$2" start code
    start="$(now_ms)"
    code="$(curl -sS -X POST -o "$out/import.json" -w '%{http_code}' --max-time 1800 "$base/import_data")"
    IMPORT_END="$(now_ms)"
    [ "$code" = 200 ] || { cat "$out/import.json" >&2; die "POST /import_data answered $code"; }
    IMPORT_START="$start"
    IMPORT_S="$(secs "$start" "$IMPORT_END")"
}

# report BASE CSV: trigger, poll every 50 ms until the CSV; sets REPORT_S and REPORT_ID.
report() {
    local base="$1" csv="$2" start out code t ctype i
    start="$(now_ms)"
    REPORT_ID="$(curl -sS -X POST --max-time 60 "$base/trigger_report" | json_field report_id)"
    [ -n "$REPORT_ID" ] || die "POST /trigger_report gave no report_id"
    for i in $(seq 1 12000); do
        rm -f "$csv"
        out="$(curl -s -o "$csv" -w '%{http_code} %{time_total} %{content_type}' --max-time 60 "$base/get_report?report_id=$REPORT_ID" || true)"
        read -r code t ctype <<<"$out"
        if [[ "$ctype" == text/csv* ]]; then
            REPORT_S="$(secs "$start" "$(now_ms)")"
            local csv_rows=$(($(wc -l <"$csv") - 1))
            [ "$csv_rows" -eq "$stores" ] || die "report $REPORT_ID: CSV of $csv_rows stores, expected $stores"
            return 0
        fi
        [ "$code" = 200 ] || die "GET /get_report answered '$out'"
        grep -q '"Error"' "$csv" && { cat "$csv" >&2; die "report $REPORT_ID failed"; }
        sleep 0.05
    done
    die "report $REPORT_ID did not complete within 10 minutes"
}

reference_csv="$WORK/reference.csv"
rm -f "$reference_csv"
mismatch=0
# same_csv CSV: compares with the first single MariaDB CSV of this run; prints "yes"/"NO".
same_csv() {
    if [ ! -f "$reference_csv" ]; then cp "$1" "$reference_csv"; echo yes; return; fi
    if cmp -s "$1" "$reference_csv"; then echo yes; else mismatch=1; echo NO; fi
}

# Shards per instance of a report (the instance name is the worker id's first part).
shards_by() {
    csql "$1" "SELECT SUBSTRING_INDEX(worker, ':', 1), COUNT(*) FROM $DB.report_shards WHERE report_id = '$2' GROUP BY 1 ORDER BY 1" \
        | awk -F'\t' '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 } END { if (NR == 0) printf "-" }'
}
shards_total() { csql "$1" "SELECT COUNT(*) FROM $DB.report_shards WHERE report_id = '$2'"; }

# ingest OUT_DIR DB_PORT BASE:DIR...: posts each DIR through its BASE, all at once; sets RATE, WALL, TOTALS.
ingest() {
    local out="$1" port="$2"; shift 2
    local pids=() n=0 spec start
    start="$(now_ms)"
    for spec in "$@"; do
        # A 503 ("nothing applied, send it again") is sent again after its Retry-After, as a poller would.
        python3 "$PY" post "${spec%%|*}" "${spec##*|}" csv "$out/batches-$n.tsv" --resend 20 >"$out/totals-$n.json" &
        pids+=($!)
        n=$((n + 1))
    done
    local pid failed=0
    for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
    WALL="$(secs "$start" "$(now_ms)")"
    [ "$failed" -eq 0 ] || die "posting failed (see $out)"
    local counted accepted
    counted="$(cat "$out"/batches-*.tsv | awk -F'\t' '{ s += $2 } END { print s + 0 }')"
    accepted="$(cat "$out"/batches-*.tsv | awk -F'\t' '{ s += $4 } END { print s + 0 }')"
    [ "$counted" -eq "$ingest_polls" ] || die "the answers count $counted polls, $ingest_polls were sent"
    RATE="$(awk -v r="$ingest_polls" -v s="$WALL" 'BEGIN { printf "%.0f", r / s }')"
    # Nothing lost or duplicated: the table holds exactly the accepted polls.
    STORED="$(csql "$port" "SELECT COUNT(*) FROM $DB.store_status")"
    TOTALS="$(cat "$out"/totals-*.json | tr '\n' ' ')"
    RESENT="$(cat "$out"/totals-*.json | sed -n 's/.*"resent": \([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')"
    [ "$STORED" -eq "$accepted" ] || die "store_status holds $STORED polls, the answers accepted $accepted"
}

# Errors and retries the instances logged (deadlocks, failed claims, failed shards).
log_issues() {
    local n
    n="$(cat "$WORK"/instance-*/api.log 2>/dev/null | grep -c -E 'fail:|1213|[Dd]eadlock|Exception' || true)"
    echo "${n:-0}"
}

import_rows=() ingest_rows=() report_rows=() worker_rows=()
declare -A WORKER_TIMES
run_started="$(date -u '+%Y-%m-%d %H:%M UTC')"

for round in $(seq 1 "$rounds"); do
    # --- 1 and 3: import, then report, one instance; then 4: 1, 2, 3 workers on the cluster's data.
    for target in single cluster; do
        [ "$steps" = all ] || break
        out="$WORK/r$round-$target"
        rm -rf "$out"
        mkdir -p "$out"
        if [ "$target" = single ]; then
            port="$SINGLE_PORT"
            fresh_db "$port"
            start_instance single "$port" "$HTTP_BASE"
            base="http://127.0.0.1:$HTTP_BASE"
        else
            port="${NODE_PORTS[0]}"
            fresh_db "$port"
            wait_applied
            start_node_instance 1
            base="http://127.0.0.1:$(node_http 1)"
        fi
        load="$(load1)"
        log "round $round: $target import (load $load)"
        import "$base" "$out"
        all_nodes="-"
        if [ "$target" = cluster ]; then
            wait_applied
            all_nodes="$(secs "$IMPORT_START" "$(now_ms)")"
        fi
        imported="$(csql "$port" "SELECT COUNT(*) FROM $DB.store_status")"
        import_rows+=("| $round | $target | $(group <<<"$imported") | $IMPORT_S | $all_nodes | $(awk -v r="$imported" -v s="$IMPORT_S" 'BEGIN { printf "%.0f", r / s }' | group) | $load |")
        log "${import_rows[-1]}"

        load="$(load1)"
        log "round $round: $target report, one instance (load $load)"
        report "$base" "$out/report.csv"
        same="$(same_csv "$out/report.csv")"
        report_rows+=("| $round | $target | $REPORT_S | $(shards_total "$port" "$REPORT_ID") | $same | $load |")
        log "${report_rows[-1]}"
        if [ "$target" = cluster ]; then
            WORKER_TIMES[1]+=" $REPORT_S"
            worker_rows+=("| $round | 1 | $REPORT_S | $(shards_by "$port" "$REPORT_ID") | $same | $load |")
            log "${worker_rows[-1]}"
        fi

        if [ "$target" = single ]; then
            stop_instance single
            continue
        fi
        for workers in 2 3; do
            start_node_instance "$workers"
            load="$(load1)"
            log "round $round: cluster report, $workers workers (load $load)"
            report "$base" "$out/report-$workers.csv"
            same="$(same_csv "$out/report-$workers.csv")"
            WORKER_TIMES[$workers]+=" $REPORT_S"
            worker_rows+=("| $round | $workers | $REPORT_S | $(shards_by "$port" "$REPORT_ID") | $same | $load |")
            log "${worker_rows[-1]}"
        done
        stop_all
    done

    # --- 2: poll ingest, fresh database (hours and zones) each time.
    for target in single cluster cluster-2 cluster-2-disjoint; do
        out="$WORK/r$round-ingest-$target"
        rm -rf "$out"
        mkdir -p "$out"
        case "$target" in
            single)
                port="$SINGLE_PORT"; fresh_db "$port" hours
                start_instance single "$port" "$HTTP_BASE"
                specs=("http://127.0.0.1:$HTTP_BASE|$polls_dir/all") ;;
            cluster)
                port="${NODE_PORTS[0]}"; fresh_db "$port" hours; wait_applied
                start_node_instance 1
                specs=("http://127.0.0.1:$(node_http 1)|$polls_dir/all") ;;
            cluster-2)
                port="${NODE_PORTS[0]}"; fresh_db "$port" hours; wait_applied
                start_node_instance 1
                start_node_instance 2
                specs=("http://127.0.0.1:$(node_http 1)|$polls_dir/even" "http://127.0.0.1:$(node_http 2)|$polls_dir/odd") ;;
            cluster-2-disjoint)
                port="${NODE_PORTS[0]}"; fresh_db "$port" hours; wait_applied
                start_node_instance 1
                start_node_instance 2
                specs=("http://127.0.0.1:$(node_http 1)|$polls_dir/low" "http://127.0.0.1:$(node_http 2)|$polls_dir/high") ;;
        esac
        retries_before="$(cat "$WORK"/instance-*/api.log | grep -c 'ran into another writer' || true)"
        load="$(load1)"
        log "round $round: $target ingest of $ingest_polls polls (load $load)"
        ingest "$out" "$port" "${specs[@]}"
        log "round $round: $target $RATE polls/s; $TOTALS"
        retries="$(cat "$WORK"/instance-*/api.log | grep -c 'ran into another writer' || true)"
        ingest_rows+=("| $round | $target | $(group <<<"$ingest_polls") | $WALL | $(group <<<"$RATE") | $(group <<<"$STORED") | $((retries - retries_before)) | $RESENT | $load |")
        log "${ingest_rows[-1]}"
        stop_all
    done
done

median_range() {
    tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f (%.2f-%.2f)", m, v[1], v[NR] }'
}

{
    echo
    echo "Run: $run_started, \`$COMMAND_LINE\` ($(git -C "$ROOT" rev-parse --short HEAD)); $stores stores x $days days (seed $seed): $(group <<<"$rows") status rows; ingest: $(group <<<"$ingest_polls") polls in batches of $(group <<<"$batch"). Machine: $(nproc) cores, shared. ShardStores $SHARD_STORES, PollIntervalSeconds $POLL_INTERVAL. Load = 1-minute load average at the start of the step."
    echo
    echo "Import (POST /import_data, one instance; cluster: instance on node 1, CausalReads):"
    echo
    echo "| round | target | status rows | answered s | all nodes applied s | rows/s | load |"
    echo "|---:|---|---:|---:|---:|---:|---:|"
    printf '%s\n' "${import_rows[@]}"
    echo
    echo "Poll ingest (POST /polls, one request at a time per instance; cluster-2 = instances on nodes 1 and 2 at once, even batches to one and odd to the other (the same stores through both); cluster-2-disjoint = each batch cut in two by store, one half to each instance (no store through both); s = wall clock of all posters; retries = "ran into another writer" lines logged):"
    echo
    echo "| round | target | polls | s | polls/s | rows stored | retries in the service | 503s sent again | load |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ingest_rows[@]}"
    echo
    echo "Report (trigger → CSV, one instance):"
    echo
    echo "| round | target | s | shards | CSV = single's | load |"
    echo "|---:|---|---:|---:|---|---:|"
    printf '%s\n' "${report_rows[@]}"
    echo
    echo "One report, 1-3 workers on the cluster (instances on nodes 1..N, triggered on node 1):"
    echo
    echo "| round | workers | s | shards computed per instance | CSV = single's | load |"
    echo "|---:|---:|---:|---|---|---:|"
    printf '%s\n' "${worker_rows[@]}"
    echo
    for w in 1 2 3; do echo "- $w worker(s): median (range) $(median_range "${WORKER_TIMES[$w]:-}") s"; done
    echo "- lines with errors, exceptions or deadlocks in the instances' logs: $(log_issues)"
} | tee "$WORK/results.md"

[ "$mismatch" -eq 0 ] || die "a report's CSV differs from the single MariaDB's (see $WORK/r*/report*.csv)"
