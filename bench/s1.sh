#!/usr/bin/env bash
# Scenario S1: a typical secured API. Gateway CPU per request beside nginx as a reverse proxy, same run.
#
# The request: POST /orders with a 200-byte JSON body, a subscription key and an RS256 bearer token.
# The gateway checks the key, runs rate-limit (limit high enough never to refuse), validate-jwt
# (RS256, inline JWKS, issuer and audience checked) and validate-content (the body against the
# operation's schema from the API's OpenAPI document), with the access log on, and forwards to
# nginx (37-byte answer). nginx as a reverse proxy forwards the same request with no checks.
# A policy that the jar does not have yet (validate-jwt, validate-content) and an access log the
# server cannot write yet are left out, and the report says so.
#
# CPU is utime+stime from /proc/<pid>/stat over the measured run, after a warm-up run, exactly as
# in bench/passthrough.sh (plus an extra WARMUP=20 s of both gateway paths first); the gateway is
# also measured on a plain passthrough of the same POST.
#
# Usage: bench/s1.sh [seconds=20] [connections=50]
# Needs: nginx, wrk (Debian packages nginx-light and wrk), openssl, python3, a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
DURATION=${1:-20}
CONNS=${2:-50}
OUT=bench/out
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT

BACKEND_PORT=18091; NGINX_PROXY_PORT=18092; GW_PORT=18090; MGMT_PORT=18011
for tool in nginx wrk openssl python3; do
  command -v $tool >/dev/null || { echo "$tool is required"; exit 1; }
done

# ---------------------------------------------------------------- nginx: backend and reverse proxy
nginx_baseline "$WORK" "$BACKEND_PORT" "$NGINX_PROXY_PORT" "" "" "client_body_buffer_size 16k;"

# ---------------------------------------------------------------- key, JWKS and token (RS256)
openssl genrsa -out "$WORK/jwt.pem" 2048 2>/dev/null
python3 - "$WORK" <<'PY'
import base64, json, subprocess, sys, time
work = sys.argv[1]
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
mod = subprocess.check_output(["openssl", "rsa", "-in", f"{work}/jwt.pem", "-noout", "-modulus"], stderr=subprocess.DEVNULL)
n = bytes.fromhex(mod.decode().strip().split("=", 1)[1])
jwks = {"keys": [{"kty": "RSA", "kid": "bench", "alg": "RS256", "use": "sig", "n": b64(n), "e": "AQAB"}]}
open(f"{work}/jwks.json", "w").write(json.dumps(jwks))
header = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "bench"}, separators=(",", ":")).encode())
claims = {"iss": "https://issuer.bench.example", "aud": "orders-api", "sub": "user-42",
          "scope": "orders.write", "iat": int(time.time()), "exp": int(time.time()) + 86400}
payload = b64(json.dumps(claims, separators=(",", ":")).encode())
signing = f"{header}.{payload}".encode()
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", f"{work}/jwt.pem"], input=signing,
                     stdout=subprocess.PIPE, check=True).stdout
open(f"{work}/token", "w").write(f"{header}.{payload}.{b64(sig)}")
body = {"orderId": "ord-000123", "customer": "c-42", "currency": "EUR",
        "items": [{"sku": "sku-1", "qty": 2, "price": 19.99}, {"sku": "sku-2", "qty": 1, "price": 5.5}]}
text = json.dumps(body, separators=(",", ":"))
body["note"] = "x" * (200 - len(text) - len(',"note":""'))
text = json.dumps(body, separators=(",", ":"))
assert len(text) == 200, len(text)
open(f"{work}/body.json", "w").write(text)
PY
TOKEN=$(cat "$WORK/token")
KEY=bench-subscription-key-0123456789abcdef
BODY=$(cat "$WORK/body.json")

cat > "$WORK/s1.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Subscription-Key"] = "$KEY"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA

# ---------------------------------------------------------------- gateway configuration
[ -f gatehouse-server/target/gatehouse.jar ] || ./mvnw -q -B -DskipTests package -pl gatehouse-server -am
JAR=gatehouse-server/target/gatehouse.jar
has_class() { python3 -c "import sys, zipfile; sys.exit(0 if any(n.endswith(sys.argv[2]) for n in zipfile.ZipFile(sys.argv[1]).namelist()) else 1)" "$JAR" "$1"; }
NOTES=""
POLICIES="        - rate-limit: {calls: 2000000000, period: 1m}"
if has_class 'policy/builtin/JwtPolicies.class'; then
  POLICIES="$POLICIES
        - validate-jwt:
            jwks: $(cat "$WORK/jwks.json")
            algorithms: [RS256]
            issuers: [\"https://issuer.bench.example\"]
            audiences: [orders-api]"
else
  NOTES="$NOTES validate-jwt: not in this build, measured without it."
fi
if has_class 'policy/builtin/ValidationPolicies$ValidateContent.class'; then
  POLICIES="$POLICIES
        - validate-content: {}"
else
  NOTES="$NOTES validate-content: not in this build, measured without it."
fi
ACCESS_ARGS=()
if java -jar "$JAR" serve --help 2>/dev/null | grep -qE -- '--access-log[= ]'; then
  ACCESS_ARGS=(--access-log "$WORK/access.log")
else
  NOTES="$NOTES access log: this build's 'serve' cannot write one, measured without it."
fi

cat > "$WORK/gatehouse.yaml" <<YAML
backends:
  - name: nginx
    url: http://127.0.0.1:$BACKEND_PORT
apis:
  - name: plain
    path: /plain
    backend: nginx
    subscriptionRequired: false
  - name: orders
    path: /api
    backend: nginx
    subscriptionRequired: true
    openapi:
      inline: |
        openapi: 3.0.3
        info: {title: orders, version: "1"}
        paths:
          /orders:
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [orderId, customer, currency, items]
                      properties:
                        orderId: {type: string, pattern: "^ord-[0-9]+$"}
                        customer: {type: string}
                        currency: {type: string, enum: [EUR, USD, GBP]}
                        note: {type: string, maxLength: 200}
                        items:
                          type: array
                          minItems: 1
                          items:
                            type: object
                            required: [sku, qty, price]
                            properties:
                              sku: {type: string}
                              qty: {type: integer, minimum: 1}
                              price: {type: number, minimum: 0}
              responses:
                "200": {description: ok}
    policies:
      inbound:
$POLICIES
subscriptions:
  - name: bench
    scope: all
    primaryKey: $KEY
YAML

GATEHOUSE_ALLOWED_BACKEND_NETWORKS=127.0.0.1/32 GATEHOUSE_ADMIN_TOKEN=bench-token-0123456789abcdef java ${BENCH_JAVA_OPTS:--Xmx1g} -jar "$JAR" serve \
  --config "$WORK/gatehouse.yaml" --data "$WORK/data" --gateway-host 127.0.0.1 \
  --gateway-port $GW_PORT --management-port $MGMT_PORT "${ACCESS_ARGS[@]}" > "$WORK/gatehouse.log" 2>&1 &
GW_PID=$!
probe() { curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -H "Subscription-Key: $KEY" -H "Authorization: Bearer $TOKEN" --data-binary "@$WORK/body.json" "$1"; }
for _ in $(seq 1 300); do [ "$(probe "http://127.0.0.1:$GW_PORT/api/orders")" = 200 ] && break; sleep 0.1; done
if ! kill -0 "$GW_PID" 2>/dev/null || [ "$(probe "http://127.0.0.1:$GW_PORT/api/orders")" != 200 ]; then
  echo "the gateway did not start or does not accept the S1 request (status $(probe "http://127.0.0.1:$GW_PORT/api/orders")); its log:" >&2
  cat "$WORK/gatehouse.log" >&2
  exit 1
fi
# A wrong token, a bad body and a missing key must be refused: the checks are really in the path.
BAD_BODY=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "Subscription-Key: $KEY" \
  -H "Authorization: Bearer $TOKEN" --data '{"orderId":"x"}' "http://127.0.0.1:$GW_PORT/api/orders")
BAD_TOKEN=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "Subscription-Key: $KEY" \
  -H "Authorization: Bearer ${TOKEN}x" --data-binary "@$WORK/body.json" "http://127.0.0.1:$GW_PORT/api/orders")
NO_KEY=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  --data-binary "@$WORK/body.json" "http://127.0.0.1:$GW_PORT/api/orders")
echo "checks: bad body -> $BAD_BODY, bad token -> $BAD_TOKEN, no key -> $NO_KEY"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
measure() { # name url pid -> prints "name requests cpu_ticks non2xx"
  local name=$1 url=$2 pid=$3
  wrk -t2 -c"$CONNS" -d5s -s "$WORK/s1.lua" "$url" >/dev/null        # warm-up
  local before; before=$(ticks "$pid")
  local out; out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$WORK/s1.lua" "$url")
  local after; after=$(ticks "$pid")
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "$name $reqs $(( after - before )) ${non2xx:-0}"
}

# The JVM compiles the S1 path (JWT, schema validation) later than nginx is warm: warm both gateway
# paths for WARMUP seconds (default 20) before any gateway measurement.
WARMUP=${WARMUP:-20}
wrk -t2 -c"$CONNS" -d"${WARMUP}s" -s "$WORK/s1.lua" "http://127.0.0.1:$GW_PORT/api/orders" >/dev/null
wrk -t2 -c"$CONNS" -d"${WARMUP}s" -s "$WORK/s1.lua" "http://127.0.0.1:$GW_PORT/plain/orders" >/dev/null
DIRECT=$(measure backend "http://127.0.0.1:$BACKEND_PORT/orders" "$NGINX_WORKER")
NGINX=$(measure nginx "http://127.0.0.1:$NGINX_PROXY_PORT/orders" "$NGINX_WORKER")
PLAIN=$(measure plain "http://127.0.0.1:$GW_PORT/plain/orders" "$GW_PID")
S1=$(measure s1 "http://127.0.0.1:$GW_PORT/api/orders" "$GW_PID")
LOGGED=$( [ -f "$WORK/access.log" ] && wc -l < "$WORK/access.log" || echo 0)

python3 - "$HZ" "$DIRECT" "$NGINX" "$PLAIN" "$S1" "$CONNS" "$DURATION" "$LOGGED" "${NOTES:- none}" <<'PY' | tee "$OUT/s1.txt"
import sys
hz = int(sys.argv[1])
def parse(s):
    n, reqs, ticks, non2xx = s.split()
    return int(reqs), int(ticks) / hz, int(non2xx)
dreq, dcpu, _ = parse(sys.argv[2])
nreq, ncpu, nbad = parse(sys.argv[3])
preq, pcpu, pbad = parse(sys.argv[4])
sreq, scpu, sbad = parse(sys.argv[5])
backend_us = dcpu / dreq * 1e6
nginx_us = ncpu / nreq * 1e6 - backend_us
plain_us = pcpu / preq * 1e6
s1_us = scpu / sreq * 1e6
print(f"S1: POST 200-byte JSON, {sys.argv[6]} connections, {sys.argv[7]} s per run")
print(f"backend alone            : {dreq:>9} req, {backend_us:6.1f} us CPU/req (nginx worker)")
print(f"nginx reverse proxy      : {nreq:>9} req, {nginx_us:6.1f} us CPU/req (proxy share), non-2xx {nbad}")
print(f"gatehouse passthrough    : {preq:>9} req, {plain_us:6.1f} us CPU/req (whole JVM), non-2xx {pbad}")
print(f"gatehouse S1             : {sreq:>9} req, {s1_us:6.1f} us CPU/req (whole JVM), non-2xx {sbad}")
print(f"ratio S1/nginx CPU per request: {s1_us / nginx_us:.2f}x; passthrough/nginx: {plain_us / nginx_us:.2f}x")
print(f"S1 policies cost over passthrough: {s1_us - plain_us:.1f} us/request")
print(f"throughput ratio S1/nginx: {sreq / nreq:.2f}x")
print(f"access log lines written: {sys.argv[8]}")
print(f"left out:{sys.argv[9]}")
PY
