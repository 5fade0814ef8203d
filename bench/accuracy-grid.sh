#!/usr/bin/env bash
# Measures the estimators' accuracy against generated ground truth: for each seed, generates a
# real-sized data set, imports it into its own SQLite file, runs the ratio report and the
# interpolated report over a grid of horizons and switch points, and scores each with
# `storemon evaluate`. Prints one TSV line per (seed, method, horizon, switch point, column).
#
# Usage: bench/accuracy-grid.sh [seeds...]      (default: 1 3 8)
# Env:   STOREMON      command that runs the CLI (default: dotnet run --project src/StoreMonitoring.Cli -c Release --)
#        IMPORT        command that imports a directory into ./storemonitoring.db (default: $STOREMON import)
#        STORES DAYS   data set size (default: 3678 stores, 21 days: about 1.9 million status rows)
#        HORIZONS SWITCHES  the grid (default: "45 60 90 120 180 360" and "0.5 1.0")
#        WORK          where data and databases go (default: /tmp)
set -euo pipefail
STOREMON=${STOREMON:-"dotnet run --project $(cd "$(dirname "$0")/.." && pwd)/src/StoreMonitoring.Cli -c Release --"}
IMPORT=${IMPORT:-"$STOREMON import"}
STORES=${STORES:-3678}
DAYS=${DAYS:-21}
HORIZONS=${HORIZONS:-"45 60 90 120 180 360"}
SWITCHES=${SWITCHES:-"0.5 1.0"}
WORK=${WORK:-/tmp}
if [ $# -gt 0 ]; then SEEDS=("$@"); else SEEDS=(1 3 8); fi

score() { # seed method horizon switch report-file
  $STOREMON evaluate --data "$WORK/gen-$1" --report "$5" |
    awk -v s="$1" -v m="$2" -v h="$3" -v w="$4" '$1 ~ /_last_/ { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s, m, h, w, $1, $3, $4, $7, $8 }'
}

printf "seed\tmethod\thorizon\tswitch\tcolumn\tmae_all\tbias_all\tmae_polled\tbias_polled\n"
for seed in "${SEEDS[@]}"; do
  data="$WORK/gen-$seed" run="$WORK/run-$seed"
  rm -rf "$data" "$run" && mkdir -p "$run"
  $STOREMON generate --stores "$STORES" --days "$DAYS" --seed "$seed" --out "$data" >&2
  (cd "$run" && $IMPORT "$data" >&2)
  (cd "$run" && $STOREMON report --method ratio --out r.csv 2>/dev/null)
  score "$seed" ratio - - "$run/r.csv"
  for h in $HORIZONS; do
    for w in $SWITCHES; do
      (cd "$run" && StoreMonitoring__Estimation__HorizonMinutes=$h StoreMonitoring__Estimation__SwitchPoint=$w \
        $STOREMON report --method interpolated --out "i-$h-$w.csv" 2>/dev/null)
      score "$seed" interpolated "$h" "$w" "$run/i-$h-$w.csv"
    done
  done
done
