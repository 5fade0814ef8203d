#!/usr/bin/env bash
# Starts a private MariaDB for tests, benchmarks and local development: no systemd, no Docker, its
# own data directory, bound to 127.0.0.1 only. Usage: .ci/mariadb.sh start|stop|status
#
# Environment:
#   MARIADB_DIR   data, socket, pid and log files (default /tmp/storemon-mariadb)
#   MARIADB_PORT  TCP port on 127.0.0.1 (default 3307, so a system MySQL on 3306 is left alone)
#   MARIADB_BUFFER_POOL  InnoDB buffer pool size (default 1G)
set -euo pipefail

DIR="${MARIADB_DIR:-/tmp/storemon-mariadb}"
PORT="${MARIADB_PORT:-3307}"
BUFFER_POOL="${MARIADB_BUFFER_POOL:-1G}"
DATA="$DIR/data"
SOCKET="$DIR/mysqld.sock"
PID_FILE="$DIR/mysqld.pid"
LOG="$DIR/error.log"
DB_USER=storemon
DB_PASSWORD=storemon
DB_NAME=storemon
READY_TIMEOUT="${MARIADB_READY_TIMEOUT:-60}"

connection_string() {
    echo "Server=127.0.0.1;Port=$PORT;User ID=$DB_USER;Password=$DB_PASSWORD;Database=$DB_NAME;AllowLoadLocalInfile=true"
}

CI_NAME=mariadb.sh
# shellcheck source=.ci/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_installed() {
    if command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; then
        return
    fi
    log "installing mariadb-server"
    apt_install mariadb-server mariadb-client
}

server_pid() {
    # The files and the process belong to mysql: a non-root caller looks at them through sudo.
    if as_root test -f "$PID_FILE"; then
        local pid
        pid="$(as_root cat "$PID_FILE" 2>/dev/null || true)"
        if [ -n "$pid" ] && as_root kill -0 "$pid" 2>/dev/null; then
            echo "$pid"
            return 0
        fi
    fi
    return 1
}

ping_server() {
    as_root mariadb-admin --no-defaults --socket="$SOCKET" --user=root ping >/dev/null 2>&1
}

sql() {
    as_root mariadb --no-defaults --socket="$SOCKET" --user=root --batch --skip-column-names -e "$1"
}

ensure_database() {
    # Tests create one database per test class (storemon_test_...): the grant on the `storemon%`
    # pattern covers them, so they need no root access.
    sql "
        CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
        CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
        CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
        GRANT ALL PRIVILEGES ON \`storemon%\`.* TO '$DB_USER'@'127.0.0.1';
        GRANT ALL PRIVILEGES ON \`storemon%\`.* TO '$DB_USER'@'localhost';
        FLUSH PRIVILEGES;"
}

start() {
    ensure_installed
    as_root mkdir -p "$DIR"
    if server_pid >/dev/null; then
        log "already running (pid $(server_pid)), socket $SOCKET"
        ensure_database
        connection_string
        return
    fi

    if ! id mysql >/dev/null 2>&1; then
        log "no 'mysql' user: install mariadb-server from Debian's packages"
        exit 1
    fi
    as_root chown mysql:mysql "$DIR"
    if [ ! -d "$DATA/mysql" ]; then
        log "initialising $DATA"
        as_root mkdir -p "$DATA"
        as_root chown mysql:mysql "$DATA"
        local output
        if ! output="$(as_root mariadb-install-db --no-defaults --user=mysql --datadir="$DATA" \
            --auth-root-authentication-method=socket --skip-test-db 2>&1)"; then
            echo "$output" >&2
            exit 1
        fi
    fi
    as_root chown -R mysql:mysql "$DIR"
    as_root rm -f "$SOCKET" "$PID_FILE"

    # Tuned for throwaway test and benchmark data, not durability: no fsync per commit and no
    # doublewrite buffer (a crash may lose the last second; acceptable for tests, not production).
    # setsid detaches the server from this shell's process group, so it outlives the caller; with
    # --wait the launched process lives exactly as long as the server, which tells a server that
    # failed to start (port taken, bad flag) from one still starting.
    log "starting mariadbd on 127.0.0.1:$PORT (data $DATA)"
    as_root setsid --wait mariadbd --no-defaults --user=mysql \
        --datadir="$DATA" --socket="$SOCKET" --port="$PORT" --bind-address=127.0.0.1 \
        --pid-file="$PID_FILE" --log-error="$LOG" \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
        --innodb-buffer-pool-size="$BUFFER_POOL" --innodb-log-file-size=512M \
        --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
        --local-infile=1 --max-connections=500 --max-allowed-packet=256M \
        --skip-name-resolve \
        </dev/null >/dev/null 2>&1 &
    local launcher=$!

    local waited=0
    until ping_server; do
        if [ ! -d "/proc/$launcher" ]; then
            log "mariadbd exited during start-up; error log:"
            as_root tail -n 50 "$LOG" >&2 || true
            exit 1
        fi
        if [ "$waited" -ge $((READY_TIMEOUT * 10)) ]; then
            log "not ready after ${READY_TIMEOUT}s; error log:"
            as_root tail -n 50 "$LOG" >&2 || true
            exit 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    log "ready in $((waited / 10)).$((waited % 10)) s"
    ensure_database
    connection_string
}

stop() {
    local pid
    if ! pid="$(server_pid)"; then
        log "not running"
        return
    fi
    as_root mariadb-admin --no-defaults --socket="$SOCKET" --user=root shutdown || as_root kill "$pid"
    local waited=0
    while as_root kill -0 "$pid" 2>/dev/null; do
        if [ "$waited" -ge 600 ]; then
            log "pid $pid still running after 60 s"
            exit 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    log "stopped"
}

status() {
    local pid
    if pid="$(server_pid)" && ping_server; then
        echo "running: pid $pid, 127.0.0.1:$PORT, socket $SOCKET, data $DATA"
        connection_string
    else
        echo "not running"
        return 1
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
