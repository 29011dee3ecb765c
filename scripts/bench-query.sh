#!/usr/bin/env bash
# Benchmark: /query streaming of a synthetic N-file table vs Delta Kernel alone (same JVM).
# Usage: scripts/bench-query.sh [files=100000] [runs=3]   (JVM: -Xmx2g -XX:+UseParallelGC, as kernel-notes.md)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh
mvn -B -q -ntp -DskipTests install
cd gateway
mvn -B -q -ntp dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
exec java -Xms2g -Xmx2g -XX:+UseParallelGC -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.tablegate.bench.QueryStreamBench "${1:-100000}" "${2:-3}"
