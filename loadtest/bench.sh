#!/usr/bin/env bash
# Benchmarks of loadtest/README.md, each a ratio measured in one run on this machine:
#   loadtest/bench.sh nginx    cached small-table /query and /metadata: Tablegate vs nginx serving the same bytes
#   loadtest/bench.sh kernel   uncached /query of a 1M-file table vs Delta Kernel alone (scripts/bench-query.sh)
#   loadtest/bench.sh redis    the same 1M-file stream from the Redis tier (encoded lines of a URL reuse window) vs uncached and vs Kernel
#   loadtest/bench.sh tls      BoringSSL vs the JDK engine: handshakes/s and MB/s of a large response
#   loadtest/bench.sh lb       one vs two instances behind nginx sharing Redis; cache hit ratio
#   loadtest/bench.sh rewrite  a parquet-only reader of a table with deletion vectors: the first /query (the gateway
#                              rewrites the data file without its deleted rows), a cached one, and the file's download
#   loadtest/bench.sh policy   the same table read by a recipient under a column and row policy (2 of 4 columns, half
#                              the rows): the first /query rewrites the file to them, later ones find it
#   loadtest/bench.sh iceberg  a Delta table of FILES files (default 100000) through the Iceberg REST face: the first
#                              loadTable (generates the Iceberg metadata), a repeated one, one on a new instance
#   loadtest/bench.sh loops    cached /metadata and /query with 1 vs N event loops (eventLoops), client and gateway
#                              pinned to separate cores with taskset (CLIENT_CPUS default 0, GATEWAY_CPUS the others)
# Options through the environment: DURATION (s, default 15), CONNECTIONS (default 32), FILES (kernel/redis, 1000000),
# ENDPOINTS (nginx: "query metadata").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
scripts/ensure-tools.sh --bench
if [[ ! -f gateway/target/tablegate.jar || ! -f loadtest/target/classpath.txt ]]; then
  mvn -B -q -ntp -DskipTests -Dgatling.skip=true install >&2
fi
WORK=${WORK:-/tmp/tablegate-bench}
mkdir -p "$WORK"
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-32}
CP="loadtest/target/classes:$(cat loadtest/target/classpath.txt)"
# the gateway runs with the JVM options it ships with (conf/jvm.options, as scripts/demo.sh, the image and k8s use)
JVM=(java @"${JVM_OPTIONS:-$ROOT/conf/jvm.options}" --add-opens=java.base/java.nio=ALL-UNNAMED)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# up when it answers HTTP at all (a gateway's sharing listener answers 401/404 on its root)
wait_http() { for _ in $(seq 1 100); do [[ $(curl -sk -o /dev/null -w '%{http_code}' "$1") != 000 ]] && return 0; sleep 0.2; done; echo "not up: $1" >&2; exit 1; }
bench() { java -Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=5 -cp "$CP" io.tablegate.loadtest.HttpBench --duration "$DURATION" --connections "$CONNECTIONS" "$@"; }
AUDIT=${AUDIT:-on}   # as shipped: the audit log on (AUDIT=off turns it off, as nginx runs with access_log off)
gateway() { # config-file log-file
  local log=(); [[ $AUDIT == off ]] && log=(-Dlogback.configurationFile="$ROOT/loadtest/logback-bench.xml")
  "${JVM[@]}" "${log[@]}" -jar gateway/target/tablegate.jar --config "$1" >"$2" 2>&1 &
  PIDS+=($!)
}
table() { # files dir
  [[ -d "$2/_delta_log" ]] || java -cp "$CP" io.tablegate.loadtest.Generate --format delta --files "$1" --out "$2" >/dev/null
}
rate_of() { sed -E 's/.* ([0-9.]+) req\/s.*/\1/' <<<"$1"; }
mbs_of() { sed -E 's/.* ([0-9.]+) MB\/s.*/\1/' <<<"$1"; }
p99_of() { sed -E 's/.*p99 +([0-9.]+) ms.*/\1/' <<<"$1"; }

nginx_bench() {
  table 100 "$WORK/small"
  local gp np; gp=$(free_port); np=$(free_port)
  cat >"$WORK/gw.yaml" <<YAML
version: 1
host: 127.0.0.1
port: $gp
management: {host: 127.0.0.1, port: 0}
shares:
  - name: s
    schemas:
      - name: b
        tables:
          - {name: t, location: "$WORK/small"}
YAML
  gateway "$WORK/gw.yaml" "$WORK/gw.log"
  local base="http://127.0.0.1:$gp/delta-sharing/shares/s/schemas/b/tables/t"
  wait_http "http://127.0.0.1:$gp/delta-sharing/shares"
  curl -s -X POST -H 'Content-Type: application/json' -d '{}' "$base/query" >"$WORK/query.ndjson"
  curl -s "$base/metadata" >"$WORK/metadata.ndjson"
  cat >"$WORK/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx-tmp;
  server {
    listen 127.0.0.1:$np;
    location = /delta-sharing/shares/s/schemas/b/tables/t/query { default_type application/x-ndjson; alias $WORK/query.ndjson; error_page 405 =200 \$uri; }
    location = /delta-sharing/shares/s/schemas/b/tables/t/metadata { default_type application/x-ndjson; alias $WORK/metadata.ndjson; }
  }
}
CONF
  mkdir -p "$WORK/nginx-tmp"
  nginx -c "$WORK/nginx.conf" -g 'daemon off;' &
  PIDS+=($!)
  local nbase="http://127.0.0.1:$np/delta-sharing/shares/s/schemas/b/tables/t"
  wait_http "$nbase/metadata"
  echo "Responses: /query $(wc -c <"$WORK/query.ndjson") bytes ($(($(wc -l <"$WORK/query.ndjson") - 2)) files), /metadata $(wc -c <"$WORK/metadata.ndjson") bytes"
  for ep in ${ENDPOINTS:-query metadata}; do
    local args=(); [[ $ep == query ]] && args=(--method POST --body '{}' --header 'Content-Type: application/json')
    local t n tr
    # a warm-up (JIT) before measuring; the cold first requests are measured by scripts/bench-coldstart.sh
    DURATION=${WARMUP:-5} bench --label warmup --url "$base/$ep" "${args[@]}" >/dev/null
    t=$(bench --label "tablegate /$ep" --url "$base/$ep" "${args[@]}")
    n=$(bench --label "nginx /$ep" --url "$nbase/$ep" "${args[@]}")
    echo "$t"; echo "$n"
    echo "  ratio tablegate/nginx: $(awk -v a="$(rate_of "$t")" -v b="$(rate_of "$n")" 'BEGIN{printf "%.2fx", a/b}')  (target >= 0.8x)"
    local half; half=$(awk -v a="$(rate_of "$t")" 'BEGIN{printf "%d", a/2}')
    tr=$(bench --label "tablegate /$ep at $half req/s" --url "$base/$ep" --rate "$half" --connections 256 "${args[@]}")
    echo "$tr"
    # the same open-loop client at the same rate against nginx: what the machine and client add by themselves
    echo "$(bench --label "nginx /$ep at $half req/s" --url "$nbase/$ep" --rate "$half" --connections 256 "${args[@]}")"
    echo "  p99 at half load: $(p99_of "$tr") ms (target <= 5 ms)"
  done
}

stop_last() { local p=${PIDS[-1]}; kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; unset 'PIDS[-1]'; }

redis_server() { # port
  redis-server --port "$1" --bind 127.0.0.1 --dir "$WORK" --save "" --appendonly no >"$WORK/redis.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 50); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
}

# MB/s of back-to-back POST /query downloads for DURATION seconds, printed like HttpBench's line
curl_mbs() {
  curl -sk -o /dev/null -X POST -H 'Content-Type: application/json' -d '{}' "$1" # warm-up (fills the response cache)
  local bytes=0 start end n=0; start=$(date +%s.%N)
  end=$(awk -v s="$start" -v d="$DURATION" 'BEGIN{printf "%.3f", s+d}')
  while awk -v n="$(date +%s.%N)" -v e="$end" 'BEGIN{exit !(n<e)}'; do
    bytes=$((bytes + $(curl -sk -o /dev/null -w '%{size_download}' -X POST -H 'Content-Type: application/json' -d '{}' "$1")))
    n=$((n + 1))
  done
  awk -v l="$2" -v b="$bytes" -v n="$n" -v s="$start" -v e="$(date +%s.%N)" \
    'BEGIN{t=e-s; printf "%-34s %9.1f req/s %8.1f MB/s\n", l, n/t, b/t/1e6}'
}

# time to first byte and total of one POST /query, with curl (a separate process: the JVM only serves)
curl_query() { curl -s -o /dev/null -w '%{time_starttransfer} %{time_total} %{size_download}' -X POST -H 'Content-Type: application/json' -d '{}' "$1"; }

tls_bench() {
  table 100000 "$WORK/files100k"
  for engine in openssl jdk; do
    local p; p=$(free_port)
    cat >"$WORK/tls-$engine.yaml" <<YAML
version: 1
host: 127.0.0.1
port: $p
management: {host: 127.0.0.1, port: 0}
tls: {selfSigned: true, engine: $engine}
responseCacheMaxBytes: 1073741824   # the 53 MB body is served from memory: the run measures TLS, not /query
shares:
  - name: s
    schemas:
      - name: b
        tables:
          - {name: t, location: "$WORK/files100k"}
YAML
    gateway "$WORK/tls-$engine.yaml" "$WORK/tls-$engine.log"
    wait_http "https://127.0.0.1:$p/delta-sharing/shares"
    local h m
    # handshakes: 4 parallel `openssl s_time -new` clients (C, so the client is not the limit), full handshake each time
    openssl s_time -connect "127.0.0.1:$p" -new -time 3 >/dev/null 2>&1 || true   # warm-up
    local st=()
    for i in 1 2 3 4; do
      (openssl s_time -connect "127.0.0.1:$p" -new -time "$DURATION" 2>&1 | grep 'real seconds' >"$WORK/stime-$i.txt") &
      st+=($!)
    done
    wait "${st[@]}"
    h=$(cat "$WORK"/stime-*.txt | awk -v l="$engine handshakes (openssl s_time x4)" -v d="$DURATION" \
      '{n+=$1} END {printf "%-34s %9.0f req/s\n", l, n/(d+1)}')
    # bulk: curl (OpenSSL) downloads the 53 MB body (served from memory) back to back, so the client's own TLS is not the limit
    m=$(curl_mbs "https://127.0.0.1:$p/delta-sharing/shares/s/schemas/b/tables/t/query" "$engine /query 100k files (curl)")
    echo "$h"; echo "$m"
    eval "H_$engine=$(rate_of "$h"); M_$engine=$(mbs_of "$m")"
    grep -o 'engine="[^"]*"' "$WORK/tls-$engine.log" | head -1
    stop_last
  done
  echo "  BoringSSL/JDK: handshakes $(awk -v a="$H_openssl" -v b="$H_jdk" 'BEGIN{printf "%.2fx", a/b}'), MB/s $(awk -v a="$M_openssl" -v b="$M_jdk" 'BEGIN{printf "%.2fx", a/b}')  (target >= 1.5x)"
}

redis_bench() {
  local files=${FILES:-1000000}
  table "$files" "$WORK/files$files"
  local rp p; rp=$(free_port)
  redis_server "$rp"
  # Delta Kernel alone iterating the same table's scan files: the goal's baseline (>= 2x it)
  local kernel; kernel=$(java -Xms2g -Xmx2g -cp "$CP" io.tablegate.loadtest.KernelIterate "$WORK/files$files" 3 | tee /dev/stderr | sed -n 's/^best \([0-9]*\) files\/s/\1/p')
  # every instance is behind the same public endpoint, as behind a load balancer: URLs (and so the
  # encoded lines kept for a URL reuse window) are the same whichever instance serves
  local public; public=$(free_port)
  for run in uncached redis-tier redis-tier-again; do
    p=$(free_port)
    cat >"$WORK/redis-gw.yaml" <<YAML
version: 1
host: 127.0.0.1
port: $p
publicEndpoint: http://127.0.0.1:$public/delta-sharing
signingKey: bench-shared-signing-key-0123456789abcdef
management: {host: 127.0.0.1, port: 0}
responseCacheTtlMs: 0
redis: {uri: "redis://127.0.0.1:$rp", timeoutMs: 5000, urlReuseWindowSeconds: ${WINDOW:-300}}
shares:
  - name: s
    schemas:
      - name: b
        tables:
          - {name: t, location: "$WORK/files$files"}
YAML
    gateway "$WORK/redis-gw.yaml" "$WORK/redis-$run.log"
    wait_http "http://127.0.0.1:$p/delta-sharing/shares"
    # a fresh instance each time: the first serves from the table (and fills Redis), the second from Redis only
    local r; r=$(curl_query "http://127.0.0.1:$p/delta-sharing/shares/s/schemas/b/tables/t/query")
    read -r ttfb total size <<<"$r"
    printf '%-12s %d files  first byte %.3f s  total %.2f s  %.0f files/s  %.0f MB\n' "$run" "$files" "$ttfb" "$total" \
      "$(awk -v f="$files" -v t="$total" 'BEGIN{print f/t}')" "$(awk -v s="$size" 'BEGIN{print s/1e6}')"
    eval "T_${run//-/_}=$total"
    # the first instance's Redis writes may finish after its response: wait for them to settle
    [[ $run == uncached ]] && sleep 5
    stop_last
  done
  echo "  Redis tier / uncached: $(awk -v a="$T_uncached" -v b="$T_redis_tier" 'BEGIN{printf "%.2fx", a/b}')"
  echo "  Redis tier / Kernel iteration: $(awk -v f="$files" -v t="$T_redis_tier" -v k="$kernel" 'BEGIN{printf "%.2fx", f/t/k}')  (target >= 2x)"
}

lb_bench() {
  table 100 "$WORK/small"
  local rp p1 p2 lp; rp=$(free_port); p1=$(free_port); p2=$(free_port); lp=$(free_port)
  declare -A mgmt=([$p1]=$(free_port) [$p2]=$(free_port))
  redis_server "$rp"
  for p in $p1 $p2; do
    cat >"$WORK/lb-$p.yaml" <<YAML
version: 1
host: 127.0.0.1
port: $p
management: {host: 127.0.0.1, port: ${mgmt[$p]}}
publicEndpoint: http://127.0.0.1:$lp/delta-sharing
signingKey: bench-shared-signing-key-0123456789abcdef
redis: {uri: "redis://127.0.0.1:$rp"}
shares:
  - name: s
    schemas:
      - name: b
        tables:
          - {name: t, location: "$WORK/small", historyShared: true}
YAML
    gateway "$WORK/lb-$p.yaml" "$WORK/lb-$p.log"
    wait_http "http://127.0.0.1:$p/delta-sharing/shares"
  done
  cat >"$WORK/lb.conf" <<CONF
worker_processes auto;
pid $WORK/lb.pid;
error_log $WORK/lb-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-tmp;
  upstream one { server 127.0.0.1:$p1; keepalive 64; }
  upstream two { server 127.0.0.1:$p1; server 127.0.0.1:$p2; keepalive 64; }
  server {
    listen 127.0.0.1:$lp;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_buffering off;              # NDJSON streams pass through as they come
    location /one/ { proxy_pass http://one/; }
    location / { proxy_pass http://two; }
  }
}
CONF
  mkdir -p "$WORK/nginx-tmp"
  nginx -c "$WORK/lb.conf" -g 'daemon off;' &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$lp/delta-sharing/shares"
  local q=(--method POST --body '{}' --header 'Content-Type: application/json')
  local one two
  one=$(bench --label "LB -> 1 instance, /query" --url "http://127.0.0.1:$lp/one/delta-sharing/shares/s/schemas/b/tables/t/query" "${q[@]}")
  two=$(bench --label "LB -> 2 instances, /query" --url "http://127.0.0.1:$lp/delta-sharing/shares/s/schemas/b/tables/t/query" "${q[@]}")
  echo "$one"; echo "$two"
  echo "  2 instances / 1 instance: $(awk -v a="$(rate_of "$two")" -v b="$(rate_of "$one")" 'BEGIN{printf "%.2fx", a/b}')"
  lookups() { # prints "hits misses" summed over both instances
    local h=0 m=0
    for p in $p1 $p2; do
      local t; t=$(curl -s "http://127.0.0.1:${mgmt[$p]}/metrics")
      h=$((h + $(sed -nE 's/tablegate_metadata_lookups_total\{result="hit"\} ([0-9]+)(\.[0-9]+)?/\1/p' <<<"$t")))
      m=$((m + $(sed -nE 's/tablegate_metadata_lookups_total\{result="miss"\} ([0-9]+)(\.[0-9]+)?/\1/p' <<<"$t")))
    done
    echo "$h $m"
  }
  read -r h0 m0 <<<"$(lookups)"
  echo "Recipient mix (Gatling) through the balancer, then the instances' metadata cache hit ratio during it:"
  mvn -B -q -ntp -pl loadtest gatling:test -Dgatling.simulation=io.tablegate.loadtest.RecipientMixSimulation \
    -Durl="http://127.0.0.1:$lp/delta-sharing" -Dtable=s.b.t -Drate="${RATE:-50}" -Dduration="$DURATION" -Dp99=200 2>&1 \
    | grep -E 'request count|mean throughput|99th percentile|percentage of failed' | head -6
  read -r h1 m1 <<<"$(lookups)"
  local hits=$((h1 - h0)) misses=$((m1 - m0))
  echo "  metadata lookups: $hits hits, $misses misses: hit ratio $(awk -v h="$hits" -v m="$misses" 'BEGIN{printf "%.2f%%", 100*h/(h+m)}')  (target >= 99%)"
}

loops_bench() {
  table 100 "$WORK/small"
  local n last; n=$(nproc); last=$((n - 1))
  local client_cpus=${CLIENT_CPUS:-0} gateway_cpus=${GATEWAY_CPUS:-$([[ $n -gt 1 ]] && echo "1-$last" || echo 0)}
  local gateway_cores; gateway_cores=$(taskset -c "$gateway_cpus" nproc)
  echo "Client on CPUs $client_cpus, gateway on CPUs $gateway_cpus ($gateway_cores cores)"
  for loops in 1 "${LOOPS:-$((gateway_cores > 1 ? gateway_cores : 2))}"; do
    local gp; gp=$(free_port)
    cat >"$WORK/loops-$loops.yaml" <<YAML
version: 1
host: 127.0.0.1
port: $gp
management: {host: 127.0.0.1, port: 0}
eventLoops: $loops
shares:
  - name: s
    schemas:
      - name: b
        tables:
          - {name: t, location: "$WORK/small"}
YAML
    local log=(); [[ $AUDIT == off ]] && log=(-Dlogback.configurationFile="$ROOT/loadtest/logback-bench.xml")
    taskset -c "$gateway_cpus" "${JVM[@]}" "${log[@]}" -jar gateway/target/tablegate.jar --config "$WORK/loops-$loops.yaml" \
      >"$WORK/loops-$loops.log" 2>&1 &
    PIDS+=($!)
    local base="http://127.0.0.1:$gp/delta-sharing/shares/s/schemas/b/tables/t"
    wait_http "http://127.0.0.1:$gp/delta-sharing/shares"
    for ep in metadata query; do
      local args=(); [[ $ep == query ]] && args=(--method POST --body '{}' --header 'Content-Type: application/json')
      taskset -c "$client_cpus" java -Xms1g -Xmx1g -XX:+UseG1GC -cp "$CP" io.tablegate.loadtest.HttpBench --duration "$DURATION" \
        --connections "$CONNECTIONS" --label "eventLoops=$loops /$ep" --url "$base/$ep" "${args[@]}"
    done
    stop_last
  done
}

# the one-file table with a deletion vector of the rewrite benchmarks
dv_table() { [[ -d "$WORK/dv$1/_delta_log" ]] || java -Xmx3g -cp "$CP" io.tablegate.loadtest.DvTable "$WORK/dv$1" "$1" 10 >&2; }
# a field of the first file line of a saved /query response
first_file() { sed -n 3p "$2" | python3 -c "import json,sys; print(json.load(sys.stdin)['file']['$1'])"; }

rewrite_bench() {
  local rows=${ROWS:-4000000}
  dv_table "$rows"
  local p; p=$(free_port)
  rm -rf "$WORK/rewrites"
  cat >"$WORK/rewrite-gw.yaml" <<YAML
version: 1
host: 127.0.0.1
port: $p
management: {host: 127.0.0.1, port: 0}
rewrites: {directory: "$WORK/rewrites"}
shares:
  - name: s
    schemas:
      - name: b
        tables:
          - {name: t, location: "$WORK/dv$rows"}
YAML
  gateway "$WORK/rewrite-gw.yaml" "$WORK/rewrite.log"
  wait_http "http://127.0.0.1:$p/delta-sharing/shares"
  local q="http://127.0.0.1:$p/delta-sharing/shares/s/schemas/b/tables/t/query"
  local in; in=$(find "$WORK/dv$rows" -maxdepth 1 -name '*.parquet' -printf '%s\n' | head -1)
  local first second url out dl
  first=$(curl -s -o "$WORK/q1.json" -w '%{time_total}' -X POST -H 'Content-Type: application/json' -d '{}' "$q")
  second=$(curl -s -o "$WORK/q2.json" -w '%{time_total}' -X POST -H 'Content-Type: application/json' -d '{}' "$q")
  url=$(first_file url "$WORK/q2.json"); out=$(first_file size "$WORK/q2.json")
  dl=$(curl -s -o /dev/null -w '%{time_total}' "$url")
  # the same rewrite again on the now warm JVM (its kept file deleted; a limit hint so the response
  # cache does not answer)
  rm -f "$WORK"/rewrites/*
  warm=$(curl -s -o /dev/null -w '%{time_total}' -X POST -H 'Content-Type: application/json' -d '{"limitHint": 100000000}' "$q")
  kept=$(curl -s -o /dev/null -w '%{time_total}' -X POST -H 'Content-Type: application/json' -d '{"limitHint": 99999999}' "$q")
  python3 - "$in" "$out" "$first" "$second" "$dl" "$warm" "$kept" <<'PY'
import sys
inb, outb, first, second, dl, warm, kept = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:])
print(f"data file {inb/1e6:.1f} MB -> rewritten {outb/1e6:.1f} MB (10% of rows deleted)")
print(f"first /query, fresh JVM (rewrites the file): {first:.2f} s = {inb/1e6/first:.1f} MB/s of input")
print(f"the same rewrite on the warm JVM: {warm:.2f} s = {inb/1e6/warm:.1f} MB/s of input")
print(f"a /query that finds the kept rewrite: {kept*1000:.1f} ms; one the response cache answers: {second*1000:.1f} ms")
print(f"download of the rewritten file: {dl*1000:.1f} ms ({outb/1e6/dl:.0f} MB/s)")
PY
  stop_last
}

iceberg_bench() {
  local files=${FILES:-100000}
  table "$files" "$WORK/t$files"
  local p; p=$(free_port)
  rm -rf "$WORK/iceberg-rewrites"
  cat >"$WORK/iceberg-gw.yaml" <<YAML
version: 1
host: 127.0.0.1
port: $p
management: {host: 127.0.0.1, port: 0}
rewrites: {directory: "$WORK/iceberg-rewrites"}
shares:
  - name: s
    schemas:
      - name: b
        tables:
          - {name: t, location: "$WORK/t$files"}
YAML
  local u="http://127.0.0.1:$p/delta-sharing/iceberg/v1/s/namespaces/b/tables/t"
  local first second restarted query
  gateway "$WORK/iceberg-gw.yaml" "$WORK/iceberg.log"
  wait_http "http://127.0.0.1:$p/delta-sharing/shares"
  first=$(curl -s -o "$WORK/load1.json" -w '%{time_total}' "$u")
  second=$(curl -s -o /dev/null -w '%{time_total}' "$u")
  query=$(curl -s -o /dev/null -w '%{time_total}' -X POST -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$p/delta-sharing/shares/s/schemas/b/tables/t/query")
  stop_last
  # a new instance finds the version's metadata where the first one kept it
  gateway "$WORK/iceberg-gw.yaml" "$WORK/iceberg2.log"
  wait_http "http://127.0.0.1:$p/delta-sharing/shares"
  restarted=$(curl -s -o /dev/null -w '%{time_total}' "$u")
  stop_last
  local bytes; bytes=$(du -sb "$WORK/iceberg-rewrites/iceberg" | cut -f1)
  python3 - "$files" "$first" "$second" "$restarted" "$query" "$bytes" <<'PY'
import sys
files, first, second, restarted, query, size = int(sys.argv[1]), *map(float, sys.argv[2:6]), int(sys.argv[6])
print(f"Delta table of {files:,} files as Iceberg (loadTable on a fresh JVM): {first:.2f} s = {files/first:,.0f} files/s"
      f" (the Delta Sharing /query of the same table, after it: {query:.2f} s)")
print(f"loadTable again: {second*1000:.1f} ms; on a new instance that finds the kept metadata: {restarted*1000:.1f} ms")
print(f"generated metadata: {size/1e6:.1f} MB ({size/files:.0f} bytes per file)")
PY
}

policy_bench() {
  local rows=${ROWS:-4000000}
  dv_table "$rows"
  local p; p=$(free_port)
  rm -rf "$WORK/rewrites"
  cat >"$WORK/policy-gw.yaml" <<YAML
version: 1
host: 127.0.0.1
port: $p
management: {host: 127.0.0.1, port: 0}
rewrites: {directory: "$WORK/rewrites"}
authorization:
  tokens:
    - {id: acme, token: acme-bench-token-0123456789, shares: [s]}
shares:
  - name: s
    schemas:
      - name: b
        tables:
          - {name: t, location: "$WORK/dv$rows"}
    policies:
      - {recipient: acme, table: b.t, columns: [id, amount], filter: "amount >= $((rows / 8))"}
YAML
  gateway "$WORK/policy-gw.yaml" "$WORK/policy.log"
  wait_http "http://127.0.0.1:$p/delta-sharing/shares"
  local q="http://127.0.0.1:$p/delta-sharing/shares/s/schemas/b/tables/t/query"
  local auth='Authorization: Bearer acme-bench-token-0123456789'
  local in; in=$(find "$WORK/dv$rows" -maxdepth 1 -name '*.parquet' -printf '%s\n' | head -1)
  local first kept url out dl
  first=$(curl -s -o "$WORK/p1.json" -w '%{time_total}' -X POST -H "$auth" -H 'Content-Type: application/json' -d '{}' "$q")
  kept=$(curl -s -o "$WORK/p2.json" -w '%{time_total}' -X POST -H "$auth" -H 'Content-Type: application/json' -d '{"limitHint": 99999999}' "$q")
  url=$(first_file url "$WORK/p2.json"); out=$(first_file size "$WORK/p2.json")
  dl=$(curl -s -o /dev/null -w '%{time_total}' "$url")
  python3 - "$in" "$out" "$first" "$kept" "$dl" <<'PY'
import sys
inb, outb, first, kept, dl = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:])
print(f"data file {inb/1e6:.1f} MB -> the recipient's file {outb/1e6:.1f} MB (2 of 4 columns, half the rows)")
print(f"first /query under the policy, fresh JVM (rewrites the file): {first:.2f} s = {inb/1e6/first:.1f} MB/s of input")
print(f"a /query that finds the kept rewrite: {kept*1000:.1f} ms")
print(f"download of the recipient's file: {dl*1000:.1f} ms")
PY
  stop_last
}

case "${1:-}" in
  nginx) nginx_bench ;;
  policy) policy_bench ;;
  iceberg) iceberg_bench ;;
  rewrite) rewrite_bench ;;
  loops) loops_bench ;;
  tls) tls_bench ;;
  redis) redis_bench ;;
  lb) lb_bench ;;
  kernel) exec scripts/bench-query.sh "${FILES:-1000000}" 3 ;;
  *) sed -n 2,9p "$0"; exit 2 ;;
esac
