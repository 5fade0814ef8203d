#!/usr/bin/env bash
# Raw write throughput of a store_status-shaped table through the mariadb client only (no C#): a single
# MariaDB against the Galera cluster of .ci/galera.sh. Prints one markdown row per run.
#
# Usage: bash bench/galera-bench.sh NAME:PORT [NAME:PORT...]
#   e.g. bash bench/galera-bench.sh single:3314 galera:3311   (each server must already run)
#
# Environment:
#   BENCH_DIR     generated data and chunk files (default /tmp/galera-bench)
#   BENCH_HOURS   polls per store, one an hour (default 520: 3,678 stores x 520 = 1,912,560 rows, the
#                 size of the real-scale import)
#   BENCH_MODES   which runs (default: load-10k load-50k load-100k load-250k insert-10k one-txn)
#   BENCH_PEERS   for a Galera target, the other nodes' ports: after the writes, the time until the last
#                 node has applied them is measured there too (default 3312 3313 when PORT is 3311)
#
# Modes: load-N = LOAD DATA LOCAL INFILE, N rows per statement, each statement its own transaction (chunks
# sorted by primary key, as the importer sends them; load-all = the whole file in one statement); insert-10k = multi-row INSERTs of 10k rows, one
# transaction each; one-txn = the 250k-row LOAD DATA chunks inside one transaction (the importer's shape:
# the whole file commits at once).
set -euo pipefail
BENCH_NAME=galera-bench
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

DIR="${BENCH_DIR:-/tmp/galera-bench}"
HOURS="${BENCH_HOURS:-520}"
STORES=3678
MODES="${BENCH_MODES:-load-10k load-50k load-100k load-250k insert-10k one-txn}"

mkdir -p "$DIR"
DATA="$DIR/status-$HOURS.tsv"
if [ ! -f "$DATA" ]; then
    # Time order, as the status exports come: every store polled once an hour at its own minute.
    awk -v hours="$HOURS" -v stores="$STORES" 'BEGIN {
        srand(1); t0 = 1729000000 * 1000000
        for (h = 0; h < hours; h++)
            for (s = 1; s <= stores; s++)
                printf "%d\t%d\t%d\n", s, t0 + h * 3600000000 + (s * 7919 % 3600) * 1000000 + int(rand() * 1000000), (rand() < 0.9)
    }' > "$DATA"
fi
ROWS=$(wc -l < "$DATA")

# Chunk files of N rows, each sorted by (store_key, observed_at_us) as the importer sorts its chunks.
chunks() {
    local n=$1 out="$DIR/chunks-$HOURS-$1"
    if [ ! -d "$out" ]; then
        mkdir -p "$out.tmp"
        split -l "$n" -d -a 4 "$DATA" "$out.tmp/c"
        for f in "$out.tmp"/c*; do sort -n -k1,1 -k2,2 -o "$f" "$f"; done
        mv "$out.tmp" "$out"
    fi
    echo "$out"
}

load_script() {
    local dir=$1 f
    for f in "$dir"/c*; do
        # shellcheck disable=SC2028 # the \t is for MariaDB's parser, not the shell
        echo "LOAD DATA LOCAL INFILE '$f' IGNORE INTO TABLE bench_status FIELDS TERMINATED BY '\t' (store_key, observed_at_us, active);"
    done
}

insert_script() {
    local file="$DIR/insert-$HOURS-10k.sql"
    if [ ! -f "$file" ]; then
        awk 'NR % 10000 == 1 { if (NR > 1) print ";"; printf "INSERT INTO bench_status (store_key, observed_at_us, active) VALUES (%s,%s,%s)", $1, $2, $3; next }
             { printf ",(%s,%s,%s)", $1, $2, $3 }
             END { print ";" }' "$DATA" > "$file"
    fi
    cat "$file"
}

client() {
    mariadb --no-defaults -h127.0.0.1 -P"$1" -ustoremon -pstoremon --local-infile=1 storemon --batch --skip-column-names "${@:2}"
}

echo "| target | mode | rows | write s | rows/s | all nodes s | load avg |"
echo "|---|---|---:|---:|---:|---:|---:|"
for target in "$@"; do
    name="${target%%:*}"
    port="${target##*:}"
    peers="${BENCH_PEERS:-}"
    if [ -z "$peers" ] && [ "$port" = 3311 ]; then peers="3312 3313"; fi
    for mode in $MODES; do
        client "$port" -e "DROP TABLE IF EXISTS bench_status;
            CREATE TABLE bench_status (store_key INT NOT NULL, observed_at_us BIGINT NOT NULL, active TINYINT NOT NULL,
                PRIMARY KEY (store_key, observed_at_us)) ENGINE=InnoDB;"
        case "$mode" in
            load-10k) script="$(load_script "$(chunks 10000)")" ;;
            load-50k) script="$(load_script "$(chunks 50000)")" ;;
            load-100k) script="$(load_script "$(chunks 100000)")" ;;
            load-250k) script="$(load_script "$(chunks 250000)")" ;;
            load-all) script="$(load_script "$(chunks "$ROWS")")" ;;
            insert-10k) script="$(insert_script)" ;;
            one-txn) script="START TRANSACTION; $(load_script "$(chunks 250000)") COMMIT;" ;;
            *) echo "unknown mode $mode" >&2; exit 2 ;;
        esac
        sleep 2
        load="$(cut -d' ' -f1 /proc/loadavg)"
        start="$(now)"
        echo "$script" | client "$port" --max-allowed-packet=256M
        written="$(now)"
        # A peer has the rows once its wsrep_last_committed reaches the writer's (a read with wsrep_sync_wait
        # would do too, but gives up after repl.causal_read_timeout, 30 s, behind a big transaction).
        if [ -n "$peers" ]; then
            seqno="$(client "$port" -e "SHOW GLOBAL STATUS LIKE 'wsrep_last_committed'" | cut -f2)"
            for peer in $peers; do
                waited=0
                until [ "$(client "$peer" -e "SHOW GLOBAL STATUS LIKE 'wsrep_last_committed'" | cut -f2)" -ge "$seqno" ]; do
                    [ "$waited" -lt 6000 ] || { echo "$name $mode: node on $peer still behind after 600 s" >&2; exit 1; }
                    sleep 0.1
                    waited=$((waited + 1))
                done
            done
        fi
        applied="$(now)"
        for peer in "$port" $peers; do
            count="$(client "$peer" -e "SELECT COUNT(*) FROM bench_status")"
            [ "$count" = "$ROWS" ] || { echo "$name $mode: node on $peer has $count rows" >&2; exit 1; }
        done
        awk -v n="$name" -v m="$mode" -v r="$ROWS" -v s="$start" -v w="$written" -v a="$applied" -v l="$load" -v p="$peers" \
            'BEGIN { printf "| %s | %s | %d | %.2f | %d | %s | %s |\n", n, m, r, w - s, r / (w - s), (p == "" ? "-" : sprintf("%.2f", a - s)), l }'
    done
    client "$port" -e "DROP TABLE IF EXISTS bench_status"
done
