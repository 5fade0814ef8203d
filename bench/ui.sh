#!/usr/bin/env bash
# The dashboard at real scale: time from navigation to a drawn page, and bytes transferred, for the
# overview and a store page, in Debian's Chromium against the real service (the console program
# bench/StoreMonitoring.UiBench, on the dashboard tests' host). Prints a markdown table.
#   bash bench/ui.sh                 # 3,678 stores, 21 days, SQLite
#   STOREMON_UI_BENCH_STORES=500 bash bench/ui.sh
#   STOREMON_UI_BENCH_ENGINE=mariadb STOREMON_TEST_MYSQL=... bash bench/ui.sh
set -euo pipefail
BENCH_NAME=ui
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
build_log=$(mktemp /tmp/ui-bench-build.XXXXXX.log)
build "$build_log" bench/StoreMonitoring.UiBench
rm -f "$build_log"
dotnet artifacts/bin/StoreMonitoring.UiBench/release/StoreMonitoring.UiBench.dll
