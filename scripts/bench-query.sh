#!/usr/bin/env bash
# Benchmarks of /query streaming (JVM: -Xms2g -Xmx2g -XX:+UseParallelGC, as shared kernel-notes.md):
#   scripts/bench-query.sh [files=100000] [runs=3]       local synthetic table vs Delta Kernel alone, same JVM
#   scripts/bench-query.sh --s3 [files=10000] [runs=5]   table in s3proxy, cold and warm, presigned and proxy
#   scripts/bench-query.sh --cache [commits=200]         cold / in-process / Redis tier, and webhook-to-other-instance latency
#   scripts/bench-query.sh --concurrent [files=1000000] [streams=100]   concurrent full streams, half slow, in HEAP (default 1g)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh --test
mvn -B -q -ntp -DskipTests -Dgatling.skip=true install
cd gateway
mvn -B -q -ntp dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"
JAVA=(java -Xms${HEAP:-2g} -Xmx${HEAP:-2g} -XX:+UseParallelGC -Daws.requestChecksumCalculation=WHEN_REQUIRED -Daws.responseChecksumValidation=WHEN_REQUIRED -cp "$CP")
if [ "${1:-}" = "--concurrent" ]; then
  HEAP=${HEAP:-1g}
  exec java -Xms${HEAP} -Xmx${HEAP} -XX:+UseG1GC -cp "$CP" io.tablegate.bench.ConcurrentStreamsBench "${2:-1000000}" "${3:-100}"
fi
if [ "${1:-}" = "--cache" ]; then
  exec "${JAVA[@]}" io.tablegate.bench.CacheBench "${2:-200}"
fi
if [ "${1:-}" = "--s3" ]; then
  exec "${JAVA[@]}" io.tablegate.bench.S3QueryBench "${2:-10000}" "${3:-5}"
fi
exec "${JAVA[@]}" io.tablegate.bench.QueryStreamBench "${1:-100000}" "${2:-3}"
