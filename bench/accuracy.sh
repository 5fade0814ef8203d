#!/usr/bin/env bash
# Measures the estimators' accuracy against generated ground truth through the real path: for
# each seed, generates a real-sized data set, imports it into its own SQLite file, runs the ratio
# and the interpolated (default) reports and scores each with `storemon evaluate`. Prints one TSV
# line per (seed, method, column). The candidates of bench/accuracy-results.md were scored faster,
# without a database, with `storemon experiment --data DIR --grid "ratio;DownReachMinutes=30;..."`.
#
# Usage: bench/accuracy.sh [seeds...]      (default: 1 3 8)
# Env:   STOREMON   command that runs the CLI (default: dotnet run --project src/StoreMonitoring.Cli -c Release --)
#        STORES DAYS   data set size (default: 3678 stores, 21 days: about 1.9 million status rows)
#        WORK       where data and databases go (default: /tmp/storemon-accuracy)
set -euo pipefail
STOREMON=${STOREMON:-"dotnet run --project $(cd "$(dirname "$0")/.." && pwd)/src/StoreMonitoring.Cli -c Release --"}
STORES=${STORES:-3678}
DAYS=${DAYS:-21}
WORK=${WORK:-/tmp/storemon-accuracy}
if [ $# -gt 0 ]; then SEEDS=("$@"); else SEEDS=(1 3 8); fi

score() { # seed method report-file
  $STOREMON evaluate --data "$WORK/gen-$1" --report "$3" |
    awk -v s="$1" -v m="$2" '$1 ~ /_last_/ { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s, m, $1, $3, $4, $7, $8 }'
}

printf "seed\tmethod\tcolumn\tmae_all\tbias_all\tmae_polled\tbias_polled\n"
for seed in "${SEEDS[@]}"; do
  data="$WORK/gen-$seed" run="$WORK/run-$seed"
  rm -rf "$data" "$run" && mkdir -p "$run"
  $STOREMON generate --stores "$STORES" --days "$DAYS" --seed "$seed" --out "$data" >&2
  (cd "$run" && $STOREMON import "$data" >&2)
  for method in ratio interpolated; do
    (cd "$run" && $STOREMON report --method "$method" --out "$method.csv" 2>/dev/null)
    score "$seed" "$method" "$run/$method.csv"
  done
done
