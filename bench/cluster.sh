#!/usr/bin/env bash
# Cluster benchmark: the CPU cost per request of Redis-backed limits against local ones.
#
# Starts nginx as the backend (37-byte responses) and as a reverse proxy, one redis-server, and
# three gateway nodes with one API limited by rate-limit and limit-concurrency (limits far above
# the load, so every request is admitted and the counters still run). It measures, after a
# warm-up, wrk against all three nodes at once, first with the nodes counting alone, then with
# `--redis`: CPU microseconds per request of each gateway JVM and of redis-server (utime+stime
# from /proc/<pid>/stat), beside nginx's proxy share in the same run, and throughput.
#
# Usage: bench/cluster.sh [seconds=20] [connections per node=50]
# Needs: nginx, wrk, redis-server (Debian packages nginx-light, wrk, redis-server), a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
DURATION=${1:-20}
CONNS=${2:-50}
OUT=bench/out
mkdir -p "$OUT"
WORK=$(mktemp -d)
cleanup() {
  for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

BACKEND_PORT=18181; NGINX_PROXY_PORT=18182; REDIS_PORT=18179
for tool in nginx wrk redis-server; do
  command -v $tool >/dev/null || { echo "$tool is required (Debian packages nginx-light, wrk, redis-server)"; exit 1; }
done

nginx_baseline "$WORK" "$BACKEND_PORT" "$NGINX_PROXY_PORT"

redis-server --port $REDIS_PORT --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" \
  --logfile "$WORK/redis.log" --daemonize no &
REDIS_PID=$!

cat > "$WORK/gatehouse.yaml" <<YAML
backends:
  - name: nginx
    url: http://127.0.0.1:$BACKEND_PORT
apis:
  - name: limited
    path: /
    backend: nginx
    subscriptionRequired: false
    policies:
      inbound:
        - rate-limit-by-key: {calls: 2000000000, period: 1h, key: "request.ip"}
        - limit-concurrency: {max-count: 100000}
YAML

[ -f gatehouse-server/target/gatehouse.jar ] || ./mvnw -q -B -DskipTests package -pl gatehouse-server -am

NODE_PIDS=()
start_nodes() { # extra serve options
  NODE_PIDS=()
  for i in 0 1 2; do
    GATEHOUSE_ALLOWED_BACKEND_NETWORKS=127.0.0.1/32 GATEHOUSE_ADMIN_TOKEN=bench-token-0123456789abcdef \
      java ${BENCH_JAVA_OPTS:--Xmx512m} -jar gatehouse-server/target/gatehouse.jar serve \
      --config "$WORK/gatehouse.yaml" --data "$WORK/data$i" --gateway-host 127.0.0.1 \
      --gateway-port $((18190 + i)) --management-port $((18195 + i)) --no-access-log --no-analytics "$@" \
      > "$WORK/node$i.log" 2>&1 &
    NODE_PIDS+=($!)
  done
  for i in 0 1 2; do
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$((18190 + i))/" >/dev/null && break; sleep 0.1; done
    curl -sf "http://127.0.0.1:$((18190 + i))/" >/dev/null || { echo "node $i did not start:" >&2; cat "$WORK/node$i.log" >&2; exit 1; }
  done
}
stop_nodes() {
  for p in "${NODE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

load_nodes() { # seconds -> prints total requests and non-2xx over the three nodes
  local secs=$1 i wrks=()
  for i in 0 1 2; do
    wrk -t1 -c"$CONNS" -d"${secs}s" "http://127.0.0.1:$((18190 + i))/" > "$WORK/wrk$i.txt" &
    wrks+=($!)
  done
  wait "${wrks[@]}"
  awk '/requests in/ {r += $1} /Non-2xx/ {b += $5} END {print r + 0, b + 0}' "$WORK"/wrk?.txt
}

measure_nodes() { # name -> prints "name requests non2xx gateway_ticks redis_ticks"
  local name=$1
  load_nodes "${WARMUP:-15}" >/dev/null
  local before=0 p; for p in "${NODE_PIDS[@]}"; do before=$((before + $(ticks "$p"))); done
  local rbefore; rbefore=$(ticks "$REDIS_PID")
  local res; res=$(load_nodes "$DURATION")
  local after=0; for p in "${NODE_PIDS[@]}"; do after=$((after + $(ticks "$p"))); done
  local rafter; rafter=$(ticks "$REDIS_PID")
  echo "$name $res $((after - before)) $((rafter - rbefore))"
}

measure_nginx() {
  local url=$1
  wrk -t2 -c"$CONNS" -d"${WARMUP:-15}s" "$url" >/dev/null
  local before; before=$(ticks "$NGINX_WORKER")
  local out; out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" "$url")
  local after; after=$(ticks "$NGINX_WORKER")
  echo "$(echo "$out" | awk '/requests in/ {print $1}') $((after - before))"
}

DIRECT=$(measure_nginx "http://127.0.0.1:$BACKEND_PORT/")
NGINX=$(measure_nginx "http://127.0.0.1:$NGINX_PROXY_PORT/")
start_nodes
LOCAL=$(measure_nodes local)
stop_nodes
start_nodes --redis "redis://127.0.0.1:$REDIS_PORT"
REDIS=$(measure_nodes redis)
stop_nodes

python3 - "$HZ" "$DIRECT" "$NGINX" "$LOCAL" "$REDIS" <<'PY' | tee "$OUT/cluster.txt"
import sys
hz = int(sys.argv[1])
dreq, dt = map(int, sys.argv[2].split())
nreq, nt = map(int, sys.argv[3].split())
backend_us = dt / hz / dreq * 1e6
nginx_us = nt / hz / nreq * 1e6 - backend_us
print(f"nginx reverse proxy : {nreq:>9} req, {nginx_us:6.1f} us CPU/req (proxy share)")
rows = {}
for arg in sys.argv[4:]:
    name, reqs, bad, gt, rt = arg.split()
    reqs, bad, gt, rt = int(reqs), int(bad), int(gt), int(rt)
    gw_us = gt / hz / reqs * 1e6
    redis_us = rt / hz / reqs * 1e6
    rows[name] = (reqs, gw_us, redis_us)
    print(f"3 nodes, {name:5} counters: {reqs:>9} req, gateway {gw_us:6.1f} us CPU/req ({gw_us / nginx_us:.2f}x nginx),"
          f" redis-server {redis_us:5.1f} us/req, non-2xx {bad}")
l, r = rows["local"], rows["redis"]
print(f"Redis-backed limits cost {r[1] - l[1]:+.1f} us CPU/req in the gateway and {r[2]:.1f} us in redis-server;"
      f" throughput ratio redis/local {r[0] / l[0]:.2f}x")
PY
