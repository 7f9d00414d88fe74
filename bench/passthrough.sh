#!/usr/bin/env bash
# Passthrough benchmark: gateway CPU per request beside nginx as a reverse proxy, same run.
#
# Starts nginx as the backend (37-byte response) and as a reverse proxy in front of it, starts the
# gateway with one passthrough API, loads each proxy with wrk, and reads each proxy's CPU time
# (utime+stime from /proc/<pid>/stat) over the measured run, after a warm-up run.
#
# Usage: bench/passthrough.sh [seconds=20] [connections=50]
# Extra `gatehouse serve` options in BENCH_SERVE_OPTS, e.g. observability off:
#   BENCH_SERVE_OPTS="--no-access-log --no-metrics --no-analytics" bench/passthrough.sh
# Needs: nginx, wrk (Debian packages nginx-light and wrk), a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
DURATION=${1:-20}
CONNS=${2:-50}
OUT=bench/out
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT

BACKEND_PORT=18081; NGINX_PROXY_PORT=18082; GW_PORT=18080; MGMT_PORT=18001
command -v nginx >/dev/null || { echo "nginx is required (apt-get install nginx-light)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }

nginx_baseline "$WORK" "$BACKEND_PORT" "$NGINX_PROXY_PORT"

cat > "$WORK/gatehouse.yaml" <<YAML
backends:
  - name: nginx
    url: http://127.0.0.1:$BACKEND_PORT
apis:
  - name: passthrough
    path: /
    backend: nginx
    subscriptionRequired: false
YAML

[ -f gatehouse-server/target/gatehouse.jar ] || ./mvnw -q -B -DskipTests package -pl gatehouse-server -am
GATEHOUSE_ALLOWED_BACKEND_NETWORKS=127.0.0.1/32 GATEHOUSE_ADMIN_TOKEN=bench-token-0123456789abcdef java ${BENCH_JAVA_OPTS:--Xmx1g} -jar gatehouse-server/target/gatehouse.jar serve \
  --config "$WORK/gatehouse.yaml" --data "$WORK/data" --gateway-host 127.0.0.1 \
  --gateway-port $GW_PORT --management-port $MGMT_PORT ${BENCH_SERVE_OPTS:-} > "$WORK/gatehouse.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$GW_PORT/" >/dev/null && break; sleep 0.1; done
if ! kill -0 "$GW_PID" 2>/dev/null || ! curl -sf "http://127.0.0.1:$GW_PORT/" >/dev/null; then
  echo "the gateway did not start; its log:" >&2
  cat "$WORK/gatehouse.log" >&2
  exit 1
fi

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

measure() { # name url pid -> prints "name requests cpu_seconds"
  local name=$1 url=$2 pid=$3
  wrk -t2 -c"$CONNS" -d"${WARMUP:-15}s" "$url" >/dev/null   # warm-up (JIT)
  local before; before=$(ticks "$pid")
  local out; out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" "$url")
  local after; after=$(ticks "$pid")
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "$name $reqs $(( after - before )) ${non2xx:-0}"
}

DIRECT=$(measure backend "http://127.0.0.1:$BACKEND_PORT/" "$NGINX_WORKER")
NGINX=$(measure nginx "http://127.0.0.1:$NGINX_PROXY_PORT/" "$NGINX_WORKER")
GATE=$(measure gatehouse "http://127.0.0.1:$GW_PORT/" "$GW_PID")

python3 - "$HZ" "$DIRECT" "$NGINX" "$GATE" <<'PY' | tee "$OUT/passthrough.txt"
import sys
hz = int(sys.argv[1])
def parse(s):
    n, reqs, ticks, non2xx = s.split()
    return n, int(reqs), int(ticks) / hz, int(non2xx)
_, dreq, dcpu, _ = parse(sys.argv[2])
_, nreq, ncpu, nbad = parse(sys.argv[3])
_, greq, gcpu, gbad = parse(sys.argv[4])
# The nginx worker also served the backend during the proxy run: subtract the backend's cost per request.
backend_us = dcpu / dreq * 1e6
nginx_us = ncpu / nreq * 1e6 - backend_us
gate_us = gcpu / greq * 1e6
print(f"backend alone     : {dreq:>9} req, {backend_us:6.1f} us CPU/req (nginx worker)")
print(f"nginx reverse proxy: {nreq:>9} req, {nginx_us:6.1f} us CPU/req (proxy share), non-2xx {nbad}")
print(f"gatehouse          : {greq:>9} req, {gate_us:6.1f} us CPU/req (whole JVM), non-2xx {gbad}")
print(f"ratio gatehouse/nginx CPU per request: {gate_us / nginx_us:.2f}x")
print(f"throughput ratio gatehouse/nginx: {greq / nreq:.2f}x")
PY
