# Shell helpers the benchmark scripts share; sourced, not run: . "$(dirname "$0")/lib.sh"
# Each script sets BENCH_NAME (its messages' prefix) before sourcing; ROOT is the repository.
# shellcheck shell=bash

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
BENCH_NAME="${BENCH_NAME:-$(basename "$0" .sh)}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# log, die, as_root and apt_install come from the CI scripts' helpers, with BENCH_NAME as the prefix.
CI_NAME="$BENCH_NAME"
# shellcheck source=.ci/lib.sh
. "$ROOT/.ci/lib.sh"

now() { date +%s.%N; }
# Seconds since an instant from now(), two decimals.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
now_ms() { date +%s%3N; }
# The 1-minute load average.
load1() { cut -d' ' -f1 /proc/loadavg; }

# 1234567 -> 1,234,567 (stdin to stdout).
group() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
# has_engine NAME: whether the comma-separated $engines (the scripts' --engines) lists NAME.
has_engine() { [[ ",${engines:-}," == *",$1,"* ]]; }
# json_field NAME: the first string value of "NAME" in the JSON on stdin (report_id and the like).
json_field() { sed -n 's/.*"'"$1"'":"\([^"]*\)".*/\1/p' | head -n 1; }
# cpu_s PID: CPU seconds (user + system) the process has used so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"; }

# sql PORT STATEMENTS [DATABASE]: the mariadb client as the storemon user on 127.0.0.1, no headers.
sql() { mariadb --no-defaults -h 127.0.0.1 -P "$1" -u storemon -pstoremon --batch --skip-column-names -e "$2" ${3:+"$3"}; }
# recreate_database PORT NAME: drops the database and creates it empty, in the service's charset.
recreate_database() { sql "$1" "DROP DATABASE IF EXISTS $2; CREATE DATABASE $2 CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"; }
# conn_value KEYS CONNECTION: the value of the first key matching the regex KEYS (case-insensitive)
# in a MySqlConnector connection string.
conn_value() { tr ';' '\n' <<<"$2" | sed -n -E "s/^[[:space:]]*($1)[[:space:]]*=[[:space:]]*//Ip" | head -n 1; }

# start_mariadb DATABASE: .ci/mariadb.sh's server (started when it is not running: then
# started_mariadb=1, for the script's cleanup to stop it); sets my_port and mariadb_conn, the
# connection string with DATABASE.
started_mariadb="${started_mariadb:-0}"
start_mariadb() {
    bash "$ROOT/.ci/mariadb.sh" status >/dev/null 2>&1 || started_mariadb=1
    # start is idempotent: it also makes sure the storemon user and its grants exist.
    local base_conn
    base_conn="$(bash "$ROOT/.ci/mariadb.sh" start | tail -n 1)"
    mariadb_conn="$(sed "s/Database=[^;]*/Database=$1/" <<<"$base_conn")"
    my_port="$(conn_value port "$base_conn")"
}
# stop_started_mariadb: stops the server when start_mariadb started it.
stop_started_mariadb() {
    if [ "$started_mariadb" -eq 1 ]; then bash "$ROOT/.ci/mariadb.sh" stop >/dev/null 2>&1 || true; fi
}

# stop_api: stops the service started in the background as $api_pid, if any, and waits for it.
stop_api() {
    if [ -n "${api_pid:-}" ] && kill -0 "$api_pid" 2>/dev/null; then
        kill "$api_pid" 2>/dev/null || true
        wait "$api_pid" 2>/dev/null || true
    fi
    api_pid=""
}

# ensure_installed COMMAND PACKAGE...: installs the packages when COMMAND is missing.
ensure_installed() {
    local command="$1"
    shift
    command -v "$command" >/dev/null 2>&1 && return 0
    log "installing $*"
    apt_install "$@"
}

# build LOG PROJECT...: Release builds of the projects (src/StoreMonitoring.Cli, ...) in ROOT, or in
# BUILD_ROOT when set (another revision's sources); the log's tail and a failure when one does not build.
build() {
    local log_file="$1" project
    shift
    : >"$log_file"
    for project in "$@"; do
        (cd "${BUILD_ROOT:-$ROOT}" && dotnet build "$project" -c Release -v quiet -nologo >>"$log_file" 2>&1) \
            || { tail -n 30 "$log_file" >&2; die "the build of $project failed"; }
    done
}

# wait_for_service URL PID SECONDS [LOG]: until URL answers, failing when the process PID exits
# first (with the tail of LOG) or SECONDS pass.
wait_for_service() {
    local url="$1" pid="$2" seconds="$3" log_file="${4:-}" i
    for i in $(seq 1 $((seconds * 10))); do
        curl -s -o /dev/null --max-time 1 "$url" && return 0
        if ! kill -0 "$pid" 2>/dev/null; then
            [ -n "$log_file" ] && tail -n 30 "$log_file" >&2
            die "the service exited at start"
        fi
        sleep 0.1
    done
    die "the service did not answer on $url within $seconds s"
}
