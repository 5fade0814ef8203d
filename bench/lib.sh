# Shell helpers the benchmark scripts share; sourced, not run: . "$(dirname "$0")/lib.sh"
# Each script sets BENCH_NAME (its messages' prefix) before sourcing; ROOT is the repository.
# shellcheck shell=bash

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
BENCH_NAME="${BENCH_NAME:-$(basename "$0" .sh)}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { echo "$BENCH_NAME: $*" >&2; }
die() { log "$*"; exit 1; }

now() { date +%s.%N; }
# Seconds since an instant from now(), two decimals.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# The 1-minute load average.
load1() { cut -d' ' -f1 /proc/loadavg; }

# sql PORT STATEMENTS [DATABASE]: the mariadb client as the storemon user on 127.0.0.1, no headers.
sql() { mariadb --no-defaults -h 127.0.0.1 -P "$1" -u storemon -pstoremon --batch --skip-column-names -e "$2" ${3:+"$3"}; }

# ensure_installed COMMAND PACKAGE...: installs the packages when COMMAND is missing.
ensure_installed() {
    local command="$1"
    shift
    command -v "$command" >/dev/null 2>&1 && return 0
    log "installing $*"
    sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2 \
        || { sudo apt-get update -q >&2 && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2; }
}

# build LOG PROJECT...: Release builds of the projects (src/StoreMonitoring.Cli, ...) in ROOT; the
# log's tail and a failure when one does not build.
build() {
    local log_file="$1" project
    shift
    : >"$log_file"
    for project in "$@"; do
        (cd "$ROOT" && dotnet build "$project" -c Release -v quiet -nologo >>"$log_file" 2>&1) \
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
