#!/usr/bin/env bash
# Builds Tablegate if needed and starts it on its embedded default: the bundled demo share,
# in-process cache, HTTP on localhost:8080 (override with PORT=...). No other service needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh
if [ ! -f gateway/target/tablegate.jar ]; then
  echo "Building gateway/target/tablegate.jar (first run only) ..."
  mvn -B -q -ntp -DskipTests -pl gateway -am package
fi
# the JVM options the gateway ships with (G1 with a 5 ms pause goal; see loadtest/README.md)
exec java @conf/jvm.options -jar gateway/target/tablegate.jar --demo demo-data --port "${PORT:-8080}"
