#!/usr/bin/env bash
# Measures the estimators' accuracy against generated ground truth through the production path
# only: for each seed, `storemon generate` writes a real-sized data set, `storemon import` loads it
# into a fresh SQLite file, `storemon report` computes the ratio and the interpolated (default)
# reports and `storemon evaluate --report` scores each. Prints one TSV line per (seed, method,
# column). Settings in the environment (e.g. StoreMonitoring__Estimation__DownReachMinutes=30)
# reach the report as they would in production; the database is always the run's own file.
#
# Usage: bench/accuracy.sh [seeds...]      (default: 1 3 8)
# Env:   STOREMON   command that runs the CLI (default: dotnet run --project src/StoreMonitoring.Cli -c Release --)
#        STORES DAYS   data set size (default: 3678 stores, 21 days: about 1.9 million status rows)
#        WORK       where data and databases go (default: /tmp/storemon-accuracy)
#        METHODS    methods to score (default: ratio interpolated learned)
#        PROFILE    generator profile: standard (default) or heterogeneous
set -euo pipefail
BENCH_NAME=accuracy
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
STOREMON=${STOREMON:-"dotnet run --project $ROOT/src/StoreMonitoring.Cli -c Release --"}
STORES=${STORES:-3678}
DAYS=${DAYS:-21}
WORK=${WORK:-/tmp/storemon-accuracy}
METHODS=${METHODS:-ratio interpolated learned}
PROFILE=${PROFILE:-standard}
if [ $# -gt 0 ]; then SEEDS=("$@"); else SEEDS=(1 3 8); fi

# storemon on the seed's own SQLite file, run from its folder so nothing relative leaks in.
on_db() { # run-dir args...
  local run="$1"; shift
  (cd "$run" && env StoreMonitoring__Database__Provider=sqlite \
    "StoreMonitoring__Database__ConnectionString=Data Source=$run/accuracy.db" \
    "ConnectionStrings__StoreMonitoring=Data Source=$run/accuracy.db" $STOREMON "$@")
}

# Besides the TSV on stdout: $WORK/coverage.tsv (the learned method's interval coverage per
# window), $WORK/kinds.tsv (uptime MAE per kind of store, from profiles.csv) and $WORK/timing.tsv
# (each report's wall and CPU time, user + system, methods one after the other on the same database;
# on a shared machine the CPU time is the steadier figure).
score() { # seed method report-file
  $STOREMON evaluate --data "$WORK/gen-$1" --report "$3" > "$3.eval"
  awk -v s="$1" -v m="$2" '$1 ~ /_last_/ { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s, m, $1, $3, $4, $7, $8 }' "$3.eval"
  awk -v s="$1" -v m="$2" '$1 == "coverage" { printf "%s\t%s\t%s\t%s\t%s\n", s, m, $2, $3, $12 }' "$3.eval" >> "$WORK/coverage.tsv"
  awk -v s="$1" -v m="$2" '$1 == "kind" { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s, m, $2, $3, $4, $5, $6, $7 }' "$3.eval" >> "$WORK/kinds.tsv"
}

mkdir -p "$WORK"
printf "seed\tmethod\twindow\tstores\tcoverage_pct\n" > "$WORK/coverage.tsv"
printf "seed\tmethod\tgroup\tkind\tstores\tmae_hour\tmae_day\tmae_week\n" > "$WORK/kinds.tsv"
printf "seed\tmethod\twall_s\tcpu_s\n" > "$WORK/timing.tsv"
printf "seed\tmethod\tcolumn\tmae_all\tbias_all\tmae_polled\tbias_polled\n"
for seed in "${SEEDS[@]}"; do
  data="$WORK/gen-$seed" run="$WORK/run-$seed"
  rm -rf "$data" "$run" && mkdir -p "$run"
  $STOREMON generate --stores "$STORES" --days "$DAYS" --seed "$seed" --profile "$PROFILE" --out "$data" >&2
  on_db "$run" import "$data" >&2
  for method in $METHODS; do
    started=$(now)
    /usr/bin/time -f "%U %S" -o "$run/$method.cpu" bash -c "$(declare -f on_db); STOREMON='$STOREMON' on_db '$run' report --method '$method' --columns extended --out '$run/$method.csv' 2>/dev/null"
    printf "%s\t%s\t%.2f\t%.2f\n" "$seed" "$method" "$(since "$started")" "$(awk '{ print $1 + $2 }' "$run/$method.cpu")" >> "$WORK/timing.tsv"
    score "$seed" "$method" "$run/$method.csv"
  done
done
