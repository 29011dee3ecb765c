#!/usr/bin/env bash
# Benchmark (not a test): what a recipient sees right after the gateway starts, as a user starts it
# (java -jar, default flags, the demo config): the time from launch to "Tablegate is serving", and the
# latency of the first /metadata and /query of demo.tpch.orders after that line (the npm client gives
# up after 2 s). RUNS fresh starts (default 5).
#   scripts/bench-coldstart.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh
[ -f gateway/target/tablegate.jar ] || mvn -B -q -ntp -DskipTests -pl gateway -am package
RUNS=${1:-5}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
TOKEN=tablegate-demo-token-0001
Q=demo/schemas/tpch/tables/orders
for i in $(seq 1 "$RUNS"); do
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  start=$(date +%s%N)
  java -jar gateway/target/tablegate.jar --demo "$DIR/demo" --port "$PORT" > "$DIR/log" 2>&1 &
  pid=$!
  until grep -q "Tablegate is serving" "$DIR/log"; do sleep 0.01; done
  serving=$(date +%s%N)
  meta=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "http://localhost:$PORT/delta-sharing/shares/$Q/metadata")
  query=$(curl -s -o /dev/null -w '%{time_total}' -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{}' \
    "http://localhost:$PORT/delta-sharing/shares/$Q/query")
  again=$(curl -s -o /dev/null -w '%{time_total}' -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{}' \
    "http://localhost:$PORT/delta-sharing/shares/$Q/query")
  awk -v i="$i" -v s=$(( (serving - start) / 1000000 )) -v m="$meta" -v q="$query" -v a="$again" 'BEGIN {
    printf "run %d: serving after %d ms; first /metadata %.0f ms, first /query %.0f ms, second /query %.0f ms\n", i, s, m * 1000, q * 1000, a * 1000 }'
  kill -TERM "$pid"; wait "$pid" || true
done
