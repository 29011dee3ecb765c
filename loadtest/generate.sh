#!/usr/bin/env bash
# Writes a large Delta or Iceberg table for load tests and benchmarks (see loadtest/README.md):
#   loadtest/generate.sh --format delta --files 1M --out /tmp/tables/files1m
#   loadtest/generate.sh --format iceberg --files 100k --out s3://lake/bench/ice100k --endpoint http://127.0.0.1:9000 \
#       --access-key minioadmin --secret-key minioadmin
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f loadtest/target/classpath.txt ]]; then
  echo "building ..." >&2
  mvn -B -q -ntp -DskipTests -Dgatling.skip=true package >&2
fi
exec java -Xmx4g -cp "loadtest/target/classes:$(cat loadtest/target/classpath.txt)" io.tablegate.loadtest.Generate "$@"
