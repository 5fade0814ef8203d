#!/usr/bin/env bash
# Disk use of one finished report at real scale (3,678 stores x 21 days, seed 1), for the
# retention settings: the report's rows in SQLite and in MariaDB, and its exported CSV file.
# Runs the API (Release, open, 127.0.0.1 only) on each engine, imports, computes 4 reports with
# distinct `now`s and divides what they added by 4. Prints a markdown table.
#
# Usage: bash bench/report-size.sh [--engines sqlite,mariadb]
# Environment: STOREMON_SIZE_DIR (default /tmp/storemon-size), BENCH_SIZE_PORT (default 18311);
#   MariaDB: .ci/mariadb.sh's server (MARIADB_PORT, default 3307), database storemon_size (re-created).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_NAME=report-size.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
WORK="${STOREMON_SIZE_DIR:-/tmp/storemon-size}"
PORT="${BENCH_SIZE_PORT:-18311}"
BASE="http://127.0.0.1:$PORT"
engines=sqlite,mariadb
[ "${1:-}" = --engines ] && engines="$2"
REPORTS=4
CLI="$ROOT/artifacts/bin/StoreMonitoring.Cli/release/storemon"
API="$ROOT/artifacts/bin/StoreMonitoring.Api/release/StoreMonitoring.Api"

rm -rf "$WORK" && mkdir -p "$WORK"
build "$WORK/build.log" src/StoreMonitoring.Api src/StoreMonitoring.Cli
"$CLI" generate --stores 3678 --days 21 --seed 1 --out "$WORK/data" >"$WORK/generate.log" 2>&1 || die "generate failed"

# Starts the API with the given extra environment, imports, computes the reports; leaves it running.
run_api() {
    local dir="$1"; shift
    mkdir -p "$dir"
    (cd "$dir" && exec env ASPNETCORE_ENVIRONMENT=Production StoreMonitoring__Auth__Mode=None \
        StoreMonitoring__RateLimit__PermitLimit=1000000 "StoreMonitoring__DataDirectory=$WORK/data" \
        "StoreMonitoring__ReportDirectory=$dir/reports" StoreMonitoring__Database__MigrateOnStart=true \
        Logging__LogLevel__Default=Warning "$@" "$API" --urls "$BASE" >"$dir/api.log" 2>&1) &
    api_pid=$!
    wait_for_service "$BASE/health/ready" "$api_pid" 30 "$dir/api.log"
    curl -sf -o /dev/null -X POST --max-time 600 "$BASE/import_data" || die "import failed: $dir/api.log"
}

compute_reports() {
    local dir="$1" latest id i
    latest="$(curl -sf "$BASE/debug_data" | json_field latest)"
    for i in $(seq 1 "$REPORTS"); do
        id="$(curl -sf -X POST "$BASE/trigger_report?now=$(date -u -d "$latest - $i hour" +%Y-%m-%dT%H:%M:%SZ)" | json_field report_id)"
        [ -n "$id" ] || die "trigger failed"
        until curl -sf "$BASE/get_report?report_id=$id" -o "$dir/last.out" -w '%{content_type}' | grep -q text/csv; do sleep 0.5; done
    done
    until [ "$(ls "$dir/reports" 2>/dev/null | wc -l)" -ge "$REPORTS" ]; do sleep 0.2; done
}

rows=()
if has_engine sqlite; then
    dir="$WORK/sqlite"
    run_api "$dir" "ConnectionStrings__StoreMonitoring=Data Source=$dir/storemonitoring.db"
    compute_reports "$dir"
    stop_api
    # dbstat counts the pages of the table and its primary-key index, whatever the file's free space.
    bytes="$(sqlite3 "$dir/storemonitoring.db" "SELECT SUM(pgsize) FROM dbstat WHERE name IN ('report_rows', 'sqlite_autoindex_report_rows_1');")"
    count="$(sqlite3 "$dir/storemonitoring.db" "SELECT COUNT(*) FROM report_rows;")"
    csv="$(du -cb "$dir"/reports/*.csv | tail -n 1 | cut -f1)"
    rows+=("| SQLite | $((count / REPORTS)) | $((bytes / REPORTS / 1024)) KiB | $((csv / REPORTS / 1024)) KiB |")
fi

if has_engine mariadb; then
    dir="$WORK/mariadb"
    start_mariadb storemon_size
    recreate_database "$my_port" storemon_size
    run_api "$dir" StoreMonitoring__Database__Provider=mysql "ConnectionStrings__StoreMonitoring=$mariadb_conn"
    compute_reports "$dir"
    stop_api
    sql "$my_port" "ANALYZE TABLE storemon_size.report_rows" >/dev/null
    bytes="$(sql "$my_port" "SELECT data_length + index_length FROM information_schema.tables WHERE table_schema = 'storemon_size' AND table_name = 'report_rows'")"
    count="$(sql "$my_port" "SELECT COUNT(*) FROM storemon_size.report_rows")"
    csv="$(du -cb "$dir"/reports/*.csv | tail -n 1 | cut -f1)"
    rows+=("| MariaDB | $((count / REPORTS)) | $((bytes / REPORTS / 1024)) KiB | $((csv / REPORTS / 1024)) KiB |")
    sql "$my_port" "DROP DATABASE storemon_size"
fi

echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC'), \`bash bench/report-size.sh --engines $engines\` ($REPORTS reports, 3,678 stores x 21 days)"
echo
echo "| engine | rows per report | report_rows per report | exported CSV per report |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
