#!/usr/bin/env bash
# Proves that a change leaves every report byte for byte as it was: builds `storemon` at BASE_REV
# (exported with git archive into a temporary folder) and from the current working tree (Release),
# imports the same data with each binary into its own fresh database, runs `storemon report` with
# both methods, both column sets, the default now and an explicit now inside the data, and compares
# the two binaries' outputs with cmp. Prints a PASS/FAIL table; exits non-zero on any difference.
#
# Usage: bash bench/same-reports.sh [BASE_REV] [--engines sqlite,mariadb] [--keep]
#   BASE_REV   the revision to compare with (default a47b270, the commit before the Lab refactor)
#   --engines  comma-separated subset of sqlite,mariadb (default sqlite)
#   --keep     keep the work folder (data, databases, reports) to look at a difference
#
# Data sets: the repository's sample data/ and a real-scale generated set
# (storemon generate --stores 3678 --days 21 --seed 7, written once by the current binary).
#
# Environment:
#   SAME_REPORTS_MYSQL  MySqlConnector connection string of a MariaDB/MySQL account allowed to
#                       create and drop databases (needed with --engines ...mariadb), e.g. the one
#                       `bash .ci/mariadb.sh start` prints; each run creates its own databases and
#                       drops them at the end (named storemon_same_*, which .ci/mariadb.sh's user may create)
#   TMPDIR              where the work folder goes (default /tmp)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_NAME=same-reports
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

base_rev=a47b270
engines=sqlite
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --engines) engines="${2:?--engines needs a list}"; shift ;;
        --engines=*) engines="${1#--engines=}" ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "same-reports: unknown option '$1' (try --help)" >&2; exit 2 ;;
        *) base_rev="$1" ;;
    esac
    shift
done
IFS=, read -r -a engine_list <<<"$engines"
for engine in "${engine_list[@]}"; do
    case "$engine" in
        sqlite|mariadb) ;;
        *) echo "same-reports: unknown engine '$engine' (sqlite, mariadb)" >&2; exit 2 ;;
    esac
done

base_commit="$(git -C "$ROOT" rev-parse --verify --quiet "$base_rev^{commit}")" || die "'$base_rev' is not a revision of $ROOT"
current="$(git -C "$ROOT" rev-parse --short HEAD)"
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]; then
    current="$current + uncommitted changes"
fi

# The environment must not steer either binary: each run gets exactly the settings given here.
while read -r name; do
    unset "$name"
done < <(compgen -e | grep -E '^(StoreMonitoring__|ConnectionStrings__|DOTNET_ENVIRONMENT$|ASPNETCORE_ENVIRONMENT$)' || true)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/same-reports.XXXXXX")"
mysql_databases=()
cleanup() {
    local db
    for db in "${mysql_databases[@]}"; do
        my_sql "DROP DATABASE IF EXISTS \`$db\`" >/dev/null 2>&1 || log "could not drop database $db"
    done
    if [ "$keep" -eq 1 ]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- MariaDB: the client's arguments from the connection string ------------------------------

if [[ ",$engines," == *",mariadb,"* ]]; then
    [ -n "${SAME_REPORTS_MYSQL:-}" ] || die "--engines mariadb needs SAME_REPORTS_MYSQL (e.g. \`export SAME_REPORTS_MYSQL=\"\$(bash .ci/mariadb.sh start | tail -n 1)\"\`)"
    command -v mariadb >/dev/null || die "the mariadb client is missing: apt-get install -y mariadb-client"
    my_host="$(conn_value 'server|host|data source' "$SAME_REPORTS_MYSQL")"
    my_port="$(conn_value 'port' "$SAME_REPORTS_MYSQL")"
    my_user="$(conn_value 'user id|uid|user|username' "$SAME_REPORTS_MYSQL")"
    my_password="$(conn_value 'password|pwd' "$SAME_REPORTS_MYSQL")"
fi
my_sql() {
    MYSQL_PWD="$my_password" mariadb --no-defaults -h "${my_host:-127.0.0.1}" -P "${my_port:-3306}" -u "$my_user" --batch --skip-column-names -e "$1"
}
mysql_connection() { # database
    local rest
    rest="$(tr ';' '\n' <<<"$SAME_REPORTS_MYSQL" | grep -v -i -E '^[[:space:]]*(database|initial catalog)[[:space:]]*=' | grep -v '^[[:space:]]*$' | paste -sd ';')"
    echo "$rest;Database=$1;AllowLoadLocalInfile=true"
}

# --- The two binaries --------------------------------------------------------------------------

build_cli() { # source root, label
    log "building $2 (Release)"
    BUILD_ROOT="$1" build "$WORK/build-$2.log" src/StoreMonitoring.Cli
    [ -x "$1/artifacts/bin/StoreMonitoring.Cli/release/storemon" ] || die "no storemon apphost after the $2 build"
}

mkdir -p "$WORK/base-src"
git -C "$ROOT" archive --format=tar "$base_commit" | tar -x -C "$WORK/base-src"
build_cli "$WORK/base-src" base
build_cli "$ROOT" current
declare -A CLI=([base]="$WORK/base-src/artifacts/bin/StoreMonitoring.Cli/release/storemon" [current]="$ROOT/artifacts/bin/StoreMonitoring.Cli/release/storemon")

# --- Data sets ---------------------------------------------------------------------------------

declare -A DATA=([sample]="$ROOT/data" [generated]="$WORK/generated")
datasets=(sample generated)
log "generating 3,678 stores x 21 days (seed 7)"
"${CLI[current]}" generate --stores 3678 --days 21 --seed 7 --out "${DATA[generated]}" >"$WORK/generate.log" 2>&1 \
    || { cat "$WORK/generate.log" >&2; die "generate failed"; }

# An explicit now inside the data: 3 days, 5 hours and 17 minutes before its latest poll (the
# timestamps are 'YYYY-MM-DD HH:MM:SS[.ffffff] UTC', so the largest string is the latest).
explicit_now() { # data dir
    local latest
    latest="$(awk -F, 'NR > 1 && substr($3, 1, 19) > m { m = substr($3, 1, 19) } END { print m }' "$1/store_status.csv")"
    [ -n "$latest" ] || die "no timestamps in $1/store_status.csv"
    date -u -d "$latest UTC 77 hours ago 17 minutes ago" '+%Y-%m-%dT%H:%M:%SZ'
}
declare -A NOW
for ds in "${datasets[@]}"; do
    NOW[$ds]="$(explicit_now "${DATA[$ds]}")"
done

# --- Import with each binary, report, compare --------------------------------------------------

rows=()
failed=0
declare -A PROVIDER CONNECTION
# Runs one binary on one database: side, key (engine-data-side), arguments...
storemon() {
    local side="$1" key="$2"
    shift 2
    # From its own folder, so nothing relative (appsettings.json, ./storemonitoring.db) comes in.
    env -C "$WORK/$key" "StoreMonitoring__Database__Provider=${PROVIDER[$key]}" "ConnectionStrings__StoreMonitoring=${CONNECTION[$key]}" \
        "${CLI[$side]}" "$@"
}
for engine in "${engine_list[@]}"; do
    for ds in "${datasets[@]}"; do
        for side in base current; do
            key="$engine-$ds-$side"
            mkdir -p "$WORK/$key"
            if [ "$engine" = sqlite ]; then
                PROVIDER[$key]=sqlite
                CONNECTION[$key]="Data Source=$WORK/$key/storemonitoring.db"
            else
                db="storemon_same_$$_${ds}_$side"
                mysql_databases+=("$db")
                my_sql "DROP DATABASE IF EXISTS \`$db\`; CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                PROVIDER[$key]=mysql
                CONNECTION[$key]="$(mysql_connection "$db")"
                storemon "$side" "$key" migrate >"$WORK/$key/migrate.log" 2>&1 || { cat "$WORK/$key/migrate.log" >&2; die "$side migrate on $engine failed"; }
            fi
            log "[$engine/$ds] $side: import"
            storemon "$side" "$key" import "${DATA[$ds]}" >"$WORK/$key/import.log" 2>&1 \
                || { cat "$WORK/$key/import.log" >&2; die "$side import of $ds on $engine failed"; }
        done

        log "[$engine/$ds] reports"
        for method in interpolated ratio; do
            for columns in default extended; do
                for now in default "${NOW[$ds]}"; do
                    name="$method-$columns-${now//:/}"
                    result=PASS
                    for side in base current; do
                        key="$engine-$ds-$side"
                        args=(report --method "$method" --columns "$columns" --out "$WORK/$key/$name.csv")
                        [ "$now" = default ] || args+=(--now "$now")
                        if ! storemon "$side" "$key" "${args[@]}" >"$WORK/$key/$name.log" 2>&1; then
                            log "[$engine/$ds] $side report $name failed:"
                            tail -n 5 "$WORK/$key/$name.log" >&2
                            result="FAIL ($side failed)"
                        fi
                    done
                    a="$WORK/$engine-$ds-base/$name.csv"
                    b="$WORK/$engine-$ds-current/$name.csv"
                    stores=-
                    if [ "$result" = PASS ]; then
                        stores=$(($(wc -l <"$b") - 1))
                        if ! cmp -s "$a" "$b"; then
                            result=FAIL
                            log "[$engine/$ds] $name differs: $(cmp "$a" "$b" 2>&1 | head -n 1)"
                            diff "$a" "$b" | head -n 6 >&2 || true
                        elif [ "$stores" -le 0 ]; then
                            result="FAIL (empty report)"
                        fi
                    fi
                    [ "$result" = PASS ] || failed=1
                    rows+=("| $ds | $engine | $method | $columns | $now | $stores | $result |")
                done
            done
        done
    done
done

echo
echo "Reports of $base_rev ($(git -C "$ROOT" rev-parse --short "$base_commit")) against the working tree ($current), compared with cmp:"
echo
echo "| data | engine | method | columns | now | stores | result |"
echo "|---|---|---|---|---|---:|---|"
printf '%s\n' "${rows[@]}"
echo
total=${#rows[@]}
fails=$(printf '%s\n' "${rows[@]}" | grep -c 'FAIL' || true)
if [ "$failed" -eq 0 ]; then
    echo "PASS: all $total reports are byte-identical"
else
    echo "FAIL: $fails of $total reports differ or failed"
fi
exit "$failed"
