#!/usr/bin/env bash
# The dashboard at real scale: time from navigation to a drawn page, and bytes transferred, for the
# overview and a store page, in Debian's Chromium against the real service (see
# tests/StoreMonitoring.Tests/Ui/DashboardBenchmark.cs). Prints a markdown table.
#   bash bench/ui.sh                 # 3,678 stores, 21 days, SQLite
#   STOREMON_UI_BENCH_STORES=500 bash bench/ui.sh
#   STOREMON_UI_BENCH_ENGINE=mariadb STOREMON_TEST_MYSQL=... bash bench/ui.sh
set -euo pipefail
BENCH_NAME=ui
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
out=$(mktemp /tmp/ui-bench.XXXXXX.md)
STOREMON_UI_BENCH=1 STOREMON_UI_BENCH_OUT="$out" \
  dotnet test --project tests/StoreMonitoring.Tests -c Release -- --filter-class '*DashboardBenchmark' >&2
cat "$out"
rm -f "$out"
