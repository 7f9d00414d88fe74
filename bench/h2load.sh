#!/usr/bin/env bash
# HTTP/2 over TLS load test: gateway CPU per request beside nginx as an HTTP/2 reverse proxy.
#
# Starts nginx as the backend (37-byte response, HTTP/1.1) and as a TLS + HTTP/2 reverse proxy in
# front of it, starts the gateway with one passthrough API and a self-signed certificate, loads
# each proxy with h2load over TLS (ALPN h2), and reads each process's CPU time (utime+stime from
# /proc/<pid>/stat) over the measured run, after a warm-up run. Every request goes through the
# HTTP/2 request validator; the run fails when h2load reports a failed or errored request.
#
# Usage: bench/h2load.sh [seconds=20] [connections=10] [streams per connection=10]
# Extra `gatehouse serve` options in BENCH_SERVE_OPTS, as for bench/passthrough.sh.
# Needs: nginx, h2load, openssl (Debian packages nginx-light, nghttp2-client, openssl), a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
DURATION=${1:-20}
CONNS=${2:-10}
STREAMS=${3:-10}
OUT=bench/out
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT

BACKEND_PORT=18091; NGINX_PROXY_PORT=18092; GW_PORT=18090; GW_TLS_PORT=18493; MGMT_PORT=18011
for tool in nginx h2load openssl; do
  command -v $tool >/dev/null || { echo "$tool is required (apt-get install nginx-light nghttp2-client openssl)"; exit 1; }
done

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

nginx_baseline "$WORK" "$BACKEND_PORT" "$NGINX_PROXY_PORT" " ssl http2" "ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    http2_max_concurrent_streams 100;
    keepalive_requests 1000000;   # h2load does not reconnect after nginx's default GOAWAY at 1000"

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
GATEHOUSE_ADMIN_TOKEN=bench-token-0123456789abcdef java ${BENCH_JAVA_OPTS:--Xmx1g} -jar gatehouse-server/target/gatehouse.jar serve \
  --config "$WORK/gatehouse.yaml" --data "$WORK/data" --gateway-host 127.0.0.1 \
  --gateway-port $GW_PORT --https-port $GW_TLS_PORT --tls-cert "$WORK/cert.pem,$WORK/key.pem" \
  --management-port $MGMT_PORT ${BENCH_SERVE_OPTS:-} > "$WORK/gatehouse.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 300); do curl -skf "https://127.0.0.1:$GW_TLS_PORT/" >/dev/null && break; sleep 0.1; done
if ! kill -0 "$GW_PID" 2>/dev/null || ! curl -skf "https://127.0.0.1:$GW_TLS_PORT/" >/dev/null; then
  echo "the gateway did not start; its log:" >&2
  cat "$WORK/gatehouse.log" >&2
  exit 1
fi

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

measure() { # name url pid protocol -> prints "name requests cpu_ticks failed req_per_s 2xx"
  local name=$1 url=$2 pid=$3 proto=$4 flags=()
  [ "$proto" = h2 ] || flags=(--h1)   # the backend alone speaks HTTP/1.1 (pipelined by -m)
  h2load "${flags[@]}" -D "${WARMUP:-10}" -c "$CONNS" -m "$STREAMS" -t 1 "$url" >/dev/null   # warm-up (JIT)
  local before; before=$(ticks "$pid")
  local out; out=$(h2load "${flags[@]}" -D "$DURATION" -c "$CONNS" -m "$STREAMS" -t 1 "$url")
  local after; after=$(ticks "$pid")
  echo "$out" > "$OUT/h2load-$name.txt"
  grep -q "Application protocol: $proto" <<<"$out" || { echo "$name: $proto was not negotiated" >&2; exit 1; }
  local done; done=$(awk '/^requests:/ {print $8}' <<<"$out")
  local failed; failed=$(awk '/^requests:/ {print $10 + $12}' <<<"$out")
  local rps; rps=$(awk '/^finished in/ {print $4}' <<<"$out")
  local ok2xx; ok2xx=$(awk '/^status codes:/ {print $3}' <<<"$out")
  echo "$name $done $(( after - before )) $failed $rps ${ok2xx:-0}"
}

direct=$(measure backend "http://127.0.0.1:$BACKEND_PORT/" "$NGINX_WORKER" http/1.1)
proxy=$(measure nginx-proxy "https://127.0.0.1:$NGINX_PROXY_PORT/" "$NGINX_WORKER" h2)
gw=$(measure gatehouse "https://127.0.0.1:$GW_TLS_PORT/" "$GW_PID" h2)
# The same listener over HTTP/1.1 (pipelined by -m): tells the HTTP/2 path's cost from the gateway's.
gwh1=$(measure gatehouse-h1 "https://127.0.0.1:$GW_TLS_PORT/" "$GW_PID" http/1.1)

{
  echo "h2load over TLS: ${DURATION}s, $CONNS connections x $STREAMS streams, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "name requests cpu_ticks failed req_per_s 2xx"
  echo "$direct"; echo "$proxy"; echo "$gw"; echo "$gwh1"
} | tee "$OUT/h2load-summary.txt"
awk -v hz="$HZ" -v d="$direct" -v p="$proxy" -v g="$gw" -v h="$gwh1" 'BEGIN {
  split(d, a, " "); split(p, b, " "); split(g, c, " "); split(h, e, " ");
  us_d = a[3] / hz * 1e6 / a[2]; us_p = b[3] / hz * 1e6 / b[2] - us_d; us_g = c[3] / hz * 1e6 / c[2];
  printf "nginx backend alone: %.1f us/request\nnginx h2 proxy share: %.1f us/request\n", us_d, us_p;
  printf "gatehouse (whole JVM): %.1f us/request, %s req/s, failed %d\n", us_g, c[5], c[4];
  printf "gatehouse / nginx proxy: %.2fx CPU per request, %.2fx throughput\n", us_g / us_p, c[5] / b[5];
  printf "gatehouse over HTTP/1.1 TLS: %.1f us/request, %s req/s, failed %d\n", e[3] / hz * 1e6 / e[2], e[5], e[4];
}' | tee -a "$OUT/h2load-summary.txt"
failed=$(awk '{print $4}' <<<"$gw")
[ "$failed" = "0" ] || { echo "gatehouse: $failed failed requests" >&2; exit 1; }
