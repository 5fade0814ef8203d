#!/usr/bin/env bash
# Fault injection against the real service on 127.0.0.1: kill -9 during imports and reports,
# SIGTERM during a report, then restart and check that nothing is lost, nothing is stuck and every
# report equals an undisturbed run's byte for byte. Prints a markdown table with the recovery time
# of each case (seconds from the restart to the import accepted / the report Complete).
#
# Usage: bash bench/faults.sh [--smoke] [--engines sqlite,mariadb]
#   --smoke    ~300 stores, 2 import kills and 2 report kills (CI); default ~1,500 stores, 3 and 3
#   --engines  comma-separated subset of sqlite,mariadb (default sqlite); the undisturbed run is on SQLite
#
# Environment:
#   FAULTS_DIR            work directory for data, databases and logs (default /tmp/storemon-faults)
#   FAULTS_PORT           API port on 127.0.0.1 (default 18200)
#   FAULTS_STORES         stores to generate (default 1500; 300 with --smoke); 8 days, seed 3
#   FAULTS_IMPORT_KILLS   kill -9 during an import, this many times (default 3; 2 with --smoke)
#   FAULTS_REPORT_KILLS   kill -9 during a report, this many times, methods alternating; the last
#                         case kills the same report twice (default 3; 2 with --smoke)
#   FAULTS_LEASE_SECONDS  StoreMonitoring:Import:LeaseSeconds and Reports:LeaseSeconds (default 3)
#   FAULTS_SLACK_SECONDS  allowed on top of one lease for start-up and polling (default 10)
#   FAULTS_BATCH_SIZE     StoreMonitoring:Reports:BatchSize and ShardStores, small so a report is saved
#                         in many shards and a kill lands between two of them (default 50)
#   FAULTS_TIME_LIMIT     seconds the whole run may take before it is stopped as failed (default 1200)
#   MARIADB_DIR, MARIADB_PORT  where .ci/mariadb.sh keeps and serves MariaDB (with --engines ...mariadb)
#
# Exit status: non-zero when any check fails (a case that could not be provoked, e.g. a report that
# finished before the kill, is retried and then reported as SKIP, which does not fail the run).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"

smoke=0
engines=sqlite
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) smoke=1 ;;
        --engines) engines="${2:?--engines needs a list}"; shift ;;
        --engines=*) engines="${1#--engines=}" ;;
        -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/faults.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
IFS=, read -r -a engine_list <<<"$engines"
for engine in "${engine_list[@]}"; do
    case "$engine" in
        sqlite|mariadb) ;;
        *) echo "bench/faults.sh: unknown engine '$engine' (sqlite, mariadb)" >&2; exit 2 ;;
    esac
done

WORK="${FAULTS_DIR:-/tmp/storemon-faults}"
PORT="${FAULTS_PORT:-18200}"
BASE="http://127.0.0.1:$PORT"
if [ "$smoke" -eq 1 ]; then
    STORES="${FAULTS_STORES:-300}"; IMPORT_KILLS="${FAULTS_IMPORT_KILLS:-2}"; REPORT_KILLS="${FAULTS_REPORT_KILLS:-2}"
else
    STORES="${FAULTS_STORES:-1500}"; IMPORT_KILLS="${FAULTS_IMPORT_KILLS:-3}"; REPORT_KILLS="${FAULTS_REPORT_KILLS:-3}"
fi
LEASE="${FAULTS_LEASE_SECONDS:-3}"
SLACK="${FAULTS_SLACK_SECONDS:-10}"
BATCH="${FAULTS_BATCH_SIZE:-50}"
TIME_LIMIT="${FAULTS_TIME_LIMIT:-1200}"
API_DLL="$ROOT/artifacts/bin/StoreMonitoring.Api/release/StoreMonitoring.Api.dll"
CLI="$ROOT/artifacts/bin/StoreMonitoring.Cli/release/storemon"

BENCH_NAME=faults
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
# A flat JSON field (string or number) from a file.
field() { sed -n 's/.*"'"$2"'":"\{0,1\}\([^",}]*\).*/\1/p' "$1" | head -n 1; }

mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
started_at="$(now)"

svc_pid=""
watchdog=""
started_mariadb=0
cleanup() {
    if [ -n "$svc_pid" ] && kill -0 "$svc_pid" 2>/dev/null; then
        kill -9 "$svc_pid" 2>/dev/null || true
        wait "$svc_pid" 2>/dev/null || true
    fi
    [ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null || true
    if [ "$started_mariadb" -eq 1 ]; then
        bash "$ROOT/.ci/mariadb.sh" stop >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
trap 'log "stopped (time limit or signal)"; exit 130' INT TERM
# The whole run is bounded: past the limit the script is stopped and fails.
(sleep "$TIME_LIMIT" && kill -TERM $$ 2>/dev/null) &
watchdog=$!

command -v curl >/dev/null || die "curl is missing"
if ! command -v sqlite3 >/dev/null; then
    log "installing sqlite3"
    if ! apt-cache show sqlite3 >/dev/null 2>&1; then apt-get update -q >&2; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q sqlite3 >&2
fi
if curl -s -o /dev/null --max-time 1 "$BASE/" 2>/dev/null; then
    die "something already listens on $BASE: set FAULTS_PORT"
fi

log "building the CLI and the API in Release"
build "$WORK/build.log" src/StoreMonitoring.Cli src/StoreMonitoring.Api
[ -f "$API_DLL" ] && [ -x "$CLI" ] || die "no $API_DLL or $CLI"

INPUT="$WORK/data/input"
log "generating $STORES stores x 8 days (seed 3)"
rm -rf "$WORK/data"
"$CLI" generate --stores "$STORES" --days 8 --seed 3 --out "$WORK/data" >"$WORK/generate.log" 2>&1 \
    || { cat "$WORK/generate.log" >&2; die "generate failed"; }
mkdir -p "$INPUT"
mv "$WORK/data/store_status.csv" "$WORK/data/menu_hours.csv" "$WORK/data/timezones.csv" "$INPUT/"

mariadb_conn=""
my_port=""
if [[ ",$engines," == *",mariadb,"* ]]; then
    if ! bash "$ROOT/.ci/mariadb.sh" status >/dev/null 2>&1; then
        started_mariadb=1
    fi
    base_conn="$(bash "$ROOT/.ci/mariadb.sh" start | tail -n 1)"
    mariadb_conn="$(sed 's/Database=[^;]*/Database=storemon_faults/' <<<"$base_conn")"
    my_port="$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$base_conn")"
fi
my_sql() { mariadb --no-defaults -h 127.0.0.1 -P "$my_port" -u storemon -pstoremon --batch --skip-column-names -e "$1" ${2:+"$2"}; }

# ---------------------------------------------------------------------------------------------
# The service: one database per phase; start, kill -9, SIGTERM.

engine=""      # of the running phase
db_file=""
dir=""

db_query() {
    if [ "$engine" = sqlite ]; then
        sqlite3 -cmd ".timeout 5000" "$db_file" "$1"
    else
        my_sql "$1" storemon_faults
    fi
}

# Starts the service on a fresh or existing database; sets svc_pid and svc_started (before exec).
start_service() {
    local -a env_vars=(
        ASPNETCORE_ENVIRONMENT=Production
        "ASPNETCORE_URLS=$BASE"
        StoreMonitoring__Auth__Mode=None
        "StoreMonitoring__DataDirectory=$INPUT"
        "StoreMonitoring__ReportDirectory=$dir/reports"
        "StoreMonitoring__Reports__LeaseSeconds=$LEASE"
        "StoreMonitoring__Import__LeaseSeconds=$LEASE"
        "StoreMonitoring__Reports__BatchSize=$BATCH"
        "StoreMonitoring__Reports__ShardStores=$BATCH"
        StoreMonitoring__Reports__PollIntervalSeconds=0.5
        StoreMonitoring__RateLimit__PermitLimit=100000
        StoreMonitoring__Database__MigrateOnStart=true
        Logging__LogLevel__Default=Warning
        Logging__LogLevel__StoreMonitoring=Information
    )
    if [ "$engine" = sqlite ]; then
        env_vars+=(StoreMonitoring__Database__Provider=sqlite "ConnectionStrings__StoreMonitoring=Data Source=$db_file")
    else
        env_vars+=(StoreMonitoring__Database__Provider=mysql "ConnectionStrings__StoreMonitoring=$mariadb_conn")
    fi
    svc_started="$(now)"
    (cd "$dir" && exec env "${env_vars[@]}" dotnet "$API_DLL" >>"$dir/api.log" 2>&1) &
    svc_pid=$!
    wait_for_service "$BASE/" "$svc_pid" 30 "$dir/api.log"
}

kill9() {
    kill -9 "$svc_pid" 2>/dev/null || true
    wait "$svc_pid" 2>/dev/null || true
    svc_pid=""
}

# SIGTERM, then waits (bounded) for the process to exit.
term_and_wait() {
    kill -TERM "$svc_pid" 2>/dev/null || true
    local i
    for i in $(seq 1 600); do
        kill -0 "$svc_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$svc_pid" 2>/dev/null; then
        log "the service did not stop within 60 s of SIGTERM"
        kill9
        return 1
    fi
    wait "$svc_pid" 2>/dev/null || true
    svc_pid=""
}

# POST /import_data; prints the status code, the body goes to $1.
import_once() { curl -s -X POST -o "$1" -w '%{http_code}' --max-time 600 "$BASE/import_data" || echo 000; }

debug_counts() { curl -s --max-time 60 "$BASE/debug_data" | grep -o '"counts":{[^}]*}' || true; }

trigger() {
    local body
    body="$(curl -s -X POST --max-time 30 "$BASE/trigger_report?method=$1")"
    sed -n 's/.*"report_id":"\([^"]*\)".*/\1/p' <<<"$body"
}

# One GET /get_report: sets poll_state to complete, error, or the progress (a number) while queued or running.
poll_report() {
    local id="$1" out code ctype
    rm -f "$dir/poll.body"
    out="$(curl -s -o "$dir/poll.body" -w '%{http_code} %{content_type}' --max-time 30 "$BASE/get_report?report_id=$id" || echo "000 -")"
    read -r code ctype <<<"$out"
    if [[ "$ctype" == text/csv* ]]; then
        poll_state=complete
    elif [ "$code" = 200 ] && grep -q '"status":"Error"' "$dir/poll.body"; then
        poll_state=error
    elif [ "$code" = 200 ]; then
        poll_state="$(field "$dir/poll.body" progress)"
        [ -n "$poll_state" ] || poll_state=0
    else
        poll_state="http-$code"
    fi
}

# Polls until the report completes or $2 seconds pass; sets poll_state; the CSV is left in $dir/poll.body.
wait_complete() {
    local id="$1" limit="$2" from
    from="$(now)"
    while le "$(since "$from")" "$limit"; do
        poll_report "$id"
        case "$poll_state" in complete|error) return 0 ;; esac
        sleep 0.1
    done
}

# Polls as fast as it can (no sleep: a small report runs for a fraction of a second) until the
# report has made progress or finished; sets poll_state to complete, error, timeout or the progress.
wait_progress() {
    local id="$1" i body
    for i in $(seq 1 3000); do
        body="$(curl -s --max-time 5 "$BASE/get_report?report_id=$id" || true)"
        case "$body" in
            store_id,*) poll_state=complete; return 0 ;;
            *'"status":"Error"'*) poll_state=error; return 0 ;;
            *'"progress":0,'*|*'"progress":0}'*) ;;
            *'"progress":'*)
                poll_state="${body#*\"progress\":}"
                poll_state="${poll_state%%[,\}]*}"
                return 0 ;;
            *) poll_state="http-error"; return 0 ;;
        esac
        sleep 0.02
    done
    poll_state=timeout
}

# ---------------------------------------------------------------------------------------------
# Results

rows=()
failed=0
record() { # case result recovery note
    rows+=("| $engine | $1 | $2 | $3 | $4 |")
    [ "$2" = FAIL ] && failed=1
    log "$engine: $1: $2 ($3 s) $4"
}

# ---------------------------------------------------------------------------------------------
# (a) The undisturbed run, on its own SQLite database.

engine=sqlite
dir="$WORK/baseline"
rm -rf "$dir"; mkdir -p "$dir"
db_file="$dir/storemonitoring.db"
start_service
t="$(now)"
code="$(import_once "$dir/import.json")"
[ "$code" = 200 ] || { cat "$dir/import.json" >&2; die "the undisturbed import answered $code"; }
IMPORT_S="$(since "$t")"
BASE_COUNTS="$(debug_counts)"
[ -n "$BASE_COUNTS" ] || die "no counts in /debug_data"
for method in interpolated ratio; do
    t="$(now)"
    id="$(trigger "$method")"
    [ -n "$id" ] || die "trigger_report gave no id"
    wait_complete "$id" 300
    [ "$poll_state" = complete ] || die "the undisturbed $method report ended as '$poll_state'"
    cp "$dir/poll.body" "$WORK/baseline-$method.csv"
    declare "REPORT_S_$method=$(since "$t")"
done
term_and_wait || true
log "undisturbed: import ${IMPORT_S} s, reports ${REPORT_S_interpolated} s (interpolated), ${REPORT_S_ratio} s (ratio); counts $BASE_COUNTS"
[ "$(($(wc -l <"$WORK/baseline-interpolated.csv") - 1))" -eq "$STORES" ] || die "the undisturbed report does not have $STORES stores"

# ---------------------------------------------------------------------------------------------
# (b) kill -9 during an import, then restart: the next import is accepted within one lease.

phase_imports() {
    local k fractions=(0.3 0.6 0.15 0.45 0.75) delay curl_pid tries code t0 accepted="" last_import_s
    # The first import fills the database; later ones find every row there and run faster, so
    # each kill aims at a fraction of the latest import's duration.
    local t_first
    t_first="$(now)"
    code="$(import_once "$dir/first.json")"
    [ "$code" = 200 ] || die "the first import answered $code: $(head -c 300 "$dir/first.json")"
    last_import_s="$(since "$t_first")"
    for k in $(seq 1 "$IMPORT_KILLS"); do
        delay="$(awk -v s="$last_import_s" -v f="${fractions[$(((k - 1) % 5))]}" 'BEGIN { d = s * f; if (d < 0.02) d = 0.02; printf "%.3f", d }')"
        local hit=0
        for tries in 1 2 3; do
            rm -f "$dir/killed.code"
            (import_once "$dir/killed.json" >"$dir/killed.code") &
            curl_pid=$!
            sleep "$delay"
            if [ ! -s "$dir/killed.code" ] && kill -0 "$curl_pid" 2>/dev/null; then
                kill9
                wait "$curl_pid" 2>/dev/null || true
                hit=1
                break
            fi
            wait "$curl_pid" 2>/dev/null || true
            if [ "$(cat "$dir/killed.code" 2>/dev/null)" = 409 ]; then
                hit=409
                break
            fi
            delay="$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 3 }')"
        done
        if [ "$hit" = 409 ]; then
            record "import kill -9 #$k" FAIL - "409 before the kill: an earlier killed import's lease still holds"
            continue
        fi
        if [ "$hit" -eq 0 ]; then
            record "import kill -9 #$k" SKIP - "the import finished before the kill 3 times"
            continue
        fi

        start_service
        t0="$svc_started"
        # Retry while the dead importer's lease holds (409); the import must be accepted within
        # one lease of the restart (plus slack for the start-up).
        local conflicts=0 limit
        limit="$(awk -v l="$LEASE" -v s="$SLACK" 'BEGIN { print l + s + 5 }')"
        accepted=""
        while le "$(since "$t0")" "$limit"; do
            local sent
            sent="$(since "$t0")"
            code="$(import_once "$dir/import.json")"
            if [ "$code" = 200 ]; then accepted="$sent"; break; fi
            [ "$code" = 409 ] || { record "import kill -9 #$k" FAIL - "import answered $code: $(head -c 300 "$dir/import.json")"; break; }
            conflicts=$((conflicts + 1))
            sleep 0.25
        done
        if [ -z "$accepted" ]; then
            [ "$code" = 409 ] && record "import kill -9 #$k" FAIL "> $limit" "still 409 after $conflicts tries"
            continue
        fi
        local recovery
        recovery="$(since "$t0")"
        if le "$accepted" "$((LEASE + SLACK))"; then
            record "import kill -9 #$k" PASS "$recovery" "accepted $accepted s after the restart, $conflicts × 409 before (delay ${delay} s)"
        else
            record "import kill -9 #$k" FAIL "$recovery" "accepted only $accepted s after the restart (> lease $LEASE + $SLACK s)"
        fi
        local t_again
        t_again="$(now)"
        code="$(import_once "$dir/again.json")"
        last_import_s="$(since "$t_again")"
        if [ "$code" != 200 ]; then
            record "import right after recovery #$k" FAIL - "answered $code (no 409 expected once recovered)"
        fi
    done

    # A final complete import, then the tables must equal the undisturbed run's.
    local final_ok=0 t1
    t1="$(now)"
    while le "$(since "$t1")" 180; do
        code="$(import_once "$dir/final.json")"
        [ "$code" = 200 ] && { final_ok=1; break; }
        sleep 1
    done
    local counts
    counts="$(debug_counts)"
    if [ "$final_ok" -eq 1 ] && [ "$counts" = "$BASE_COUNTS" ]; then
        record "row counts after the kills and a final import" PASS - "$counts"
    else
        record "row counts after the kills and a final import" FAIL - "final import $code; $counts vs undisturbed $BASE_COUNTS"
    fi
}

# ---------------------------------------------------------------------------------------------
# (c) kill -9 during a report: taken over within one lease of the restart, exact CSV.

# Triggers a report and waits until it has made progress; sets report_id, or leaves it empty
# when three reports in a row finished before they could be caught running.
start_running_report() {
    local method="$1" tries
    report_id=""
    for tries in 1 2 3; do
        local id
        id="$(trigger "$method")"
        [ -n "$id" ] || { log "trigger_report gave no id"; return 0; }
        wait_progress "$id"
        case "$poll_state" in
            complete) continue ;;
            error|http-*|timeout) report_id="$id"; return 0 ;;
        esac
        report_id="$id"
        return 0
    done
}

# After a restart: the report must be claimed by the new process (or done) within one lease plus
# slack, and complete with the undisturbed run's CSV. Sets recovery.
check_recovered() {
    local name="$1" id="$2" method="$3" t0="$4" kills="$5"
    local claim_limit=$((LEASE + SLACK)) claimed="" row
    while le "$(since "$t0")" "$claim_limit"; do
        row="$(job_row "$id")"
        case "$row" in
            Complete*|Error*) claimed="$(since "$t0")"; break ;;
            *":$svc_pid:"*) claimed="$(since "$t0")"; break ;;
        esac
        if [ "$(db_query "SELECT COUNT(*) FROM report_shards WHERE report_id = '$id' AND worker LIKE '%:$svc_pid:%'")" -gt 0 ]; then
            claimed="$(since "$t0")"; break
        fi
        sleep 0.2
    done
    local limit
    limit="$(awk -v l="$LEASE" -v s="$SLACK" -v r="$REPORT_S_interpolated" 'BEGIN { print l + s + 5 * r + 30 }')"
    wait_complete "$id" "$limit"
    recovery="$(since "$t0")"
    if [ "$poll_state" != complete ]; then
        record "$name" FAIL "$recovery" "report ended as '$poll_state' $(head -c 200 "$dir/poll.body" | tr '\n|' '  ')"
    elif [ -z "$claimed" ]; then
        record "$name" FAIL "$recovery" "not taken over within $claim_limit s of the restart ($row)"
    elif ! cmp -s "$dir/poll.body" "$WORK/baseline-$method.csv"; then
        cp "$dir/poll.body" "$dir/report-$id.csv"
        record "$name" FAIL "$recovery" "CSV differs from the undisturbed run's: diff $dir/report-$id.csv $WORK/baseline-$method.csv"
    else
        record "$name" PASS "$recovery" "$method, $kills kill(s), claimed ${claimed} s after the restart"
    fi
}

phase_reports() {
    local k method t0
    for k in $(seq 1 "$REPORT_KILLS"); do
        if [ $((k % 2)) -eq 1 ]; then method=interpolated; else method=ratio; fi
        local twice=0 name="report kill -9 #$k"
        if [ "$k" -eq "$REPORT_KILLS" ] && [ "$REPORT_KILLS" -gt 1 ]; then twice=1; name="report kill -9 twice, same report #$k"; fi
        start_running_report "$method"
        if [ -z "$report_id" ]; then
            record "$name" SKIP - "the report finished before the kill 3 times"
            continue
        fi
        if [ "$poll_state" = error ] || [ "$poll_state" = timeout ] || [[ "$poll_state" == http-* ]]; then
            record "$name" FAIL - "the report was '$poll_state' before any kill"
            continue
        fi
        kill9
        start_service
        t0="$svc_started"
        if [ "$twice" -eq 1 ]; then
            # Let the new process take it over and make progress, then kill it again.
            wait_progress_after_takeover "$report_id" "$t0"
            if [ "$poll_state" = running ]; then
                kill9
                start_service
                t0="$svc_started"
            else
                twice=0
                name="$name (second kill missed: $poll_state)"
            fi
        fi
        check_recovered "$name" "$report_id" "$method" "$t0" $((1 + twice))
    done

    # Nothing may stay Running (or end in Error) once the phase is over.
    local list
    list="$(curl -s --max-time 30 "$BASE/reports?limit=100")"
    if grep -q '"status":"Running"\|"status":"Error"' <<<"$list"; then
        record "no report left Running or Error" FAIL - "$(grep -o '"status":"[A-Za-z]*"' <<<"$list" | sort | uniq -c | tr '\n' ' ')"
    else
        record "no report left Running or Error" PASS - "$(grep -o '"status":"[A-Za-z]*"' <<<"$list" | sort | uniq -c | tr '\n' ' ')"
    fi
}

# The new process has saved a shard of the report (which is still running).
wait_progress_after_takeover() {
    local id="$1" t0="$2" row
    while le "$(since "$t0")" $((LEASE + SLACK + 30)); do
        row="$(job_row "$id")"
        case "$row" in
            Complete*) poll_state=complete; return 0 ;;
            Error*) poll_state=error; return 0 ;;
        esac
        if [ "$(db_query "SELECT COUNT(*) FROM report_shards WHERE report_id = '$id' AND status = 'Complete' AND worker LIKE '%:$svc_pid:%'")" -gt 0 ]; then
            poll_state=running; return 0
        fi
    done
    poll_state=timeout
}

job_row() { db_query "SELECT status, COALESCE(worker, '') FROM report_jobs WHERE report_id = '$1'" | tr '\t|' '  '; }

# ---------------------------------------------------------------------------------------------
# (d) SIGTERM during a report: its shards handed back at once (no shard left Running, no attempt counted,
# no rows of unfinished shards), finished after the restart with the exact CSV.

phase_sigterm() {
    local name="report SIGTERM" t0 row
    start_running_report interpolated
    if [ -z "$report_id" ]; then
        record "$name" SKIP - "the report finished before the signal 3 times"
        return 0
    fi
    local t_term
    t_term="$(now)"
    if ! term_and_wait; then
        record "$name" FAIL - "the service did not exit within 60 s of SIGTERM"
        start_service
        return 0
    fi
    local stop_s
    stop_s="$(since "$t_term")"
    # Handed back: no shard left Running (each went back to Pending, its attempt uncounted), and no
    # rows but those of the shards that completed.
    row="$(db_query "SELECT j.status, j.attempts, (SELECT COUNT(*) FROM report_shards s WHERE s.report_id = j.report_id AND s.status = 'Running'), (SELECT COUNT(*) FROM report_rows r WHERE r.report_id = j.report_id) - (SELECT COALESCE(SUM(s.stores), 0) FROM report_shards s WHERE s.report_id = j.report_id AND s.status = 'Complete') FROM report_jobs j WHERE report_id = '$report_id'" | tr '\t|' '  ')"
    local status attempts running partial
    read -r status attempts running partial <<<"$row"
    local handed_back=0 note
    case "$status" in
        Pending|Running)
            if [ "$partial" -ne 0 ] || [ "$running" -ne 0 ]; then
                record "$name: handed back" FAIL - "$status but $running shard(s) still Running, $partial row(s) of unfinished shards"
            else
                handed_back=1
                record "$name: handed back" PASS "$stop_s" "no shard left Running, no rows of unfinished shards (stopped in $stop_s s)"
            fi ;;
        Complete) note="finished within the shutdown timeout ($stop_s s)"; record "$name: handed back" PASS "$stop_s" "$note" ;;
        *) record "$name: handed back" FAIL "$stop_s" "after exit: status $status, attempts $attempts, $running shard(s) Running, $partial row(s) of unfinished shards" ;;
    esac
    start_service
    t0="$svc_started"
    wait_complete "$report_id" "$(awk -v l="$LEASE" -v s="$SLACK" -v r="$REPORT_S_interpolated" 'BEGIN { print l + s + 5 * r + 30 }')"
    local recovery
    recovery="$(since "$t0")"
    attempts="$(db_query "SELECT MAX(attempts) FROM report_shards WHERE report_id = '$report_id'")"
    if [ "$poll_state" != complete ]; then
        record "$name: finishes after restart" FAIL "$recovery" "ended as '$poll_state'"
    elif ! cmp -s "$dir/poll.body" "$WORK/baseline-interpolated.csv"; then
        record "$name: finishes after restart" FAIL "$recovery" "CSV differs from the undisturbed run's"
    elif [ "$handed_back" -eq 1 ] && [ "$attempts" != 1 ]; then
        record "$name: finishes after restart" FAIL "$recovery" "a shard's attempts = $attempts (the interrupted attempt was counted)"
    elif [ "$handed_back" -eq 1 ] && gt "$recovery" "$((LEASE + SLACK))"; then
        # Picked up at once is what the attempts above prove (a shard left to its lease would be
        # taken over with a second attempt); this only catches a report that waits for nothing.
        record "$name: finishes after restart" FAIL "$recovery" "not finished within lease + slack ($((LEASE + SLACK)) s) of the restart"
    else
        record "$name: finishes after restart" PASS "$recovery" "identical CSV, shard attempts at most $attempts"
    fi
}

# ---------------------------------------------------------------------------------------------

for engine in "${engine_list[@]}"; do
    dir="$WORK/faults-$engine"
    rm -rf "$dir"; mkdir -p "$dir"
    db_file="$dir/storemonitoring.db"
    if [ "$engine" = mariadb ]; then
        my_sql "DROP DATABASE IF EXISTS storemon_faults; CREATE DATABASE storemon_faults CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"
    fi
    log "[$engine] kill -9 during imports ($IMPORT_KILLS)"
    start_service
    phase_imports
    log "[$engine] kill -9 during reports ($REPORT_KILLS)"
    phase_reports
    log "[$engine] SIGTERM during a report"
    phase_sigterm
    term_and_wait || true
done

echo
mode=""
[ "$smoke" -eq 1 ] && mode=" --smoke"
echo "Fault injection: \`bash bench/faults.sh$mode --engines $engines\`, $STORES stores x 8 days, lease $LEASE s, slack $SLACK s, batch $BATCH; undisturbed import ${IMPORT_S} s, report ${REPORT_S_interpolated} s; total $(since "$started_at") s."
echo
echo "| engine | case | result | recovery s | note |"
echo "|---|---|---|---:|---|"
printf '%s\n' "${rows[@]}"

if [ "$failed" -ne 0 ]; then
    log "FAILED: see the table"
    exit 1
fi
