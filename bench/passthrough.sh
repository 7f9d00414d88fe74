#!/usr/bin/env bash
# Passthrough benchmark (S0): gateway CPU per request beside nginx as a reverse proxy, same run.
#
# Starts nginx as the backend (37-byte response) and as a reverse proxy in front of it, starts the
# gateway with one passthrough API, loads each proxy with wrk, and reads each proxy's CPU time
# (utime+stime from /proc/<pid>/stat) over the measured run, after a warm-up run.
#
# Usage: bench/passthrough.sh [seconds=20] [connections=50]
# Environment:
#   BENCH_SERVE_OPTS  extra `gatehouse serve` options, e.g. observability off:
#                     BENCH_SERVE_OPTS="--no-access-log --no-metrics --no-analytics" bench/passthrough.sh
#   BENCH_TLS=1       every proxy terminates TLS (one ECDSA P-256 certificate, keep-alive): nginx with
#                     `listen ssl`, the gateway on its HTTPS listener, Spring Cloud Gateway with server.ssl
#   BENCH_JARS        gateway builds to compare, "label=path[,serve-option...] ...", measured one after
#                     the other in each round (default: gatehouse=gatehouse-server/target/gatehouse.jar),
#                     e.g. "jdk-nio=gatehouse.jar,--transport=nio,--tls-engine=jdk native=gatehouse.jar"
#   ROUNDS            rounds (default 1); nginx and every build are measured in each round
#   BENCH_SCG=1       also Spring Cloud Gateway (bench/scg, one route with StripPrefix, built on first use)
#   WARMUP            warm-up seconds before each measured run (default 15)
# Needs: nginx, wrk (Debian packages nginx-light and wrk), openssl, python3, a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
DURATION=${1:-20}
CONNS=${2:-50}
ROUNDS=${ROUNDS:-1}
TLS=${BENCH_TLS:-0}
OUT=bench/out
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT

BACKEND_PORT=18081; NGINX_PROXY_PORT=18082; GW_PORT=18080; GW_TLS_PORT=18443; MGMT_PORT=18001; SCG_PORT=18083
command -v nginx >/dev/null || { echo "nginx is required (apt-get install nginx-light)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }

SCHEME=http; NGINX_LISTEN=""; NGINX_TLS=""
if [ "$TLS" = 1 ]; then
  SCHEME=https; NGINX_LISTEN=" ssl"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
  NGINX_TLS="ssl_certificate $WORK/cert.pem; ssl_certificate_key $WORK/key.pem; ssl_protocols TLSv1.2 TLSv1.3;"
fi
nginx_baseline "$WORK" "$BACKEND_PORT" "$NGINX_PROXY_PORT" "$NGINX_LISTEN" "$NGINX_TLS" "keepalive_requests 1000000;"

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

BENCH_JARS=${BENCH_JARS:-gatehouse=gatehouse-server/target/gatehouse.jar}
[ -f gatehouse-server/target/gatehouse.jar ] || [ "$BENCH_JARS" != gatehouse=gatehouse-server/target/gatehouse.jar ] \
  || ./mvnw -q -B -DskipTests package -pl gatehouse-server -am

wait_for() { # url pid log
  for _ in $(seq 1 600); do curl -skf "$1" >/dev/null && return 0; kill -0 "$2" 2>/dev/null || break; sleep 0.1; done
  echo "$1 did not answer; the log:" >&2; cat "$3" >&2; exit 1
}

start_gatehouse() { # jar[,serve-option...] -> sets GW_PID
  local jar=${1%%,*} extra=""
  [ "$jar" != "$1" ] && extra=${1#*,} && extra=${extra//,/ }
  local tls_opts=""
  [ "$TLS" = 1 ] && tls_opts="--https-port $GW_TLS_PORT --tls-cert $WORK/cert.pem,$WORK/key.pem"
  rm -rf "$WORK/data"
  # shellcheck disable=SC2086
  GATEHOUSE_ALLOWED_BACKEND_NETWORKS=127.0.0.1/32 GATEHOUSE_ADMIN_TOKEN=bench-token-0123456789abcdef java ${BENCH_JAVA_OPTS:--Xmx1g} -jar "$jar" serve \
    --config "$WORK/gatehouse.yaml" --data "$WORK/data" --gateway-host 127.0.0.1 \
    --gateway-port $GW_PORT --management-port $MGMT_PORT $tls_opts $extra ${BENCH_SERVE_OPTS:-} > "$WORK/gatehouse.log" 2>&1 &
  GW_PID=$!
  wait_for "$GW_URL" "$GW_PID" "$WORK/gatehouse.log"
}
GW_URL="http://127.0.0.1:$GW_PORT/"; [ "$TLS" = 1 ] && GW_URL="https://127.0.0.1:$GW_TLS_PORT/"

SCG_PID=""
if [ "${BENCH_SCG:-0}" = 1 ]; then
  [ -f bench/scg/target/scg-peer.jar ] || ./mvnw -q -B -f bench/scg/pom.xml -DskipTests package
  scg_tls=""
  [ "$TLS" = 1 ] && scg_tls="--server.ssl.certificate=$WORK/cert.pem --server.ssl.certificate-private-key=$WORK/key.pem"
  # shellcheck disable=SC2086
  java ${BENCH_JAVA_OPTS:--Xmx1g} -jar bench/scg/target/scg-peer.jar --server.port=$SCG_PORT --server.address=127.0.0.1 \
    --BACKEND_URL=http://127.0.0.1:$BACKEND_PORT $scg_tls > "$WORK/scg.log" 2>&1 &
  SCG_PID=$!
  wait_for "$SCHEME://127.0.0.1:$SCG_PORT/api/" "$SCG_PID" "$WORK/scg.log"
fi

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

measure() { # name url pid -> prints "name requests ticks non2xx"
  local name=$1 url=$2 pid=$3
  wrk -t2 -c"$CONNS" -d"${WARMUP:-15}s" "$url" >/dev/null   # warm-up (JIT)
  local before; before=$(ticks "$pid")
  local out; out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" "$url")
  local after; after=$(ticks "$pid")
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  local errors; errors=$(echo "$out" | awk '/Socket errors/ {n = 0; for (i = 4; i <= NF; i += 2) n += $i; print n}')
  echo "$name $reqs $(( after - before )) $(( ${non2xx:-0} + ${errors:-0} ))"
}

echo "passthrough $SCHEME, ${DURATION}s x $ROUNDS rounds, $CONNS connections, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" \
  | tee "$OUT/passthrough.txt"
for round in $(seq 1 "$ROUNDS"); do
  RESULTS=("$(measure backend "http://127.0.0.1:$BACKEND_PORT/" "$NGINX_WORKER")")
  RESULTS+=("$(measure nginx "$SCHEME://127.0.0.1:$NGINX_PROXY_PORT/" "$NGINX_WORKER")")
  for entry in $BENCH_JARS; do
    start_gatehouse "${entry#*=}"
    RESULTS+=("$(measure "${entry%%=*}" "$GW_URL" "$GW_PID")")
    kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
  done
  [ -n "$SCG_PID" ] && RESULTS+=("$(measure spring-cloud-gateway "$SCHEME://127.0.0.1:$SCG_PORT/api/" "$SCG_PID")")
  python3 - "$HZ" "$round" "$(cut -d' ' -f1-3 /proc/loadavg)" "${RESULTS[@]}" <<'PY' | tee -a "$OUT/passthrough.txt"
import sys
hz, rnd, load = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rows = [s.split() for s in sys.argv[4:]]
def us(r): return int(r[2]) / hz / int(r[1]) * 1e6
backend_us = us(rows[0])
# The nginx worker also served the backend during the proxy run: subtract the backend's cost per request.
nginx_us = us(rows[1]) - backend_us
print(f"round {rnd} (load average at its end {load})")
print(f"  {'backend alone':<22}: {rows[0][1]:>9} req, {backend_us:6.1f} us CPU/req (nginx worker)")
print(f"  {'nginx reverse proxy':<22}: {rows[1][1]:>9} req, {nginx_us:6.1f} us CPU/req (proxy share), failed {rows[1][3]}")
for r in rows[2:]:
    print(f"  {r[0]:<22}: {r[1]:>9} req, {us(r):6.1f} us CPU/req (whole JVM), failed {r[3]},"
          f" {us(r) / nginx_us:.2f}x nginx CPU/req, {int(r[1]) / int(rows[1][1]):.2f}x nginx throughput")
PY
done
