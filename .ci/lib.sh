# Shell helpers both CI server scripts share (mariadb.sh, galera.sh); sourced, not run.
# Each script sets CI_NAME (its messages' prefix) before sourcing.
# shellcheck shell=bash

log() { echo "${CI_NAME:-ci}: $*" >&2; }
die() { log "$*"; exit 1; }

# Runs as root: apt-get needs it, and root reaches the servers through their sockets without a password.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install PACKAGE...: refreshes the package lists only when needed (a fresh container has
# none; stale ones point at files the mirror no longer has): an update costs time and network.
apt_install() {
    local install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@")
    if ! apt-cache show "$@" >/dev/null 2>&1 || ! as_root "${install[@]}" >&2; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        as_root "${install[@]}" >&2
    fi
}
