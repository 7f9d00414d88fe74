#!/usr/bin/env bash
# Inline injection-protection cost through the gateway: CPU per request for a POST with a 1 KB JSON
# body to an API with `injection-protection: {action: block}`, against the same request to an
# identical API without the policy, in the same gateway process and run.
#
# Starts nginx as the backend (37-byte response), the built jar with the two APIs (access log,
# metrics and analytics off, body sampling off, so only the policy differs), and loads each API in
# turn with wrk and a Lua script that posts the body, alternating the two APIs ROUNDS times. The
# gateway's CPU comes from /proc/<pid>/stat. The policy's cost is the difference per request.
#
# Usage: bench/injection.sh [seconds=15] [rounds=3] [connections=50]
# Needs: nginx, wrk (Debian packages nginx-light and wrk), curl, python3, a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
ROUNDS=${2:-3}
CONNS=${3:-50}
OUT=bench/out
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT

BACKEND_PORT=18101; GW_PORT=18100; MGMT_PORT=18102
command -v nginx >/dev/null || { echo "nginx is required (apt-get install nginx-light)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }

cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_buffer_size 16k;
  server { listen 127.0.0.1:$BACKEND_PORT; location / { return 200 "0123456789012345678901234567890123456"; } }
}
NGINX
nginx -c "$WORK/nginx.conf"
sleep 0.5

cat > "$WORK/gatehouse.yaml" <<YAML
backends:
  - name: nginx
    url: http://127.0.0.1:$BACKEND_PORT
apis:
  - name: plain
    path: /plain
    backend: nginx
    subscriptionRequired: false
  - name: guarded
    path: /guarded
    backend: nginx
    subscriptionRequired: false
    policies:
      inbound:
        - injection-protection: {action: block}
YAML

# The same realistic 1 KB order document as bench/micro/InjectionCost.java (no attack in it).
cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/126.0"
wrk.body = '{"id":"6f1c2b9e-3d4a-4c5b-9e8f-0a1b2c3d4e5f","customer":{"name":"Jane Doe","email":"jane.doe@example.com","phone":"+1 415 555 0100","address":{"street":"1 Market Street","city":"San Francisco","zip":"94105","country":"US"}},"items":[{"sku":"SKU-12345","title":"Blue cotton t-shirt, size M","quantity":2,"price":19.99},{"sku":"SKU-67890","title":"Running shoes (men\'s), size 43","quantity":1,"price":89.5},{"sku":"SKU-11111","title":"Gift card","quantity":1,"price":25}],"notes":"Please leave the parcel at the door if nobody answers. Thanks!","coupon":"SPRING-2024","createdAt":"2024-03-01T12:34:56Z","channel":"web","tags":["priority","gift","returning-customer"],"payment":{"method":"card","last4":"4242","currency":"USD"},"shipping":{"method":"express","carrier":"UPS","instructions":"Ring twice; call 555-0100 when outside."},"marketing":{"optIn":true,"source":"newsletter","campaign":"spring_sale_2024","medium":"email","segment":"loyal"},"referrer":"https://www.example.com/products/shoes?utm_source=newsletter"}'
LUA

[ -f gatehouse-server/target/gatehouse.jar ] || ./mvnw -q -B -DskipTests package -pl gatehouse-server -am
GATEHOUSE_ALLOWED_BACKEND_NETWORKS=127.0.0.1/32 GATEHOUSE_ADMIN_TOKEN=bench-token-0123456789abcdef java ${BENCH_JAVA_OPTS:--Xmx1g} -jar gatehouse-server/target/gatehouse.jar serve \
  --config "$WORK/gatehouse.yaml" --data "$WORK/data" --gateway-host 127.0.0.1 \
  --gateway-port $GW_PORT --management-port $MGMT_PORT \
  --no-access-log --no-metrics --no-analytics --sample-rate 0 > "$WORK/gatehouse.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$GW_PORT/plain" >/dev/null && break; sleep 0.1; done
if ! kill -0 "$GW_PID" 2>/dev/null || ! curl -sf "http://127.0.0.1:$GW_PORT/plain" >/dev/null; then
  echo "the gateway did not start; its log:" >&2
  cat "$WORK/gatehouse.log" >&2
  exit 1
fi
# The policy must pass the benign body and block an attack, or the comparison means nothing.
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  --data '{"q":"1'"'"' OR 1=1 --"}' "http://127.0.0.1:$GW_PORT/guarded")
[ "$code" = 403 ] || { echo "expected the attack to be blocked with 403 but got $code"; exit 1; }

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
run() { # path -> "requests ticks non2xx"
  local before; before=$(ticks "$GW_PID")
  local out; out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$WORK/post.lua" "http://127.0.0.1:$GW_PORT$1")
  local after; after=$(ticks "$GW_PID")
  echo "$(echo "$out" | awk '/requests in/ {print $1}') $(( after - before )) $(echo "$out" | awk '/Non-2xx/ {print $5}')"
}
wrk -t2 -c"$CONNS" -d10s -s "$WORK/post.lua" "http://127.0.0.1:$GW_PORT/plain" >/dev/null    # warm-up (JIT)
wrk -t2 -c"$CONNS" -d10s -s "$WORK/post.lua" "http://127.0.0.1:$GW_PORT/guarded" >/dev/null
: > "$WORK/runs.txt"
for i in $(seq 1 "$ROUNDS"); do
  echo "plain $(run /plain)" >> "$WORK/runs.txt"
  echo "guarded $(run /guarded)" >> "$WORK/runs.txt"
done

python3 - "$HZ" "$WORK/runs.txt" <<'PY' | tee "$OUT/injection.txt"
import statistics, sys
hz = int(sys.argv[1])
rows = [line.split() for line in open(sys.argv[2])]
us = {"plain": [], "guarded": []}
for i, row in enumerate(rows):
    name, reqs, ticks = row[0], int(row[1]), int(row[2])
    bad = int(row[3]) if len(row) > 3 else 0
    us[name].append(ticks / hz / reqs * 1e6)
    print(f"round {i // 2 + 1} {name:>7}: {reqs:>8} requests, non-2xx {bad}, {us[name][-1]:6.1f} us CPU/request")
diffs = [g - p for p, g in zip(us["plain"], us["guarded"])]
print(f"without the policy: median {statistics.median(us['plain']):.1f} us CPU/request")
print(f"with injection-protection: median {statistics.median(us['guarded']):.1f} us CPU/request")
print(f"inline cost of injection-protection (1 KB JSON body): median {statistics.median(diffs):.1f} us,"
      f" per round {', '.join(f'{d:.1f}' for d in diffs)}")
PY
