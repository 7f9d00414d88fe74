#!/usr/bin/env bash
# Reload under load: configuration applies through the management API while wrk drives traffic.
#
# Starts nginx as the backend (37-byte response), starts the built gateway jar in API mode (no
# --config file, GATEHOUSE_ADMIN_TOKEN set), applies a passthrough configuration with
# PUT /api/v1/config, then runs wrk against the gateway while re-applying the configuration N times
# (each apply alternates a product description, so each one commits a new revision and the gateway
# swaps its snapshot). Reports wrk's total requests, non-2xx/3xx responses (0 expected) and socket
# errors, and how many applies created a revision, beside a run of the same length without
# applies. wrk's request timeout is 10 s (not 2 s), so that a slow shared machine shows up as
# latency rather than as timeouts.
#
# Usage: bench/reload.sh [seconds=30] [applies=100] [connections=50]
# Needs: nginx, wrk (Debian packages nginx-light and wrk), curl, python3, a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-30}
APPLIES=${2:-100}
CONNS=${3:-50}
OUT=bench/out
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v nginx >/dev/null || { echo "nginx is required (apt-get install nginx-light)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BACKEND_PORT=$(free_port); GW_PORT=$(free_port); MGMT_PORT=$(free_port)
TOKEN=bench-token-0123456789abcdef
M="http://127.0.0.1:$MGMT_PORT/api/v1"

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

[ -f gatehouse-server/target/gatehouse.jar ] || ./mvnw -q -B -DskipTests package -pl gatehouse-server -am
GATEHOUSE_ALLOWED_BACKEND_NETWORKS=127.0.0.1/32 GATEHOUSE_ADMIN_TOKEN=$TOKEN java ${BENCH_JAVA_OPTS:--Xmx1g} -jar gatehouse-server/target/gatehouse.jar serve \
  --data "$WORK/data" --gateway-host 127.0.0.1 --gateway-port "$GW_PORT" \
  --management-port "$MGMT_PORT" > "$WORK/gatehouse.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$GW_PORT/status-0123456789abcdef" >/dev/null && break
  kill -0 "$GW_PID" 2>/dev/null || { cat "$WORK/gatehouse.log"; exit 1; }
  sleep 0.1
done

config() { # description -> YAML configuration
  cat <<YAML
backends:
  - name: nginx
    url: http://127.0.0.1:$BACKEND_PORT
apis:
  - name: passthrough
    path: /
    backend: nginx
    subscriptionRequired: false
products:
  - name: bench
    description: "$1"
    apis: [passthrough]
YAML
}
apply() { # description -> prints the response body
  config "$1" | curl -sf -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/yaml' \
    --data-binary @- "$M/config"
}
apply "initial" >/dev/null
curl -sf "http://127.0.0.1:$GW_PORT/" >/dev/null || { echo "passthrough does not answer"; exit 1; }
wrk -t2 -c"$CONNS" -d5s "http://127.0.0.1:$GW_PORT/" >/dev/null   # warm-up
wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s "http://127.0.0.1:$GW_PORT/" > "$WORK/baseline.txt"

# wrk runs until every apply has finished (at least DURATION seconds); SIGINT makes it stop and
# print its totals.
wrk -t2 -c"$CONNS" -d3600s --timeout 10s "http://127.0.0.1:$GW_PORT/" > "$WORK/wrk.txt" &
WRK_PID=$!
W0=$(date +%s%3N)
sleep 1
# Spread the applies over the run (one every INTERVAL seconds, back to back when behind).
INTERVAL_MS=$(( (DURATION - 2) * 1000 / APPLIES ))
CREATED=0; FAILED=0; FIRST=""; LAST=""
T0=$(date +%s%3N)
for i in $(seq 1 "$APPLIES"); do
  if body=$(apply "reload $((i % 2))"); then
    rev=$(echo "$body" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["revision"] if d["changed"] else "")')
    if [ -n "$rev" ]; then CREATED=$((CREATED + 1)); FIRST=${FIRST:-$rev}; LAST=$rev; fi
  else
    FAILED=$((FAILED + 1))
  fi
  NOW=$(date +%s%3N)
  AHEAD=$(( T0 + i * INTERVAL_MS - NOW ))
  [ "$AHEAD" -gt 0 ] && sleep "$(awk -v ms="$AHEAD" 'BEGIN {print ms / 1000}')"
done
APPLY_SECONDS=$(awk -v s="$T0" -v e="$(date +%s%3N)" 'BEGIN {printf "%.1f", (e - s) / 1000}')
sleep 1
LEFT=$(( W0 + DURATION * 1000 - $(date +%s%3N) ))
[ "$LEFT" -gt 0 ] && sleep "$(awk -v ms="$LEFT" 'BEGIN {print ms / 1000}')"
kill -INT "$WRK_PID"
wait "$WRK_PID" || true
WRK_SECONDS=$(awk -v s="$W0" -v e="$(date +%s%3N)" 'BEGIN {printf "%.1f", (e - s) / 1000}')
cp "$WORK/gatehouse.log" "$OUT/reload-gatehouse.log"

summary() { # wrk output file -> "requests (rps/s), p50 latency, non-2xx N, socket errors ..."
  local reqs rps lat non2xx socket
  reqs=$(awk '/requests in/ {print $1}' "$1"); rps=$(awk '/Requests\/sec/ {print $2}' "$1")
  lat=$(awk '/Latency/ {print $2}' "$1"); non2xx=$(awk '/Non-2xx or 3xx/ {print $5}' "$1")
  socket=$(awk -F'Socket errors: ' '/Socket errors/ {print $2}' "$1")
  echo "$reqs requests ($rps/s), mean latency $lat, non-2xx/3xx ${non2xx:-0}, socket errors: ${socket:-none}"
}
{
  echo "duration          : ${DURATION}s per run, $CONNS connections, load average $(cut -d' ' -f1 /proc/loadavg)"
  echo "without applies   : $(summary "$WORK/baseline.txt")"
  echo "with applies      : $(summary "$WORK/wrk.txt") over ${WRK_SECONDS}s"
  echo "applies           : $APPLIES sent in ${APPLY_SECONDS}s, all while wrk ran, $CREATED created a revision ($FIRST..$LAST), $FAILED failed"
  echo "gateway errors    : $(grep -c ' ERROR ' "$WORK/gatehouse.log" || true) ERROR lines in its log ($OUT/reload-gatehouse.log)"
} | tee "$OUT/reload.txt"
