#!/usr/bin/env bash
# Issue 21's targets for period reports, each beside its floor measured in the same run:
#  1. `storemon report --period month:YYYY-MM` against today's three-window `storemon report` on
#     the same data (3,678 stores x 35 days at 1x): target month <= 0.1x three-window. The CLI's
#     bare start-up (`storemon migrate` on a migrated database) is timed too, as the floor under both.
#  2. At 10x (36,780 stores x 35 days, ~30M polls): month report <= 2 s on SQLite, MariaDB beside it.
#  3. store_days size per store-year (SQLite: dbstat pages; MariaDB: information_schema
#     data_length + index_length) / rows x 365, projected to 36,780 stores x 365 days against 1 GB.
#
# Usage: bash bench/periods.sh [--engines sqlite,mariadb] [--scale 1x|10x|Nx] [--runs N] [--smoke]
#   --scale  1x = 3,678 stores (default), 10x = 36,780; any Nx multiplies 3,678 (say 3x when the
#            10x load takes too long on a shared machine); always 35 days, seed 7
#   --runs   timed runs of each report (default 3; the median is reported)
#   --smoke  200 stores x 35 days, one run, verdicts printed but not meant as figures (CI)
#
# Environment: STOREMON_PERIODS_DIR (default /tmp/storemon-periods), STOREMON_PERIODS_DATABASE
#   (MariaDB database, default storemon_periods; dropped and re-created), MariaDB on 127.0.0.1:
#   MARIADB_PORT (default 3307, user storemon). Each timed step is a whole process under
#   /usr/bin/time (start-up and host building included), run from its own directory.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
COMMAND_LINE="bash bench/periods.sh${*:+ $*}"
engines=sqlite,mariadb scale=1x runs=3 smoke=0
while [ $# -gt 0 ]; do
    case "$1" in
        --engines) engines="${2:?--engines needs a list}"; shift ;;
        --scale) scale="${2:?--scale needs 1x, 10x or Nx}"; shift ;;
        --runs) runs="${2:?--runs needs a number}"; shift ;;
        --smoke) smoke=1 ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/periods.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ "$scale" =~ ^([1-9][0-9]?)x$ ]] || { echo "bench/periods.sh: --scale is 1x, 10x or Nx" >&2; exit 2; }
multiple="${BASH_REMATCH[1]}"
[[ "$runs" =~ ^[1-9]$ ]] || { echo "bench/periods.sh: --runs is 1-9" >&2; exit 2; }
IFS=, read -r -a engine_list <<<"$engines"
for engine in "${engine_list[@]}"; do
    case "$engine" in sqlite|mariadb) ;; *) echo "bench/periods.sh: unknown engine '$engine'" >&2; exit 2 ;; esac
done

stores=$((3678 * multiple)) days=35 seed=7
if [ "$smoke" -eq 1 ]; then stores=200 runs=1; fi
WORK="${STOREMON_PERIODS_DIR:-/tmp/storemon-periods}"
DB="${STOREMON_PERIODS_DATABASE:-storemon_periods}"
MY_PORT="${MARIADB_PORT:-3307}"
TIME=/usr/bin/time
BENCH_NAME=periods
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
[ -x "$TIME" ] || die "/usr/bin/time is missing: apt-get install -y time"
command -v sqlite3 >/dev/null || die "sqlite3 is missing"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"

log "building the CLI in Release"
build "$WORK/build.log" src/StoreMonitoring.Cli
CLI="$ROOT/artifacts/bin/StoreMonitoring.Cli/release/storemon"

data="$WORK/data-$stores-$days-$seed"
if [ ! -f "$data/input/store_status.csv" ]; then
    log "generating $stores stores x $days days (seed $seed)"
    rm -rf "$data"
    started="$(now)"
    "$CLI" generate --stores "$stores" --days "$days" --seed "$seed" --out "$data" >"$WORK/generate.log" 2>&1 \
        || { cat "$WORK/generate.log" >&2; die "generate failed"; }
    mkdir -p "$data/input"
    mv "$data/store_status.csv" "$data/menu_hours.csv" "$data/timezones.csv" "$data/input/"
    log "generated in $(since "$started") s"
fi
polls=$(($(wc -l <"$data/input/store_status.csv") - 1))

# timed OUT CMD...: sets WALL (s) and RSS_MB.
timed() {
    local out="$1"; shift
    "$TIME" -f '%e %M' -o "$WORK/last.time" "$@" >"$out" 2>&1 || { tail -n 20 "$out" >&2; die "failed: $*"; }
    read -r WALL rss_kb <"$WORK/last.time"
    RSS_MB=$((rss_kb / 1024))
}
median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

rows=()
size_rows=()
for engine in "${engine_list[@]}"; do
    dir="$WORK/run-$engine"
    rm -rf "$dir" && mkdir -p "$dir"
    if [ "$engine" = sqlite ]; then
        vars=(StoreMonitoring__Database__Provider=sqlite "ConnectionStrings__StoreMonitoring=Data Source=$dir/storemonitoring.db")
    else
        sql "$MY_PORT" "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"
        vars=(StoreMonitoring__Database__Provider=mysql "ConnectionStrings__StoreMonitoring=Server=127.0.0.1;Port=$MY_PORT;User ID=storemon;Password=storemon;Database=$DB;AllowLoadLocalInfile=true")
    fi
    env -C "$dir" "${vars[@]}" "$CLI" migrate >"$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; die "migrate failed"; }
    log "$engine: importing $polls polls (load $(load1))"
    timed "$dir/import.log" env -C "$dir" "${vars[@]}" "$CLI" import "$data/input"
    import_wall="$WALL"
    log "$engine: imported in $import_wall s, peak RSS $RSS_MB MB"

    : >"$dir/startup" && : >"$dir/windows" && : >"$dir/month"
    month=""
    for run in $(seq 1 "$runs"); do
        load="$(load1)"
        timed "$dir/startup.log" env -C "$dir" "${vars[@]}" "$CLI" migrate
        echo "$WALL" >>"$dir/startup"
        timed "$dir/windows.log" env -C "$dir" "${vars[@]}" "$CLI" report --out "$dir/windows.csv"
        echo "$WALL" >>"$dir/windows"
        if [ -z "$month" ]; then
            # The calendar month 20 days before the latest poll: inside the 35 days of polls.
            latest="$(sed -n 's/.*now \([0-9-]*\).*/\1/p' "$dir/windows.log" | tail -n 1)"
            [ -n "$latest" ] || die "no 'now' in $dir/windows.log"
            month="$(date -u -d "$latest - 20 days" +%Y-%m)"
        fi
        timed "$dir/month.log" env -C "$dir" "${vars[@]}" "$CLI" report --period "month:$month" --out "$dir/month.csv"
        echo "$WALL" >>"$dir/month"
        log "$engine run $run: start-up $(tail -n 1 "$dir/startup") s, three windows $(tail -n 1 "$dir/windows") s, month:$month $WALL s (load $load)"
    done
    [ "$(($(wc -l <"$dir/month.csv") - 1))" -ge "$stores" ] || die "$engine: the month report has fewer rows than stores"
    s="$(median <"$dir/startup")" w="$(median <"$dir/windows")" m="$(median <"$dir/month")" r="$(ratio "$m" "$w")"
    if le "$r" 0.1; then v1=PASS; else v1=MISS; fi
    rows+=("| $engine | month:$month vs three windows | $m s | $w s (floor: start-up $s s) | ${r}x | <= 0.1x | $v1 |")
    if [ "$multiple" -ge 10 ] || [ "$smoke" -eq 1 ]; then
        if [ "$engine" != sqlite ]; then v2="(beside SQLite)"; elif le "$m" 2; then v2=PASS; else v2=MISS; fi
        rows+=("| $engine | month:$month, $stores stores | $m s | start-up $s s | - | <= 2 s (SQLite) | $v2 |")
    fi

    # Size of store_days: its pages (SQLite) or data + index length (MariaDB).
    if [ "$engine" = sqlite ]; then
        # WITHOUT ROWID: the table is its primary-key B-tree, no separate index.
        bytes="$(sqlite3 "$dir/storemonitoring.db" "SELECT SUM(pgsize) FROM dbstat WHERE name = 'store_days';")"
        count="$(sqlite3 "$dir/storemonitoring.db" "SELECT COUNT(*) FROM store_days;")"
    else
        sql "$MY_PORT" "ANALYZE TABLE $DB.store_days" >/dev/null
        bytes="$(sql "$MY_PORT" "SELECT data_length + index_length FROM information_schema.tables WHERE table_schema = '$DB' AND table_name = 'store_days'")"
        count="$(sql "$MY_PORT" "SELECT COUNT(*) FROM $DB.store_days")"
    fi
    size_rows+=("$(awk -v e="$engine" -v b="$bytes" -v n="$count" 'BEGIN {
        per_row = b / n; year = per_row * 365; fleet = year * 36780
        printf "| %s | %d | %d | %.1f B | %.1f KiB | %.0f MiB | < 1 GB | %s |", e, n, b, per_row, year / 1024, fleet / 1048576, (fleet < 1e9 ? "PASS" : "MISS") }')")
done

echo
echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC'), \`$COMMAND_LINE\` ($(git -C "$ROOT" rev-parse --short HEAD)); $stores stores x $days days (seed $seed), $polls polls; medians of $runs run(s); machine shared (load $(load1) at the end)."
echo
echo "| engine | target | figure | floor (same run) | ratio | target | verdict |"
echo "|---|---|---:|---:|---:|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "| engine | store_days rows | bytes | per row | per store-year | 36,780 stores x 365 days | target | verdict |"
echo "|---|---:|---:|---:|---:|---:|---|---|"
printf '%s\n' "${size_rows[@]}"
if [ "${#engine_list[@]}" -eq 2 ] && ! cmp -s "$WORK/run-sqlite/month.csv" "$WORK/run-mariadb/month.csv"; then
    log "the engines' month reports differ: diff $WORK/run-sqlite/month.csv $WORK/run-mariadb/month.csv"
fi
