#!/usr/bin/env bash
# End-to-end benchmark: whole `storemon` processes (import, report) on SQLite and MariaDB, the
# physical floors of the import (cat, sqlite3's own .import), and the HTTP path (import and report
# through the API while it keeps answering). Prints a markdown table; full runs also write it into
# BENCHMARKS.md between the bench/run.sh markers.
#
# Usage: bash bench/run.sh [--smoke] [--scale real|10x|all] [--engines sqlite,mariadb]
#   --smoke    1,000 stores x 8 days, every step on both engines, no targets, no BENCHMARKS.md (CI)
#   --scale    real = 3,678 stores x 21 days (~1.9M status rows), 10x = 36,780 stores x 21 days
#   --engines  comma-separated subset of sqlite,mariadb
#
# Environment:
#   STOREMON_BENCH_DIR   work directory for data, databases and logs (default /tmp/storemon-bench)
#   BENCH_LOAD_WAIT      seconds to wait, before each timed step, for the 1-minute load average to
#                        fall below BENCH_LOAD_MAX (default 60; 0 in --smoke)
#   BENCH_LOAD_MAX       default 1.5
#   BENCH_HTTP_PORT      API port on 127.0.0.1 (default 8099)
#   STOREMON_BENCH_DATABASE  the MariaDB database (default storemon_bench; dropped and re-created)
#
# Exit status: non-zero when a step fails, the engines' reports differ, or (outside --smoke) a
# peak-RSS target is missed. Time targets are reported as PASS/MISS, not enforced.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_NAME=bench
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
COMMAND_LINE="bash bench/run.sh${*:+ $*}"

smoke=0
scale=real
engines=sqlite,mariadb
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) smoke=1 ;;
        --scale) scale="${2:?--scale needs real, 10x or all}"; shift ;;
        --scale=*) scale="${1#--scale=}" ;;
        --engines) engines="${2:?--engines needs a list}"; shift ;;
        --engines=*) engines="${1#--engines=}" ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done

case "$scale" in
    real) scales=(real) ;;
    10x) scales=(10x) ;;
    all) scales=(real 10x) ;;
    *) echo "bench/run.sh: --scale is real, 10x or all" >&2; exit 2 ;;
esac
if [ "$smoke" -eq 1 ]; then
    scales=(smoke)
fi
IFS=, read -r -a engine_list <<<"$engines"
for engine in "${engine_list[@]}"; do
    case "$engine" in
        sqlite|mariadb) ;;
        *) echo "bench/run.sh: unknown engine '$engine' (sqlite, mariadb)" >&2; exit 2 ;;
    esac
done

WORK="${STOREMON_BENCH_DIR:-/tmp/storemon-bench}"
LOAD_WAIT="${BENCH_LOAD_WAIT:-60}"
LOAD_MAX="${BENCH_LOAD_MAX:-1.5}"
[ "$smoke" -eq 1 ] && LOAD_WAIT=0
PORT="${BENCH_HTTP_PORT:-8099}"
BASE="http://127.0.0.1:$PORT"
SEED=1
CLI="$ROOT/artifacts/bin/StoreMonitoring.Cli/release/storemon"
API="$ROOT/artifacts/bin/StoreMonitoring.Api/release/StoreMonitoring.Api"
TIME=/usr/bin/time
DB="${STOREMON_BENCH_DATABASE:-storemon_bench}"

# Targets (real scale): seconds, and peak RSS in MB; at 10x the RSS limit is 1 GB and the time may
# grow at most 12x over the real scale measured in the same run.
declare -A TARGET_S=([sqlite:import]=6 [sqlite:report]=2 [mariadb:import]=20 [mariadb:report]=5)
RSS_REAL_MB=300
RSS_10X_MB=1024
MAX_10X_RATIO=12

# Smoke: 1,000 stores, so that a report is larger than a 64 KB writer buffer (a download that
# broke off after 64 KB went unnoticed at 200 stores).
stores_for() { case "$1" in smoke) echo 1000 ;; real) echo 3678 ;; 10x) echo 36780 ;; esac; }
days_for() { case "$1" in smoke) echo 8 ;; *) echo 21 ;; esac; }

# ---------------------------------------------------------------------------------------------
# Prerequisites

[ -x "$TIME" ] || die "/usr/bin/time is missing: apt-get install -y time"
command -v curl >/dev/null || die "curl is missing"
ensure_installed sqlite3 sqlite3

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
[ -x "$CLI" ] && [ -x "$API" ] || die "no apphost at $CLI or $API"

mariadb_conn=""
if has_engine mariadb; then
    bash "$ROOT/.ci/mariadb.sh" status >/dev/null 2>&1 || log "starting MariaDB"
    start_mariadb "$DB"
fi

# ---------------------------------------------------------------------------------------------
# Helpers

# Waits (bounded) for the machine to calm down; prints the 1-minute load the step starts under.
wait_for_calm() {
    local waited=0
    while [ "$waited" -lt "$LOAD_WAIT" ] && awk -v l="$(load1)" -v m="$LOAD_MAX" 'BEGIN { exit !(l >= m) }'; do
        sleep 2
        waited=$((waited + 2))
    done
    load1
}

# Runs a command under /usr/bin/time -v with its output in $1 (stdout and stderr); sets WALL (s)
# and RSS_MB (peak resident set size).
timed() {
    local out="$1"; shift
    local stats="$WORK/last.time"
    if ! "$TIME" -v -o "$stats" "$@" >"$out" 2>&1; then
        [ -f "$out" ] && tail -n 20 "$out" >&2
        die "failed: $*"
    fi
    WALL="$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$stats")"
    RSS_MB="$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$stats")"
}

# Comparison helpers (floating point through awk).
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }
rate() { awk -v r="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", r / s; else print "-" }' | group; }

rss_failed=0
report_mismatch=0
results=()       # markdown rows of the main table
floor_rows=()
ratio_rows=()
http_rows=()
declare -A WALL_OF RSS_OF

# Latency statistics of a file with one number (seconds) a line: "n median_ms max_ms".
latency_stats() {
    sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) { print "0 - -"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%d %.1f %.1f\n", NR, m * 1000, v[NR] * 1000 }'
}

# ---------------------------------------------------------------------------------------------
# One scale: data, floors, both engines, the HTTP path.

run_scale() {
    local name="$1"
    local stores days data rows bytes
    stores="$(stores_for "$name")"
    days="$(days_for "$name")"
    data="$WORK/data-$name"
    log "[$name] generating $stores stores x $days days (seed $SEED) into $data"
    rm -rf "$data"
    "$CLI" generate --stores "$stores" --days "$days" --seed "$SEED" --out "$data" >"$WORK/generate-$name.log" 2>&1 \
        || { cat "$WORK/generate-$name.log" >&2; die "generate failed"; }
    # The files the import reads; the generator's truth.csv and profiles.csv stay out of the way.
    local input="$data/input"
    mkdir -p "$input"
    mv "$data/store_status.csv" "$data/menu_hours.csv" "$data/timezones.csv" "$input/"
    local status_file="$input/store_status.csv"
    rows=$(($(wc -l <"$status_file") - 1))
    bytes="$(stat -c %s "$status_file")"
    local mib
    mib="$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')"
    log "[$name] $rows status rows, $mib MiB"

    # Floors: reading the file from a warm page cache, and SQLite's own CSV import of it into an
    # unindexed table of three TEXT columns (no parsing, no key, no conversion).
    cat "$status_file" >/dev/null
    local load
    load="$(wait_for_calm)"
    timed /dev/null cat "$status_file"
    local cat_wall="$WALL"
    local floor_db="$WORK/floor-$name.db"
    rm -f "$floor_db"
    sqlite3 "$floor_db" "CREATE TABLE store_status (store_id TEXT, status TEXT, timestamp_utc TEXT);"
    load="$(wait_for_calm)"
    timed "$WORK/floor-sqlite3-$name.log" sqlite3 "$floor_db" -cmd ".mode csv" ".import --skip 1 $status_file store_status"
    local sqlite3_wall="$WALL" sqlite3_rss="$RSS_MB"
    local imported_floor
    imported_floor="$(sqlite3 "$floor_db" "SELECT COUNT(*) FROM store_status;")"
    [ "$imported_floor" -eq "$rows" ] || die "sqlite3 .import loaded $imported_floor rows, expected $rows"
    rm -f "$floor_db"
    floor_rows+=("| $name | $(group <<<"$rows") | $mib | $cat_wall | $sqlite3_wall | $sqlite3_rss | $load |")

    local engine
    for engine in "${engine_list[@]}"; do
        local dir="$WORK/run-$engine-$name"
        rm -rf "$dir"
        mkdir -p "$dir"
        local -a env_vars
        if [ "$engine" = sqlite ]; then
            env_vars=(StoreMonitoring__Database__Provider=sqlite "ConnectionStrings__StoreMonitoring=Data Source=$dir/storemonitoring.db")
        else
            recreate_database "$my_port" "$DB"
            env_vars=(StoreMonitoring__Database__Provider=mysql "ConnectionStrings__StoreMonitoring=$mariadb_conn")
            env -C "$dir" "${env_vars[@]}" "$CLI" migrate >"$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; die "migrate failed"; }
        fi

        local step
        for step in import report; do
            load="$(wait_for_calm)"
            log "[$name] $engine $step (load $load)"
            # Run from $dir, so nothing relative (./storemonitoring.db, appsettings.json) leaks in.
            if [ "$step" = import ]; then
                timed "$dir/import.log" env -C "$dir" "${env_vars[@]}" "$CLI" import "$input"
                grep -q "store_status.csv" "$dir/import.log" || die "no status file in the import summary"
            else
                timed "$dir/report.log" env -C "$dir" "${env_vars[@]}" "$CLI" report --out "$dir/report.csv"
            fi
            WALL_OF[$engine:$step:$name]="$WALL"
            RSS_OF[$engine:$step:$name]="$RSS_MB"

            local time_check="-" rss_check="-"
            if [ "$name" = real ]; then
                local target="${TARGET_S[$engine:$step]}"
                if le "$WALL" "$target"; then time_check="PASS (≤ $target s)"; else time_check="MISS (> $target s)"; fi
                if le "$RSS_MB" "$RSS_REAL_MB"; then rss_check="PASS (≤ $RSS_REAL_MB)"; else rss_check="MISS (> $RSS_REAL_MB)"; rss_failed=1; fi
            elif [ "$name" = 10x ]; then
                if le "$RSS_MB" "$RSS_10X_MB"; then rss_check="PASS (≤ $RSS_10X_MB)"; else rss_check="MISS (> $RSS_10X_MB)"; rss_failed=1; fi
            fi
            results+=("| $name | $engine | $step | $(group <<<"$rows") | $WALL | $(rate "$rows" "$WALL") | $RSS_MB | $load | $time_check | $rss_check |")
        done

        local report_rows
        report_rows=$(($(wc -l <"$dir/report.csv") - 1))
        [ "$report_rows" -eq "$stores" ] || die "$engine report at $name has $report_rows stores, expected $stores"
    done

    # Both engines must produce the same report from the same data.
    if has_engine sqlite && has_engine mariadb; then
        if cmp -s "$WORK/run-sqlite-$name/report.csv" "$WORK/run-mariadb-$name/report.csv"; then
            log "[$name] SQLite and MariaDB reports are identical"
        else
            log "[$name] SQLite and MariaDB reports DIFFER: diff $WORK/run-sqlite-$name/report.csv $WORK/run-mariadb-$name/report.csv"
            report_mismatch=1
        fi
    fi

    if has_engine sqlite; then
        local our_import="${WALL_OF[sqlite:import:$name]}"
        ratio_rows+=("| $name | $our_import | $sqlite3_wall | $(div "$our_import" "$sqlite3_wall") | $cat_wall | $(div "$our_import" "$cat_wall") |")
        run_http "$name" "$input" "$stores"
    fi
}

# The API on a fresh SQLite database: POST /import_data while GET / is polled, then
# POST /trigger_report while GET /get_report is polled every 50 ms until the CSV arrives.
run_http() {
    local name="$1" input="$2" stores="$3"
    local dir="$WORK/http-$name"
    rm -rf "$dir"
    mkdir -p "$dir"
    if curl -s -o /dev/null --max-time 1 "$BASE/" 2>/dev/null; then
        die "something already listens on $BASE: set BENCH_HTTP_PORT"
    fi
    log "[$name] starting the API on $BASE"
    # Open and unthrottled on purpose: this measures the work, polled every 50 ms from one address
    # (bench/load.sh measures the limiter).
    (cd "$dir" && exec env ASPNETCORE_ENVIRONMENT=Production \
        StoreMonitoring__Auth__Mode=None StoreMonitoring__RateLimit__PermitLimit=1000000 \
        StoreMonitoring__Database__Provider=sqlite \
        "ConnectionStrings__StoreMonitoring=Data Source=$dir/storemonitoring.db" \
        "StoreMonitoring__DataDirectory=$input" \
        "StoreMonitoring__ReportDirectory=$dir/reports" \
        Logging__LogLevel__Default=Warning \
        "$API" --urls "$BASE" >"$dir/api.log" 2>&1) &
    api_pid=$!
    wait_for_service "$BASE/" "$api_pid" 30 "$dir/api.log"
    curl -sf -o /dev/null --max-time 1 "$BASE/" || die "the API did not answer on $BASE within 30 s"
    local i

    # Import through the API; GET / every 50 ms meanwhile.
    local load start end
    load="$(wait_for_calm)"
    log "[$name] HTTP import (load $load)"
    start="$(now_ms)"
    curl -sS -X POST -o "$dir/import.json" -w '%{http_code}' --max-time 1800 "$BASE/import_data" >"$dir/import.code" &
    local import_curl=$!
    : >"$dir/home.lat"
    for i in $(seq 1 36000); do
        kill -0 "$import_curl" 2>/dev/null || break
        curl -s -o /dev/null -w '%{time_total}\n' --max-time 30 "$BASE/" >>"$dir/home.lat" || true
        sleep 0.05
    done
    wait "$import_curl" || die "POST /import_data failed"
    end="$(now_ms)"
    [ "$(cat "$dir/import.code")" = 200 ] || { cat "$dir/import.json" >&2; die "POST /import_data answered $(cat "$dir/import.code")"; }
    local import_s
    import_s="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", (b - a) / 1000 }')"
    read -r n med max < <(latency_stats "$dir/home.lat")
    http_rows+=("| $name | POST /import_data | $import_s | GET / | $n | $med | $max | $load |")

    # Report: trigger, then poll get_report every 50 ms.
    load="$(wait_for_calm)"
    log "[$name] HTTP report (load $load)"
    start="$(now_ms)"
    local id
    id="$(curl -sS -X POST --max-time 30 "$BASE/trigger_report" | json_field report_id)"
    [ -n "$id" ] || die "POST /trigger_report gave no report_id"
    : >"$dir/poll.lat"
    local done_csv=0 out
    for i in $(seq 1 12000); do
        # curl leaves the file alone when a body is empty: start from nothing each time.
        rm -f "$dir/get_report.body"
        out="$(curl -s -o "$dir/get_report.body" -w '%{http_code} %{time_total} %{content_type}' --max-time 30 "$BASE/get_report?report_id=$id" || true)"
        read -r code t ctype <<<"$out"
        if [[ "$ctype" == text/csv* ]]; then
            done_csv=1
            break
        fi
        [ "$code" = 200 ] || die "GET /get_report answered '$out'"
        grep -q '"Error"' "$dir/get_report.body" && { cat "$dir/get_report.body" >&2; die "the report failed"; }
        echo "$t" >>"$dir/poll.lat"
        sleep 0.05
    done
    end="$(now_ms)"
    [ "$done_csv" -eq 1 ] || die "the report did not complete within the polling bound"
    local csv_rows
    csv_rows=$(($(cat "$dir/get_report.body" 2>/dev/null | wc -l) - 1))
    [ "$csv_rows" -eq "$stores" ] || die "GET /get_report gave a CSV of $csv_rows stores, expected $stores"
    local report_s
    report_s="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", (b - a) / 1000 }')"
    read -r n med max < <(latency_stats "$dir/poll.lat")
    http_rows+=("| $name | POST /trigger_report → CSV | $report_s | GET /get_report (while running) | $n | $med | $max | $load |")
    if has_engine sqlite && ! cmp -s "$dir/get_report.body" "$WORK/run-sqlite-$name/report.csv"; then
        log "[$name] the API's CSV differs from storemon report's: diff $dir/get_report.body $WORK/run-sqlite-$name/report.csv"
        report_mismatch=1
    fi

    stop_api
}

# ---------------------------------------------------------------------------------------------

run_started="$(date -u '+%Y-%m-%d %H:%M UTC')"
for name in "${scales[@]}"; do
    run_scale "$name"
done

# 10x over real, per engine and step (only when both ran here).
scale_rows=()
tenx_failed_time=0
if [ "${#scales[@]}" -eq 2 ]; then
    for engine in "${engine_list[@]}"; do
        for step in import report; do
            r="$(div "${WALL_OF[$engine:$step:10x]}" "${WALL_OF[$engine:$step:real]}")"
            if le "$r" "$MAX_10X_RATIO"; then check="PASS (≤ ${MAX_10X_RATIO}x)"; else check="MISS (> ${MAX_10X_RATIO}x)"; tenx_failed_time=1; fi
            scale_rows+=("| $engine | $step | ${WALL_OF[$engine:$step:real]} | ${WALL_OF[$engine:$step:10x]} | ${r}x | $check |")
        done
    done
fi

machine() {
    local cpu
    cpu="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
    echo "$cpu; $(nproc) cores (nproc); $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM (free -g); $(. /etc/os-release && echo "$PRETTY_NAME"); .NET SDK $(dotnet --version)"
}

table() {
    echo "Run: $run_started, \`$COMMAND_LINE\`"
    echo
    echo "Machine: $(machine)"
    echo
    echo "Whole processes (\`/usr/bin/time -v\`: wall clock and peak RSS; process start and host building included). rows/s = status rows / wall time. Load = 1-minute load average when the step started."
    echo
    echo "| scale | engine | step | status rows | wall s | rows/s | peak RSS MB | load | time target | RSS target |"
    echo "|---|---|---|---:|---:|---:|---:|---:|---|---|"
    printf '%s\n' "${results[@]}"
    if [ "${#scale_rows[@]}" -gt 0 ]; then
        echo
        echo "10x over real (same run):"
        echo
        echo "| engine | step | real s | 10x s | ratio | target |"
        echo "|---|---|---:|---:|---:|---|"
        printf '%s\n' "${scale_rows[@]}"
    fi
    echo
    echo "Floors: \`cat store_status.csv > /dev/null\` from a warm page cache, and \`sqlite3 .import\` (\`.mode csv\`) into an unindexed table of three TEXT columns."
    echo
    echo "| scale | status rows | MiB | cat s | sqlite3 .import s | sqlite3 RSS MB | load |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${floor_rows[@]}"
    if [ "${#ratio_rows[@]}" -gt 0 ]; then
        echo
        echo "| scale | storemon import (SQLite) s | sqlite3 .import s | ours / sqlite3 | cat s | ours / cat |"
        echo "|---|---:|---:|---:|---:|---:|"
        printf '%s\n' "${ratio_rows[@]}"
    fi
    if [ "${#http_rows[@]}" -gt 0 ]; then
        echo
        echo "HTTP (API on SQLite, fresh database, 127.0.0.1; curl every 50 ms; latency = curl's time_total):"
        echo
        echo "| scale | operation | s | polled meanwhile | polls | median ms | max ms | load |"
        echo "|---|---|---:|---|---:|---:|---:|---:|"
        printf '%s\n' "${http_rows[@]}"
    fi
}

output="$(table)"
echo
echo "$output"

if [ "$smoke" -eq 0 ]; then
    file="$ROOT/BENCHMARKS.md"
    begin='<!-- bench/run.sh:begin -->'
    end='<!-- bench/run.sh:end -->'
    [ -f "$file" ] || printf '# Benchmarks\n\n%s\n%s\n' "$begin" "$end" >"$file"
    grep -qF "$begin" "$file" || printf '\n%s\n%s\n' "$begin" "$end" >>"$file"
    section="$WORK/section.md"
    printf '%s\n' "$output" >"$section"
    awk -v b="$begin" -v e="$end" -v s="$section" '
        $0 == b { print; while ((getline line < s) > 0) print line; skip = 1; next }
        $0 == e { skip = 0 }
        !skip { print }
    ' "$file" >"$file.tmp"
    mv "$file.tmp" "$file"
    log "wrote the results into $file"
fi

status=0
if [ "$report_mismatch" -eq 1 ]; then
    log "FAILED: reports differ between engines or between the CLI and the API"
    status=1
fi
if [ "$smoke" -eq 0 ] && [ "$rss_failed" -eq 1 ]; then
    log "FAILED: a peak-RSS target was missed"
    status=1
fi
[ "$tenx_failed_time" -eq 1 ] && log "note: a 10x/1x time ratio is over ${MAX_10X_RATIO}x (reported, not enforced)"
exit "$status"
