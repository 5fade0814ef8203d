#!/usr/bin/env bash
# Issues 8 and 20, "no slower than before": whole-process `storemon import` and `storemon report`
# (interpolated and ratio), and POST /polls throughput through the API, of a base commit against
# this checkout, on SQLite and MariaDB, in the same run, base and new alternating, a fresh database
# per import and per ingest. Prints a markdown table with PASS/MISS per step: PASS when the new
# median is at most 5% slower than the base's, or within the base's own spread (min-max).
#
# Usage: bash bench/before-after.sh [--base COMMIT] [--runs N] [--engines sqlite,mariadb] [--smoke]
#   --base     the commit to compare with (default 9b9bb6e, main before issue 20's work); built
#              from `git archive` into the work directory (no worktree)
#   --runs     runs of each version per engine (default 3)
#   --stores, --days   the data's scale (default 3678 stores x 21 days)
#   --smoke    300 stores x 8 days, 5 POST /polls batches of 2,000, one run each (CI: checks that
#              the script works)
#
# Environment:
#   STOREMON_BA_DIR   work directory (default /tmp/storemon-before-after)
#   MARIADB_DIR, MARIADB_PORT   the MariaDB of .ci/mariadb.sh (started if not running)
#   STOREMON_BA_DATABASE        its database (default storemon_ba; dropped and re-created)
#   STOREMON_BA_PORT            the API's port on 127.0.0.1 for the POST /polls step (default 18300)
#
# Each timed step is `/usr/bin/time -f '%e %M'` (wall s, peak RSS KB) of a whole process started
# from its own directory, with Logging__LogLevel__Default=Information so that the new import's
# "Incidents of N stores touched by ... updated in X ms" line is captured. Migrations run before the
# import and are not timed. The figure reported is the median of the runs; the load is the 1-minute
# load average when the step started. The POST /polls step: a fresh database with the hours and
# zones imported (untimed), the API started, then the first BATCHES batches of the status file in
# time order posted one at a time on one connection (bench/live/live.py post); the figure is polls
# per second of the requests' summed time (higher is better).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
COMMAND_LINE="bash bench/before-after.sh${*:+ $*}"
base_commit=9b9bb6e
runs=3
engines=sqlite,mariadb
smoke=0
stores=3678 days=21
while [ $# -gt 0 ]; do
    case "$1" in
        --base) base_commit="${2:?--base needs a commit}"; shift ;;
        --runs) runs="${2:?--runs needs a number}"; shift ;;
        --engines) engines="${2:?--engines needs a list}"; shift ;;
        --stores) stores="${2:?--stores needs a number}"; shift ;;
        --days) days="${2:?--days needs a number}"; shift ;;
        --smoke) smoke=1 ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/before-after.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
IFS=, read -r -a engine_list <<<"$engines"
for engine in "${engine_list[@]}"; do
    case "$engine" in sqlite|mariadb) ;; *) echo "bench/before-after.sh: unknown engine '$engine'" >&2; exit 2 ;; esac
done
[[ "$runs" =~ ^[1-9][0-9]?$ ]] || { echo "bench/before-after.sh: --runs is 1-99" >&2; exit 2; }

seed=7 batch=10000 batches=20
if [ "$smoke" -eq 1 ]; then stores=300 days=8 runs=1 batch=2000 batches=5; fi
DB="${STOREMON_BA_DATABASE:-storemon_ba}"
API_PORT="${STOREMON_BA_PORT:-18300}"
PY="$ROOT/bench/live/live.py"

WORK="${STOREMON_BA_DIR:-/tmp/storemon-before-after}"
TIME=/usr/bin/time
BENCH_NAME=before-after
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
[ -x "$TIME" ] || die "/usr/bin/time is missing: apt-get install -y time"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"

api_pid=""
cleanup() {
    stop_api
    stop_started_mariadb
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Both CLIs in Release: this checkout in place, the base from git archive into $WORK/base-<sha>.
base_sha="$(git -C "$ROOT" rev-parse --verify "$base_commit^{commit}")" || die "no commit $base_commit"
new_sha="$(git -C "$ROOT" rev-parse HEAD)"
base_src="$WORK/base-${base_sha:0:12}"
if [ ! -x "$base_src/artifacts/bin/StoreMonitoring.Api/release/StoreMonitoring.Api" ]; then
    log "building the base ${base_sha:0:12} in $base_src"
    rm -rf "$base_src"
    mkdir -p "$base_src"
    git -C "$ROOT" archive "$base_sha" | tar -x -C "$base_src"
    BUILD_ROOT="$base_src" build "$WORK/build-base.log" src/StoreMonitoring.Cli src/StoreMonitoring.Api
fi
log "building this checkout (${new_sha:0:12}$(git -C "$ROOT" diff --quiet HEAD -- src || echo ', with local changes'))"
build "$WORK/build-new.log" src/StoreMonitoring.Cli src/StoreMonitoring.Api
declare -A CLI=([base]="$base_src/artifacts/bin/StoreMonitoring.Cli/release/storemon" [new]="$ROOT/artifacts/bin/StoreMonitoring.Cli/release/storemon")
declare -A API=([base]="$base_src/artifacts/bin/StoreMonitoring.Api/release/StoreMonitoring.Api" [new]="$ROOT/artifacts/bin/StoreMonitoring.Api/release/StoreMonitoring.Api")

my_port=""
mariadb_conn=""
if has_engine mariadb; then
    start_mariadb "$DB"
fi

# The same input for both versions, written by this checkout's generator.
data="$WORK/data-$stores-$days-$seed"
if [ ! -f "$data/input/store_status.csv" ]; then
    log "generating $stores stores x $days days (seed $seed)"
    rm -rf "$data"
    "${CLI[new]}" generate --stores "$stores" --days "$days" --seed "$seed" --out "$data" >"$WORK/generate.log" 2>&1 \
        || { cat "$WORK/generate.log" >&2; die "generate failed"; }
    mkdir -p "$data/input"
    mv "$data/store_status.csv" "$data/menu_hours.csv" "$data/timezones.csv" "$data/input/"
fi
if [ ! -f "$data/batches-$batch/done" ]; then
    rm -rf "$data/hours" "$data/batches-$batch"
    mkdir -p "$data/hours"
    cp "$data/input/menu_hours.csv" "$data/input/timezones.csv" "$data/hours/"
    python3 "$PY" split "$data/input/store_status.csv" "$data/batches-$batch" "$batch" >/dev/null
    touch "$data/batches-$batch/done"
fi
polls_dir="$WORK/polls-$batch-$batches"
rm -rf "$polls_dir"
mkdir -p "$polls_dir"
for f in $(find "$data/batches-$batch" -name '*.csv' | sort | head -n "$batches"); do ln -s "$f" "$polls_dir/"; done
rows=$(($(wc -l <"$data/input/store_status.csv") - 1))
cat "$data/input/"*.csv >/dev/null


# timed OUT CMD...: sets WALL and RSS_MB.
timed() {
    local out="$1"; shift
    if ! "$TIME" -f '%e %M' -o "$WORK/last.time" "$@" >"$out" 2>&1; then
        tail -n 20 "$out" >&2
        die "failed: $*"
    fi
    read -r WALL rss_kb <"$WORK/last.time"
    RSS_MB=$((rss_kb / 1024))
}

# fresh_db ENGINE DIR: an empty database (a new SQLite file in DIR, or the MariaDB database dropped
# and re-created); sets DB_VARS, the settings that point the CLI and the API at it.
fresh_db() {
    if [ "$1" = sqlite ]; then
        DB_VARS=(StoreMonitoring__Database__Provider=sqlite "ConnectionStrings__StoreMonitoring=Data Source=$2/storemonitoring.db")
    else
        recreate_database "$my_port" "$DB"
        DB_VARS=(StoreMonitoring__Database__Provider=mysql "ConnectionStrings__StoreMonitoring=$mariadb_conn")
    fi
}

# polls ENGINE VERSION RUN: a fresh database with the hours and zones, the API, the batches posted;
# appends the polls/s sample.
polls() {
    local engine="$1" version="$2" run="$3" dir="$WORK/polls-$1-$2" vars load rate
    rm -rf "$dir"
    mkdir -p "$dir"
    fresh_db "$engine" "$dir"
    vars=("${DB_VARS[@]}")
    env -C "$dir" "${vars[@]}" "${CLI[$version]}" migrate >"$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; die "migrate failed"; }
    env -C "$dir" "${vars[@]}" "${CLI[$version]}" import "$data/hours" >"$dir/hours.log" 2>&1 || { cat "$dir/hours.log" >&2; die "importing the hours failed"; }
    local base_url="http://127.0.0.1:$API_PORT"
    curl -s -o /dev/null --max-time 1 "$base_url/health/live" 2>/dev/null && die "something already listens on $base_url: set STOREMON_BA_PORT"
    (cd "$dir" && exec env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$base_url" "${vars[@]}" \
        StoreMonitoring__Auth__Mode=None StoreMonitoring__RateLimit__PermitLimit=1000000 \
        "StoreMonitoring__DataDirectory=$data/hours" "StoreMonitoring__ReportDirectory=$dir/reports" \
        Logging__LogLevel__Default=Warning "${API[$version]}" >"$dir/api.log" 2>&1) &
    api_pid=$!
    wait_for_service "$base_url/health/live" "$api_pid" 60 "$dir/api.log"
    load="$(load1)"
    python3 "$PY" post "$base_url" "$polls_dir" csv "$dir/batches.tsv" >"$dir/totals.json" || die "posting failed ($dir)"
    stop_api
    rate="$(awk -F'\t' '{ n += $2; s += $3 } END { printf "%.0f", n / s }' "$dir/batches.tsv")"
    printf '%s\t%s\t%s\tpolls\t%s\t-\t%s\t-\n' "$engine" "$version" "$run" "$rate" "$load" >>"$samples"
    log "run $run $engine $version POST /polls: $rate polls/s (load $load)"
}

samples="$WORK/samples.tsv"    # engine version run step wall rss load incidents_ms
: >"$samples"
mismatch=0
for run in $(seq 1 "$runs"); do
    for engine in "${engine_list[@]}"; do
        for version in base new; do
            dir="$WORK/run-$engine-$version"
            rm -rf "$dir"
            mkdir -p "$dir"
            fresh_db "$engine" "$dir"
            env_vars=("${DB_VARS[@]}" Logging__LogLevel__Default=Information)
            cli="${CLI[$version]}"
            env -C "$dir" "${env_vars[@]}" "$cli" migrate >"$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; die "migrate failed"; }
            for step in import interpolated ratio; do
                load="$(load1)"
                case "$step" in
                    import) timed "$dir/import.log" env -C "$dir" "${env_vars[@]}" "$cli" import "$data/input" ;;
                    *) timed "$dir/$step.log" env -C "$dir" "${env_vars[@]}" "$cli" report --method "$step" --out "$dir/report-$step.csv" ;;
                esac
                incidents_ms="-"
                if [ "$step" = import ]; then
                    incidents_ms="$(sed -n 's/.*Incidents of [0-9,]* stores touched by .* updated in \([0-9,]*\) ms.*/\1/p' "$dir/import.log" | tr -d , | awk '{ s += $1 } END { if (NR) print s; else print "-" }')"
                fi
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$engine" "$version" "$run" "$step" "$WALL" "$RSS_MB" "$load" "$incidents_ms" >>"$samples"
                log "run $run $engine $version $step: $WALL s, $RSS_MB MB (load $load)${incidents_ms:+, incidents $incidents_ms ms}"
            done
            for step in interpolated ratio; do
                cp "$dir/report-$step.csv" "$WORK/last-$engine-$version-$step.csv"
            done
            polls "$engine" "$version" "$run"
        done
        for step in interpolated ratio; do
            if ! cmp -s "$WORK/last-$engine-base-$step.csv" "$WORK/last-$engine-new-$step.csv"; then
                log "run $run $engine $step: the base and new reports differ (diff $WORK/last-$engine-base-$step.csv $WORK/last-$engine-new-$step.csv)"
                mismatch=1
            fi
        done
    done
done

# Median, min-max and the loads, per engine, step and version; new/base of the medians.
summary() {
    awk -F'\t' '
        { k = $1 "\t" $4 "\t" $2; n[k]++; w[k, n[k]] = $5; r[k] = (r[k] > $6 ? r[k] : $6); l[k] = l[k] (l[k] == "" ? "" : "/") $7
          if ($8 != "-") { inc[k] = inc[k] (inc[k] == "" ? "" : "/") $8 } }
        function median(k,   i, j, t, m, a) {
            m = n[k]; for (i = 1; i <= m; i++) a[i] = w[k, i] + 0
            for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            lo[k] = a[1]; hi[k] = a[m]
            return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
        }
        END {
            split("sqlite mariadb", engines, " "); split("import interpolated ratio polls", steps, " ")
            for (e = 1; e <= 2; e++) for (s = 1; s <= 4; s++) {
                b = engines[e] "\t" steps[s] "\tbase"; c = engines[e] "\t" steps[s] "\tnew"
                if (!(b in n) || !(c in n)) continue
                mb = median(b); mc = median(c)
                if (steps[s] == "polls") {
                    # Polls/s: higher is better; a slowdown is a lower rate.
                    ok = (mc >= mb * 0.95 || mc >= lo[b]) ? "PASS" : "MISS"; if (ok == "MISS") miss = 1
                    printf "| %s | POST /polls, polls/s | %.0f (%.0f-%.0f) | %.0f (%.0f-%.0f) | %+.0f%% | - | %s | %s | - | %s |\n", engines[e], mb, lo[b], hi[b], mc, lo[c], hi[c], (mc / mb - 1) * 100, l[b], l[c], ok
                    continue
                }
                ok = (mc <= mb * 1.05 || mc <= hi[b]) ? "PASS" : "MISS"; if (ok == "MISS") miss = 1
                name = steps[s] == "import" ? "import, s" : "report (" steps[s] "), s"
                printf "| %s | %s | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %+.0f%% | %d / %d | %s | %s | %s | %s |\n", engines[e], name, mb, lo[b], hi[b], mc, lo[c], hi[c], (mc / mb - 1) * 100, r[b], r[c], l[b], l[c], (c in inc) ? inc[c] : "-", ok
            }
            print (miss ? "MISS" : "PASS") > "/dev/stderr"
        }' "$samples" 2>"$WORK/verdict"
}

echo
echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC'), \`$COMMAND_LINE\`; base ${base_sha:0:7}, new ${new_sha:0:7}; $(printf '%s' "$stores") stores x $days days (seed $seed), $rows status rows; POST /polls: $batches batches of $batch; $runs run(s) of each, base and new alternating."
echo
echo "| engine | step | base, median (min-max) | new, median (min-max) | new vs base | peak RSS MB base / new | load (base runs) | load (new runs) | new import: incidents ms (log) | no measurable slowdown |"
echo "|---|---|---:|---:|---:|---:|---|---|---|---|"
summary
echo
echo "No measurable slowdown (each step PASS: new at most 5% slower than base, or within the base's spread): $(cat "$WORK/verdict")"
echo
if [ "$mismatch" -eq 1 ]; then
    log "the base and new reports differ (see above)"
else
    log "base and new wrote byte-identical reports (interpolated and ratio)"
fi
