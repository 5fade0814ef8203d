#!/usr/bin/env bash
# Regenerates docs/overview.png and docs/store.png: the dashboard on the shipped sample data (the
# README's import and default report), in headless Chromium, against a fresh service on 127.0.0.1.
# Usage: bash docs/screenshots.sh [--no-build]   (STOREMON_SCREENSHOT_PORT, default 18252;
# CHROMIUM, default /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
port="${STOREMON_SCREENSHOT_PORT:-18252}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
store="03a2ff02-847f-4e29-b2d7-0b4c9e4a8ea1"

if [ "${1:-}" != "--no-build" ]; then
  dotnet build src/StoreMonitoring.Api -v q --nologo >/dev/null
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/storemon-screens.XXXXXX")
service_pid=""
cleanup() {
  if [ -n "$service_pid" ]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

base="http://127.0.0.1:$port"
(cd src/StoreMonitoring.Api && exec env ASPNETCORE_ENVIRONMENT=Development XDG_DATA_HOME="$work/user-data" \
  StoreMonitoring__ReportDirectory="$work/reports" "$repo/artifacts/bin/StoreMonitoring.Api/debug/StoreMonitoring.Api" --urls "$base") \
  >"$work/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 150); do curl -sf "$base/health" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf -X POST "$base/import_data" >/dev/null
id=$(curl -sf -X POST "$base/trigger_report" | sed 's/.*"report_id":"\([^"]*\)".*/\1/')
for _ in $(seq 1 150); do
  curl -sf "$base/reports" | grep -q "\"report_id\":\"$id\",\"status\":\"Complete\"" && break
  sleep 0.2
done

shot() {
  # A virtual-time budget lets the page's fetches and drawing finish before the picture is taken.
  "$chromium" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size=1280,"$2" --virtual-time-budget=15000 --screenshot="$repo/docs/$1" "$base/ui/index.html#$3" >/dev/null 2>&1
  echo "docs/$1"
}
shot overview.png 1500 /overview
shot store.png 1300 "/stores/$store"
