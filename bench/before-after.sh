#!/usr/bin/env bash
# Issue 8, "no slower than before": whole-process `storemon import` and `storemon report`
# (interpolated and ratio) of a base commit against this checkout, on SQLite and MariaDB, in the
# same run, base and new alternating, a fresh database per import. Prints a markdown table.
#
# Usage: bash bench/before-after.sh [--base COMMIT] [--runs N] [--engines sqlite,mariadb] [--smoke]
#   --base     the commit to compare with (default a47b270, the commit before the refactor); built
#              from `git archive` into the work directory (no worktree)
#   --runs     runs of each version per engine (default 3)
#   --smoke    300 stores x 8 days, one run each (CI: checks that the script works)
#
# Environment:
#   STOREMON_BA_DIR   work directory (default /tmp/storemon-before-after)
#   MARIADB_DIR, MARIADB_PORT   the MariaDB of .ci/mariadb.sh (started if not running)
#
# Each timed step is `/usr/bin/time -f '%e %M'` (wall s, peak RSS KB) of a whole process started
# from its own directory, with Logging__LogLevel__Default=Information so that the new import's
# "Incidents of N stores touched by ... updated in X ms" line is captured. Migrations run before the
# import and are not timed. The figure reported is the median of the runs; the load is the 1-minute
# load average when the step started.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
COMMAND_LINE="bash bench/before-after.sh${*:+ $*}"
base_commit=a47b270
runs=3
engines=sqlite,mariadb
smoke=0
while [ $# -gt 0 ]; do
    case "$1" in
        --base) base_commit="${2:?--base needs a commit}"; shift ;;
        --runs) runs="${2:?--runs needs a number}"; shift ;;
        --engines) engines="${2:?--engines needs a list}"; shift ;;
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

stores=3678 days=21 seed=7
if [ "$smoke" -eq 1 ]; then stores=300 days=8 runs=1; fi

WORK="${STOREMON_BA_DIR:-/tmp/storemon-before-after}"
TIME=/usr/bin/time
BENCH_NAME=before-after
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
[ -x "$TIME" ] || die "/usr/bin/time is missing: apt-get install -y time"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"

started_mariadb=0
cleanup() {
    if [ "$started_mariadb" -eq 1 ]; then bash "$ROOT/.ci/mariadb.sh" stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Both CLIs in Release: this checkout in place, the base from git archive into $WORK/base-<sha>.
base_sha="$(git -C "$ROOT" rev-parse --verify "$base_commit^{commit}")" || die "no commit $base_commit"
new_sha="$(git -C "$ROOT" rev-parse HEAD)"
base_src="$WORK/base-${base_sha:0:12}"
if [ ! -x "$base_src/artifacts/bin/StoreMonitoring.Cli/release/storemon" ]; then
    log "building the base ${base_sha:0:12} in $base_src"
    rm -rf "$base_src"
    mkdir -p "$base_src"
    git -C "$ROOT" archive "$base_sha" | tar -x -C "$base_src"
    (cd "$base_src" && dotnet build src/StoreMonitoring.Cli -c Release -v quiet -nologo >"$WORK/build-base.log" 2>&1) \
        || { tail -n 30 "$WORK/build-base.log" >&2; die "the base build failed"; }
fi
log "building this checkout (${new_sha:0:12}$(git -C "$ROOT" diff --quiet HEAD -- src || echo ', with local changes'))"
(cd "$ROOT" && dotnet build src/StoreMonitoring.Cli -c Release -v quiet -nologo >"$WORK/build-new.log" 2>&1) \
    || { tail -n 30 "$WORK/build-new.log" >&2; die "the build failed"; }
declare -A CLI=([base]="$base_src/artifacts/bin/StoreMonitoring.Cli/release/storemon" [new]="$ROOT/artifacts/bin/StoreMonitoring.Cli/release/storemon")

has_engine() { [[ ",$engines," == *",$1,"* ]]; }
my_port=""
mariadb_conn=""
if has_engine mariadb; then
    bash "$ROOT/.ci/mariadb.sh" status >/dev/null 2>&1 || started_mariadb=1
    base_conn="$(bash "$ROOT/.ci/mariadb.sh" start | tail -n 1)"
    mariadb_conn="$(sed 's/Database=[^;]*/Database=storemon_ba/' <<<"$base_conn")"
    my_port="$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$base_conn")"
fi
my_sql() { mariadb --no-defaults -h 127.0.0.1 -P "$my_port" -u storemon -pstoremon --batch --skip-column-names -e "$1"; }

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

samples="$WORK/samples.tsv"    # engine version run step wall rss load incidents_ms
: >"$samples"
mismatch=0
for run in $(seq 1 "$runs"); do
    for engine in "${engine_list[@]}"; do
        for version in base new; do
            dir="$WORK/run-$engine-$version"
            rm -rf "$dir"
            mkdir -p "$dir"
            if [ "$engine" = sqlite ]; then
                env_vars=(StoreMonitoring__Database__Provider=sqlite "ConnectionStrings__StoreMonitoring=Data Source=$dir/storemonitoring.db")
            else
                my_sql "DROP DATABASE IF EXISTS storemon_ba; CREATE DATABASE storemon_ba CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"
                env_vars=(StoreMonitoring__Database__Provider=mysql "ConnectionStrings__StoreMonitoring=$mariadb_conn")
            fi
            env_vars+=(Logging__LogLevel__Default=Information)
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
            split("sqlite mariadb", engines, " "); split("import interpolated ratio", steps, " ")
            for (e = 1; e <= 2; e++) for (s = 1; s <= 3; s++) {
                b = engines[e] "\t" steps[s] "\tbase"; c = engines[e] "\t" steps[s] "\tnew"
                if (!(b in n) || !(c in n)) continue
                mb = median(b); mc = median(c)
                name = steps[s] == "import" ? "import" : "report (" steps[s] ")"
                printf "| %s | %s | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %+.0f%% | %d / %d | %s | %s | %s |\n", engines[e], name, mb, lo[b], hi[b], mc, lo[c], hi[c], (mc / mb - 1) * 100, r[b], r[c], l[b], l[c], (c in inc) ? inc[c] : "-"
            }
        }' "$samples"
}

echo
echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC'), \`$COMMAND_LINE\`; base ${base_sha:0:7}, new ${new_sha:0:7}; $(printf '%s' "$stores") stores x $days days (seed $seed), $rows status rows; $runs run(s) of each, base and new alternating."
echo
echo "| engine | step | base s, median (min-max) | new s, median (min-max) | new vs base | peak RSS MB base / new | load (base runs) | load (new runs) | new import: incidents ms (log) |"
echo "|---|---|---:|---:|---:|---:|---|---|---|"
summary
echo
if [ "$mismatch" -eq 1 ]; then
    log "the base and new reports differ (see above)"
else
    log "base and new wrote byte-identical reports (interpolated and ratio)"
fi
