#!/usr/bin/env bash
# Circuit-breaker benchmark: how fast the gateway answers once a dead backend's breaker is open.
#
# Starts nginx as the backend (37-byte response) and the gateway with one API whose backend has a
# circuit breaker (window 100, minimum 20 calls, 50 % failures, open for an hour), loads it with
# wrk, kills the backend under that load, waits until GET /api/v1/backend-status/dead reports the
# breaker OPEN, then measures the 503 `backend-circuit-open` answers with `wrk --latency` at 50
# connections and at 1 connection (p50/p99 latency, requests, gateway CPU per request). For scale,
# the same two wrk runs against nginx answering a fixed 503 (`return 503`) in the same run.
#
# Usage: bench/breaker.sh [seconds=10]
# Extra `gatehouse serve` options in BENCH_SERVE_OPTS (default: access log, metrics, analytics off).
# Needs: nginx, wrk (Debian packages nginx-light and wrk), curl, a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
OUT=bench/out
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT

BACKEND_PORT=18091; GW_PORT=18090; MGMT_PORT=18011; NGINX_503_PORT=18092
TOKEN=bench-token-0123456789abcdef
command -v nginx >/dev/null || { echo "nginx is required (apt-get install nginx-light)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }

cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$BACKEND_PORT; location / { return 200 "0123456789012345678901234567890123456"; } }
}
NGINX
nginx -c "$WORK/nginx.conf"
sleep 0.5

cat > "$WORK/gatehouse.yaml" <<YAML
backends:
  - name: dead
    url: http://127.0.0.1:$BACKEND_PORT
    circuitBreaker: {window: 100, minimumCalls: 20, failureRateThreshold: 50, openDuration: 3600s}
apis:
  - name: fragile
    path: /
    backend: dead
    subscriptionRequired: false
YAML

[ -f gatehouse-server/target/gatehouse.jar ] || ./mvnw -q -B -DskipTests package -pl gatehouse-server -am
GATEHOUSE_ALLOWED_BACKEND_NETWORKS=127.0.0.1/32 GATEHOUSE_ADMIN_TOKEN=$TOKEN java ${BENCH_JAVA_OPTS:--Xmx1g} -jar gatehouse-server/target/gatehouse.jar serve \
  --config "$WORK/gatehouse.yaml" --data "$WORK/data" --gateway-host 127.0.0.1 \
  --gateway-port $GW_PORT --management-port $MGMT_PORT \
  ${BENCH_SERVE_OPTS:---no-access-log --no-metrics --no-analytics} > "$WORK/gatehouse.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$GW_PORT/" >/dev/null && break; sleep 0.1; done
if ! kill -0 "$GW_PID" 2>/dev/null || ! curl -sf "http://127.0.0.1:$GW_PORT/" >/dev/null; then
  echo "the gateway did not start; its log:" >&2
  cat "$WORK/gatehouse.log" >&2
  exit 1
fi

breaker() {
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$MGMT_PORT/api/v1/backend-status/dead" \
    | grep -o '"breaker":"[A-Z_]*"' | cut -d'"' -f4
}

wrk -t2 -c50 -d5s "http://127.0.0.1:$GW_PORT/" >/dev/null   # warm-up with a live backend (JIT)
echo "before the kill: breaker $(breaker)"
wrk -t2 -c50 -d"$((DURATION + 5))s" "http://127.0.0.1:$GW_PORT/" > "$WORK/kill-run.txt" &
LOAD=$!
sleep 2
kill "$(cat "$WORK/nginx.pid")"; rm -f "$WORK/nginx.pid"
KILLED=$(date +%s%N)
for _ in $(seq 1 500); do [ "$(breaker)" = OPEN ] && break; sleep 0.01; done
OPENED=$(date +%s%N)
STATE=$(breaker)
echo "after the kill: breaker $STATE (seen $(( (OPENED - KILLED) / 1000000 )) ms after the kill, polling every 10 ms)"
[ "$STATE" = OPEN ] || { echo "the breaker did not open"; exit 1; }
wait "$LOAD" || true
curl -s -D - -o /dev/null "http://127.0.0.1:$GW_PORT/" | tr -d '\r' | grep -iE '^(HTTP|retry-after)' | sed 's/^/  /'

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
run() { # name port pid connections -> wrk output plus CPU ticks of pid
  local before; before=$(ticks "$3")
  wrk -t"$(( $4 < 2 ? 1 : 2 ))" -c"$4" -d"${DURATION}s" --latency "http://127.0.0.1:$2/" > "$WORK/$1-c$4.txt"
  local after; after=$(ticks "$3")
  echo "$(( after - before ))" > "$WORK/$1-c$4.ticks"
}
run gatehouse $GW_PORT "$GW_PID" 50
run gatehouse $GW_PORT "$GW_PID" 1

cat > "$WORK/nginx503.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx503.pid;
error_log $WORK/nginx503-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$NGINX_503_PORT; location / { return 503 "0123456789012345678901234567890123456"; } }
}
NGINX
nginx -c "$WORK/nginx503.conf"
sleep 0.5
trap 'kill $(jobs -p) 2>/dev/null || true; kill "$(cat "$WORK/nginx503.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT
N503_WORKER=$(pgrep -P "$(cat "$WORK/nginx503.pid")" | head -n 1)
wrk -t2 -c50 -d3s "http://127.0.0.1:$NGINX_503_PORT/" >/dev/null
run nginx $NGINX_503_PORT "$N503_WORKER" 50
run nginx $NGINX_503_PORT "$N503_WORKER" 1

python3 - "$HZ" "$WORK" <<'PY' | tee "$OUT/breaker.txt"
import re, sys
hz, work = int(sys.argv[1]), sys.argv[2]
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
for name, c in (("gatehouse", 50), ("gatehouse", 1), ("nginx 503", 50), ("nginx 503", 1)):
    text = open(f"{work}/{name.split()[0]}-c{c}.txt").read()
    reqs = int(re.search(r"(\d+) requests in", text).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    non2xx = int(non2xx.group(1)) if non2xx else 0
    p = {q: ms(re.search(rf"^\s+{q}%\s+(\S+)", text, re.M).group(1)) for q in ("50", "99")}
    cpu_us = int(open(f"{work}/{name.split()[0]}-c{c}.ticks").read()) / hz / reqs * 1e6
    print(f"{name:>9}, {c:>2} connection(s): {reqs:>8} requests, {non2xx} answered 503,"
          f" p50 {p['50']:.3f} ms, p99 {p['99']:.3f} ms, {cpu_us:.1f} us CPU per request")
PY
