#!/usr/bin/env bash
# What Import:CommitEveryRows costs: whole `storemon import` processes into an empty database, one
# transaction per file against chunks, on SQLite and MariaDB, runs interleaved. Prints a markdown table.
#
# Usage: bash bench/chunked-import.sh [stores] [days] [runs] [chunk rows ...]
#   defaults: 3678 stores x 21 days (the real scale of bench/run.sh, ~1.9M polls), 2 runs, chunks of 1,000,000
# Environment:
#   STOREMON_BENCH_MYSQL  connection string of a MariaDB that may create storemon_chunks_bench
#                         (e.g. what `.ci/mariadb.sh start` prints); without it, SQLite only
#   STOREMON_BENCH_DIR    work directory (default /tmp/storemon-chunks-bench)
# Build first: dotnet build -c Release
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_NAME=chunked-import.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
CLI="$ROOT/artifacts/bin/StoreMonitoring.Cli/release/storemon"
WORK="${STOREMON_BENCH_DIR:-/tmp/storemon-chunks-bench}"
stores="${1:-3678}"
days="${2:-21}"
runs="${3:-2}"
shift $(($# < 3 ? $# : 3))
chunks=("$@")
[ ${#chunks[@]} -gt 0 ] || chunks=(1000000)

[ -x "$CLI" ] || die "build first (dotnet build -c Release)"
mkdir -p "$WORK"
data="$WORK/data-$stores-$days"
if [ ! -f "$data/input/store_status.csv" ]; then
    rm -rf "$data"
    "$CLI" generate --stores "$stores" --days "$days" --seed 1 --out "$data" >/dev/null
    mkdir -p "$data/input"
    mv "$data/store_status.csv" "$data/menu_hours.csv" "$data/timezones.csv" "$data/input/"
fi
rows=$(($(wc -l <"$data/input/store_status.csv") - 1))

engines=(sqlite)
[ -n "${STOREMON_BENCH_MYSQL:-}" ] && engines+=(mariadb)

# One import; prints "wall_s rss_mb".
import_once() {
    local engine="$1" chunk="$2" dir="$WORK/run"
    rm -rf "$dir"
    mkdir -p "$dir"
    local -a env_vars=("StoreMonitoring__Import__CommitEveryRows=$chunk")
    if [ "$engine" = sqlite ]; then
        env_vars+=(StoreMonitoring__Database__Provider=sqlite "ConnectionStrings__StoreMonitoring=Data Source=$dir/storemonitoring.db")
    else
        local conn="${STOREMON_BENCH_MYSQL/Database=storemon;/Database=storemon_chunks_bench;}"
        env_vars+=(StoreMonitoring__Database__Provider=mysql "ConnectionStrings__StoreMonitoring=$conn")
        mysql_reset "$conn"
        env -C "$dir" "${env_vars[@]}" "$CLI" migrate >"$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; exit 1; }
    fi
    /usr/bin/time -f "%e %M" -o "$dir/time" env -C "$dir" "${env_vars[@]}" "$CLI" import "$data/input" >"$dir/import.log" 2>&1 \
        || { cat "$dir/import.log" >&2; exit 1; }
    grep -q "store_status.csv" "$dir/import.log" || { cat "$dir/import.log" >&2; die "no status file in the summary"; }
    awk '{ printf "%s %.0f\n", $1, $2 / 1024 }' "$dir/time"
}

# Drops and recreates the bench database through the server's own client (root over the socket is
# not needed: the test user may create storemon* databases).
mysql_reset() {
    local conn="$1" host port user password
    host="$(conn_value server "$conn")"
    port="$(conn_value port "$conn")"
    user="$(conn_value 'user id' "$conn")"
    password="$(conn_value password "$conn")"
    MYSQL_PWD="$password" mariadb --no-defaults -h "$host" -P "$port" -u "$user" \
        -e "DROP DATABASE IF EXISTS storemon_chunks_bench; CREATE DATABASE storemon_chunks_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"
}

echo "$stores stores x $days days: $rows polls; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| engine | CommitEveryRows | run | import s | peak RSS MB |"
echo "|---|---:|---:|---:|---:|"
for run in $(seq 1 "$runs"); do
    for engine in "${engines[@]}"; do
        for chunk in 0 "${chunks[@]}"; do
            read -r wall rss < <(import_once "$engine" "$chunk")
            echo "| $engine | $chunk | $run | $wall | $rss |"
        done
    done
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
