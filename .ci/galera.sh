#!/usr/bin/env bash
# Starts a private three-node MariaDB Galera cluster for tests and benchmarks: no systemd, no Docker,
# every node on 127.0.0.1 with its own data directory and ports.
# Usage: .ci/galera.sh start|stop|status|wait-synced|kill-node N|restart-node N
#
#   start           bootstraps the cluster (or completes it: starts the nodes that are down), creates
#                   the storemon database and user, and prints one connection string per node. A
#                   cluster whose nodes all stopped or crashed restarts from its most advanced node
#                   (grastate.dat, or --wsrep-recover after a crash), so no committed row is lost
#   stop            stops every node cleanly, the last one stopped being the next bootstrap node
#   status          one line per node, then the running nodes' connection strings; exits 1 unless
#                   all three nodes run
#   wait-synced     waits until all three nodes run, are Synced, see a cluster of three and have
#                   applied everything committed when they got there
#   kill-node N     kill -9 the server of node N (a crash, for failure tests)
#   restart-node N  stops node N cleanly if it runs, starts it again (after a crash, from the position
#                   InnoDB recovers) and waits until it has rejoined (IST from a peer's gcache, or a
#                   full rsync SST if it missed more than that) and is Synced
#
# Environment:
#   GALERA_DIR              one folder per node: data, socket, pid, config and log (default /tmp/storemon-galera)
#   GALERA_BASE_PORT        SQL port of node 1 on 127.0.0.1; node N listens on +N-1 (default 3311)
#   GALERA_GROUP_BASE_PORT  group port of node 1; node N uses +10*(N-1), its IST port is group+1 and its
#                           SST (rsync) port group+2 (default 4567)
#   GALERA_BUFFER_POOL      InnoDB buffer pool size of each node (default 256M, so three fit)
#   GALERA_GCACHE_SIZE      write-set cache of each node: how much a crashed node may miss and still
#                           rejoin by IST instead of a full SST (default 512M)
#   GALERA_READY_TIMEOUT    seconds a node may take to start, join and sync (default 300: an SST copies
#                           the whole data directory)
set -euo pipefail

DIR="${GALERA_DIR:-/tmp/storemon-galera}"
BASE_PORT="${GALERA_BASE_PORT:-3311}"
GROUP_BASE_PORT="${GALERA_GROUP_BASE_PORT:-4567}"
BUFFER_POOL="${GALERA_BUFFER_POOL:-256M}"
GCACHE_SIZE="${GALERA_GCACHE_SIZE:-512M}"
READY_TIMEOUT="${GALERA_READY_TIMEOUT:-300}"
NODES=3
PROVIDER=/usr/lib/galera/libgalera_smm.so
DB_USER=storemon
DB_PASSWORD=storemon
DB_NAME=storemon

CI_NAME=galera.sh
# shellcheck source=.ci/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

node_dir() { echo "$DIR/node$1"; }
node_data() { echo "$DIR/node$1/data"; }
node_socket() { echo "$DIR/node$1/mysqld.sock"; }
node_pid_file() { echo "$DIR/node$1/mysqld.pid"; }
node_log() { echo "$DIR/node$1/error.log"; }
node_cnf() { echo "$DIR/node$1/my.cnf"; }
sql_port() { echo $((BASE_PORT + $1 - 1)); }
group_port() { echo $((GROUP_BASE_PORT + 10 * ($1 - 1))); }

connection_string() {
    echo "Server=127.0.0.1;Port=$(sql_port "$1");User ID=$DB_USER;Password=$DB_PASSWORD;Database=$DB_NAME;AllowLoadLocalInfile=true"
}

check_node_number() {
    if ! [[ "${1:-}" =~ ^[1-9][0-9]*$ ]] || [ "$1" -gt "$NODES" ]; then
        echo "usage: $0 kill-node|restart-node N (N from 1 to $NODES)" >&2
        exit 2
    fi
}

ensure_installed() {
    if [ -x /usr/sbin/mariadbd ] && [ -f "$PROVIDER" ] && command -v rsync >/dev/null 2>&1; then
        return
    fi
    log "installing mariadb-server, galera-4 and rsync"
    apt_install mariadb-server mariadb-client galera-4 rsync
}

node_pid() {
    local pid_file pid
    pid_file="$(node_pid_file "$1")"
    if as_root test -f "$pid_file"; then
        pid="$(as_root cat "$pid_file" 2>/dev/null || true)"
        if [ -n "$pid" ] && as_root kill -0 "$pid" 2>/dev/null; then
            echo "$pid"
            return 0
        fi
    fi
    return 1
}

ping_node() {
    as_root mariadb-admin --no-defaults --socket="$(node_socket "$1")" --user=root ping >/dev/null 2>&1
}

sql() {
    as_root mariadb --no-defaults --socket="$(node_socket "$1")" --user=root --batch --skip-column-names -e "$2"
}

# Prints a wsrep status variable of a node, or nothing when the node does not answer.
wsrep_status() {
    sql "$1" "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | cut -f2 || true
}

write_config() {
    local n=$1 group
    group="$(group_port "$n")"
    local members=()
    for ((m = 1; m <= NODES; m++)); do members+=("127.0.0.1:$(group_port "$m")"); done
    local address
    address="gcomm://$(IFS=,; echo "${members[*]}")"
    # A file rather than flags: the SST scripts read the node's settings back from it.
    # Tuned for throwaway test and benchmark data, not durability: no fsync per commit and no
    # doublewrite buffer; the cluster's copies are the durability here. The log is still written to the
    # OS at each commit (flush at commit 2, not 0), so a node killed with kill -9 keeps its commits and
    # a cluster whose nodes were all killed loses nothing.
    as_root tee "$(node_cnf "$n")" >/dev/null <<EOF
[mysqld]
user = mysql
datadir = $(node_data "$n")
socket = $(node_socket "$n")
pid-file = $(node_pid_file "$n")
log-error = $(node_log "$n")
port = $(sql_port "$n")
bind-address = 127.0.0.1
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_bin
local-infile = 1
max-connections = 500
max-allowed-packet = 256M
default-storage-engine = InnoDB
innodb-buffer-pool-size = $BUFFER_POOL
innodb-log-file-size = 256M
innodb-flush-log-at-trx-commit = 2
innodb-doublewrite = 0
innodb-autoinc-lock-mode = 2
binlog-format = ROW

wsrep-on = ON
wsrep-provider = $PROVIDER
wsrep-cluster-name = storemon
wsrep-cluster-address = $address
wsrep-node-name = node$n
wsrep-node-address = 127.0.0.1:$group
wsrep-node-incoming-address = 127.0.0.1:$(sql_port "$n")
wsrep-provider-options = "gmcast.listen_addr=tcp://127.0.0.1:$group;ist.recv_addr=127.0.0.1:$((group + 1));gcache.size=$GCACHE_SIZE"
wsrep-sst-method = rsync
wsrep-sst-receive-address = 127.0.0.1:$((group + 2))
wsrep-slave-threads = 2

[client]
socket = $(node_socket "$n")
EOF
    as_root chown mysql:mysql "$(node_cnf "$n")"
}

prepare_node() {
    local n=$1 data
    data="$(node_data "$n")"
    as_root mkdir -p "$data"
    write_config "$n"
    as_root chown -R mysql:mysql "$(node_dir "$n")"
    as_root rm -f "$(node_socket "$n")" "$(node_pid_file "$n")"
}

initialise_node() {
    local n=$1 data output
    data="$(node_data "$n")"
    log "initialising $data"
    if ! output="$(as_root mariadb-install-db --no-defaults --user=mysql --datadir="$data" \
        --auth-root-authentication-method=socket --skip-test-db 2>&1)"; then
        echo "$output" >&2
        exit 1
    fi
    as_root chown -R mysql:mysql "$data"
}

fail_with_log() {
    log "$2; error log of node $1:"
    as_root tail -n 50 "$(node_log "$1")" >&2 || true
    exit 1
}

# Launches node N (extra mariadbd flags after N) and waits until it is Synced. setsid detaches the server
# from this shell's process group, so it outlives the caller; with --wait the launched process lives
# exactly as long as the server, which tells a server that failed (port taken, SST refused) from one
# still starting or still receiving its snapshot.
launch_node() {
    local n=$1
    shift
    prepare_node "$n"
    # After a crash grastate.dat says seqno -1: without the position recovered from InnoDB the node
    # would start a new history (bootstrap) or ask for a full SST instead of an IST (joiner).
    local recovered
    recovered="$(node_dir "$n")/recovered-position"
    if [ "$(grastate "$n" seqno)" = "-1" ]; then
        as_root test -f "$recovered" || last_seqno "$n" >/dev/null
        if as_root test -f "$recovered"; then set -- "$@" "--wsrep-start-position=$(as_root cat "$recovered")"; fi
    fi
    as_root rm -f "$recovered"
    log "starting node $n on 127.0.0.1:$(sql_port "$n") (group port $(group_port "$n"))${1:+ with $*}"
    as_root setsid --wait mariadbd --defaults-file="$(node_cnf "$n")" "$@" </dev/null >/dev/null 2>&1 &
    local launcher=$! waited=0 state ready
    while :; do
        if ping_node "$n"; then
            state="$(wsrep_status "$n" wsrep_local_state_comment)"
            ready="$(wsrep_status "$n" wsrep_ready)"
            [ "$state" = Synced ] && [ "$ready" = ON ] && break
        fi
        [ -d "/proc/$launcher" ] || fail_with_log "$n" "mariadbd exited during start-up"
        [ "$waited" -lt $((READY_TIMEOUT * 10)) ] ||
            fail_with_log "$n" "not Synced after ${READY_TIMEOUT}s (state '${state:-no answer}')"
        sleep 0.1
        waited=$((waited + 1))
    done
    log "node $n Synced in $((waited / 10)).$((waited % 10)) s"
}

# Reads "key: value" from a node's grastate.dat.
grastate() {
    as_root sed -n "s/^$2:[[:space:]]*//p" "$(node_data "$1")/grastate.dat" 2>/dev/null || true
}

# The last committed seqno of a stopped node: grastate.dat has it after a clean shutdown; after a crash it
# says -1, and the server recovers the position from InnoDB with --wsrep-recover.
last_seqno() {
    local n=$1 seqno recover_log
    seqno="$(grastate "$n" seqno)"
    if [ "$seqno" = "-1" ]; then
        recover_log="$(node_dir "$n")/recover.log"
        prepare_node "$n"
        as_root rm -f "$recover_log" "$(node_dir "$n")/recovered-position"
        as_root mariadbd --defaults-file="$(node_cnf "$n")" --wsrep-recover --log-error="$recover_log" \
            </dev/null >/dev/null 2>&1 || true
        local position
        position="$(as_root sed -n 's/.*WSREP: Recovered position: \([^ ]*\).*/\1/p' "$recover_log" \
            2>/dev/null | tail -n 1)"
        seqno="${position##*:}"
        # mariadbd alone does not read back what --wsrep-recover found (mysqld_safe passes it on):
        # launch_node does.
        [ -z "$position" ] || echo "$position" | as_root tee "$(node_dir "$n")/recovered-position" >/dev/null
    fi
    echo "${seqno:--1}"
}

# The node to bootstrap a stopped cluster from: the most advanced one (highest seqno), and among equals the
# one Galera marked safe_to_bootstrap (the last to leave), then the lowest number. Starting from a node that
# is behind would throw away the transactions only the others had.
bootstrap_node() {
    local best=0 best_seqno=-2 best_safe=0 n seqno safe
    for ((n = 1; n <= NODES; n++)); do
        as_root test -f "$(node_data "$n")/grastate.dat" || continue
        seqno="$(last_seqno "$n")"
        safe="$(grastate "$n" safe_to_bootstrap)"
        log "node $n: seqno $seqno, safe_to_bootstrap ${safe:-0}"
        if [ "$seqno" -gt "$best_seqno" ] || { [ "$seqno" -eq "$best_seqno" ] && [ "${safe:-0}" = 1 ] && [ "$best_safe" != 1 ]; }; then
            best=$n best_seqno=$seqno best_safe="${safe:-0}"
        fi
    done
    if [ "$best" -eq 0 ]; then
        # Never started as a cluster: node 1 holds the initial data, the others receive it by SST.
        as_root test -d "$(node_data 1)/mysql" || { prepare_node 1; initialise_node 1; }
        best=1
    elif [ "$best_safe" != 1 ]; then
        # Galera refuses --wsrep-new-cluster on a node not marked safe (it may be behind); this one was
        # chosen because it is not.
        log "marking node $best safe to bootstrap"
        as_root sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$(node_data "$best")/grastate.dat"
    fi
    echo "$best"
}

running_nodes() {
    local n
    for ((n = 1; n <= NODES; n++)); do
        if node_pid "$n" >/dev/null; then echo "$n"; fi
    done
}

# A running node that belongs to the primary component, which a joining node can take its state from.
primary_node() {
    local n
    for n in $(running_nodes); do
        if [ "$(wsrep_status "$n" wsrep_cluster_status)" = Primary ]; then
            echo "$n"
            return 0
        fi
    done
    return 1
}

last_committed_all() {
    local n value
    for ((n = 1; n <= NODES; n++)); do
        value="$(wsrep_status "$n" wsrep_last_committed)"
        echo "${value:-0}"
    done
}
max_last_committed() { last_committed_all | sort -n | tail -n 1; }
min_last_committed() { last_committed_all | sort -n | head -n 1; }

wait_synced() {
    local waited=0 n all target=""
    while :; do
        all=1
        for ((n = 1; n <= NODES; n++)); do
            if ! node_pid "$n" >/dev/null; then
                fail_with_log "$n" "node $n is not running"
            fi
            if [ "$(wsrep_status "$n" wsrep_local_state_comment)" != Synced ] ||
                [ "$(wsrep_status "$n" wsrep_cluster_size)" != "$NODES" ]; then
                all=0
                break
            fi
        done
        if [ "$all" = 1 ]; then
            # Synced means in the group and following it, not caught up: a node back from a crash may
            # still be applying what it missed. Wait until every node has applied what the most advanced
            # one had committed, so that a plain read sees the same rows on every node.
            [ -n "$target" ] || target="$(max_last_committed)"
            [ "$(min_last_committed)" -lt "$target" ] || break
        fi
        if [ "$waited" -ge $((READY_TIMEOUT * 10)) ]; then
            log "cluster not Synced with $NODES nodes after ${READY_TIMEOUT}s"
            status >&2 || true
            exit 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
}

ensure_database() {
    # Created on one node, replicated to the others (DDL and account statements replicate in Galera).
    # Tests create one database per test class (storemon_test_...): the grant on the `storemon%`
    # pattern covers them, so they need no root access.
    sql "$1" "
        CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
        CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
        CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
        GRANT ALL PRIVILEGES ON \`storemon%\`.* TO '$DB_USER'@'127.0.0.1';
        GRANT ALL PRIVILEGES ON \`storemon%\`.* TO '$DB_USER'@'localhost';
        FLUSH PRIVILEGES;"
}

start() {
    ensure_installed
    if ! id mysql >/dev/null 2>&1; then
        log "no 'mysql' user: install mariadb-server from Debian's packages"
        exit 1
    fi
    as_root mkdir -p "$DIR"
    as_root chown mysql:mysql "$DIR"

    local n
    if [ -z "$(running_nodes)" ]; then
        local first
        first="$(bootstrap_node)"
        launch_node "$first" --wsrep-new-cluster
    elif ! primary_node >/dev/null; then
        log "nodes $(running_nodes | tr '\n' ' ')run but none is in the primary component; run stop, then start"
        exit 1
    fi
    for ((n = 1; n <= NODES; n++)); do
        if ! node_pid "$n" >/dev/null; then launch_node "$n"; fi
    done
    wait_synced
    ensure_database 1
    for ((n = 1; n <= NODES; n++)); do connection_string "$n"; done
}

stop_node() {
    local n=$1 pid waited=0
    if ! pid="$(node_pid "$n")"; then
        return
    fi
    as_root mariadb-admin --no-defaults --socket="$(node_socket "$n")" --user=root shutdown 2>/dev/null ||
        as_root kill "$pid"
    while as_root kill -0 "$pid" 2>/dev/null; do
        if [ "$waited" -ge 600 ]; then
            log "node $n (pid $pid) still running after 60 s"
            exit 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    log "node $n stopped"
}

stop() {
    if [ -z "$(running_nodes)" ]; then
        log "not running"
        return
    fi
    # One at a time, highest number first: node 1 leaves last, so Galera marks it safe to bootstrap.
    local n
    for ((n = NODES; n >= 1; n--)); do stop_node "$n"; done
}

kill_node() {
    local n=$1 pid
    if ! pid="$(node_pid "$n")"; then
        log "node $n is not running"
        return
    fi
    as_root kill -9 "$pid"
    while as_root kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    log "node $n killed (pid $pid)"
}

restart_node() {
    local n=$1 others=0 m
    for m in $(running_nodes); do [ "$m" = "$n" ] || others=1; done
    if [ "$others" = 0 ]; then
        log "no other node runs for node $n to join: use start"
        exit 1
    fi
    stop_node "$n"
    primary_node >/dev/null || { log "no running node is in the primary component"; exit 1; }
    launch_node "$n"
}

status() {
    local n pid all=0
    for ((n = 1; n <= NODES; n++)); do
        if pid="$(node_pid "$n")" && ping_node "$n"; then
            echo "node $n: running, pid $pid, 127.0.0.1:$(sql_port "$n"), $(wsrep_status "$n" wsrep_local_state_comment)," \
                "cluster size $(wsrep_status "$n" wsrep_cluster_size), $(wsrep_status "$n" wsrep_cluster_status)," \
                "data $(node_data "$n")"
        else
            echo "node $n: not running"
            all=1
        fi
    done
    for n in $(running_nodes); do connection_string "$n"; done
    return "$all"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    wait-synced) wait_synced; log "all $NODES nodes Synced" ;;
    kill-node) check_node_number "${2:-}"; kill_node "$2" ;;
    restart-node) check_node_number "${2:-}"; restart_node "$2" ;;
    *) echo "usage: $0 start|stop|status|wait-synced|kill-node N|restart-node N" >&2; exit 2 ;;
esac
