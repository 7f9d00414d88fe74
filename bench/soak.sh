#!/usr/bin/env bash
# Soak: mixed traffic through the gateway for a long time, with a configuration reload every 10 s.
#
# Traffic, all at once for the whole run:
#   S0  wrk, GET /plain/ (passthrough to nginx, no checks)
#   S1  wrk, POST /api/orders with a subscription key and an RS256 bearer token (rate-limit and
#       validate-jwt in the path), to nginx
#   WS  a client that opens a WebSocket through the gateway, echoes 10 messages, closes, again
#   SSE a client that reads a 5-event text/event-stream through the gateway, again
# (WebSocket echo and SSE come from a small Python backend; plain HTTP from nginx.)
# Every 10 s the configuration is re-applied with PUT /api/v1/config (a product description
# alternates, so each apply is a new revision and the gateway swaps its snapshot).
# The gateway's RSS is sampled every 10 s.
#
# Checks (exit 1 when one fails): no failed request (wrk non-2xx and socket errors, WebSocket or
# SSE failures, failed applies), no ERROR line in the gateway's log, and RSS flat: the mean of the
# last window within 5% of the mean of the first window after warm-up. For the default 30 minutes
# the warm-up is 5 minutes and the windows 10 minutes; shorter runs scale both (warm-up 1/6 of the
# run, windows 1/3 of the rest).
#
# Usage: bench/soak.sh [seconds=1800] [connections per wrk=8]
# Needs: nginx, wrk (Debian packages nginx-light and wrk), openssl, curl, python3, a JDK.
# Not for CI: it runs for minutes and measures the machine as much as the gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-1800}
CONNS=${2:-8}
OUT=bench/out
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for tool in nginx wrk openssl curl python3; do
  command -v $tool >/dev/null || { echo "$tool is required"; exit 1; }
done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
NGINX_PORT=$(free_port); PY_PORT=$(free_port); GW_PORT=$(free_port); MGMT_PORT=$(free_port)
ADMIN=bench-token-0123456789abcdef
KEY=bench-subscription-key-0123456789abcdef
M="http://127.0.0.1:$MGMT_PORT/api/v1"
G="http://127.0.0.1:$GW_PORT"

cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$NGINX_PORT; location / { return 200 "0123456789012345678901234567890123456"; } }
}
NGINX
nginx -c "$WORK/nginx.conf"

# ---------------------------------------------------------------- WebSocket echo and SSE backend
cat > "$WORK/backend.py" <<'PY'
import asyncio, base64, hashlib, sys
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
async def read_frame(r):
    b0, b1 = await r.readexactly(2)
    n = b1 & 0x7F
    if n == 126: n = int.from_bytes(await r.readexactly(2), "big")
    elif n == 127: n = int.from_bytes(await r.readexactly(8), "big")
    mask = await r.readexactly(4) if b1 & 0x80 else None
    data = bytearray(await r.readexactly(n))
    if mask:
        for i in range(n): data[i] ^= mask[i % 4]
    return b0 & 0x0F, bytes(data)
def frame(op, data):
    n = len(data)
    head = bytes([0x80 | op]) + (bytes([n]) if n < 126 else bytes([126]) + n.to_bytes(2, "big"))
    return head + data
async def handle(r, w):
    try:
        while True:
            head = await r.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            h = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
            if path.endswith("/ws"):
                acc = base64.b64encode(hashlib.sha1(h["sec-websocket-key"].encode() + GUID).digest()).decode()
                w.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         f"Sec-WebSocket-Accept: {acc}\r\n\r\n").encode())
                while True:
                    op, data = await read_frame(r)
                    if op == 8:
                        w.write(frame(8, data[:2])); await w.drain(); return
                    if op in (1, 2): w.write(frame(op, data)); await w.drain()
            elif path.endswith("/sse"):
                w.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n")
                for i in range(5):
                    w.write(f"id: {i}\ndata: event {i}\n\n".encode()); await w.drain()
                    await asyncio.sleep(0.05)
                w.close(); return
            else:
                w.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"); await w.drain()
    except (asyncio.IncompleteReadError, ConnectionError, KeyError, IndexError):
        pass
    finally:
        w.close()
async def main():
    s = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    async with s: await s.serve_forever()
asyncio.run(main())
PY
python3 "$WORK/backend.py" "$PY_PORT" &

# ---------------------------------------------------------------- WebSocket and SSE clients
cat > "$WORK/clients.py" <<'PY'
import base64, os, socket, sys, time
host, port, seconds, key = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
def http_head(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk: raise IOError("closed before the response head")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest
def recv_exact(s, n, buf):
    while len(buf) < n:
        chunk = s.recv(4096)
        if not chunk: raise IOError("closed mid-frame")
        buf += chunk
    return buf[:n], buf[n:]
def ws_round():
    s = socket.create_connection((host, port), timeout=10)
    try:
        k = base64.b64encode(os.urandom(16)).decode()
        s.sendall((f"GET /events/ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {k}\r\nSec-WebSocket-Version: 13\r\nSubscription-Key: {key}\r\n\r\n").encode())
        head, buf = http_head(s)
        if not head.startswith("HTTP/1.1 101"): raise IOError("upgrade answered " + head.split("\r\n")[0])
        for i in range(10):
            msg = f"message {i}".encode(); mask = os.urandom(4)
            s.sendall(bytes([0x81, 0x80 | len(msg)]) + mask + bytes(b ^ mask[j % 4] for j, b in enumerate(msg)))
            hdr, buf = recv_exact(s, 2, buf)
            data, buf = recv_exact(s, hdr[1] & 0x7F, buf)
            if data != msg: raise IOError(f"echo {data!r} != {msg!r}")
        mask = os.urandom(4)
        s.sendall(bytes([0x88, 0x82]) + mask + bytes(b ^ mask[j % 4] for j, b in enumerate(b"\x03\xe8")))
    finally:
        s.close()
def sse_round():
    s = socket.create_connection((host, port), timeout=10)
    try:
        s.sendall(f"GET /events/sse HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\nSubscription-Key: {key}\r\n\r\n".encode())
        head, buf = http_head(s)
        if not head.startswith("HTTP/1.1 200"): raise IOError("SSE answered " + head.split("\r\n")[0])
        while buf.count(b"data: event") < 5:
            chunk = s.recv(4096)
            if not chunk: raise IOError(f"stream ended after {buf.count(b'data: event')} events")
            buf += chunk
    finally:
        s.close()
ok = {"ws": 0, "sse": 0}; failed = {"ws": 0, "sse": 0}; reasons = {}
end = time.time() + seconds
while time.time() < end:
    for name, fn in (("ws", ws_round), ("sse", sse_round)):
        try:
            fn(); ok[name] += 1
        except Exception as e:
            failed[name] += 1; reasons[str(e)[:80]] = reasons.get(str(e)[:80], 0) + 1
print(f"{ok['ws']} {failed['ws']} {ok['sse']} {failed['sse']} {reasons if reasons else ''}")
PY

# ---------------------------------------------------------------- RS256 token for S1
openssl genrsa -out "$WORK/jwt.pem" 2048 2>/dev/null
python3 - "$WORK" <<'PY'
import base64, json, subprocess, sys, time
work = sys.argv[1]
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
mod = subprocess.check_output(["openssl", "rsa", "-in", f"{work}/jwt.pem", "-noout", "-modulus"], stderr=subprocess.DEVNULL)
n = bytes.fromhex(mod.decode().strip().split("=", 1)[1])
open(f"{work}/jwks.json", "w").write(json.dumps({"keys": [{"kty": "RSA", "kid": "soak", "alg": "RS256", "use": "sig", "n": b64(n), "e": "AQAB"}]}))
header = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "soak"}).encode())
claims = {"iss": "https://issuer.soak.example", "aud": "orders-api", "sub": "user-42", "iat": int(time.time()), "exp": int(time.time()) + 7 * 86400}
payload = b64(json.dumps(claims).encode())
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", f"{work}/jwt.pem"], input=f"{header}.{payload}".encode(),
                     stdout=subprocess.PIPE, check=True).stdout
open(f"{work}/token", "w").write(f"{header}.{payload}.{b64(sig)}")
PY
TOKEN=$(cat "$WORK/token")
cat > "$WORK/s1.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"orderId":"ord-1","items":[{"sku":"a","qty":1}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Subscription-Key"] = "$KEY"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA

# ---------------------------------------------------------------- gateway
[ -f gatehouse-server/target/gatehouse.jar ] || ./mvnw -q -B -DskipTests package -pl gatehouse-server -am
cp gatehouse-server/target/gatehouse.jar "$WORK/gatehouse.jar"   # a rebuild during the run must not touch it
GATEHOUSE_ADMIN_TOKEN=$ADMIN java ${BENCH_JAVA_OPTS:--Xmx1g} -jar "$WORK/gatehouse.jar" serve \
  --data "$WORK/data" --gateway-host 127.0.0.1 --gateway-port "$GW_PORT" \
  --management-port "$MGMT_PORT" > "$WORK/gatehouse.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 300); do
  curl -sf -o /dev/null -H "Authorization: Bearer $ADMIN" "$M/config" && curl -s -o /dev/null "$G/" && break
  kill -0 "$GW_PID" 2>/dev/null || { cat "$WORK/gatehouse.log"; exit 1; }
  sleep 0.1
done
config() { # description -> YAML configuration
  cat <<YAML
backends:
  - name: nginx
    url: http://127.0.0.1:$NGINX_PORT
  - name: events
    url: http://127.0.0.1:$PY_PORT
apis:
  - name: plain
    path: /plain
    backend: nginx
    subscriptionRequired: false
  - name: orders
    path: /api
    backend: nginx
    subscriptionRequired: true
    policies:
      inbound:
        - rate-limit: {calls: 2000000000, period: 1m}
        - validate-jwt:
            jwks: $(cat "$WORK/jwks.json")
            algorithms: [RS256]
            issuers: ["https://issuer.soak.example"]
            audiences: [orders-api]
  - name: events
    path: /events
    backend: events
    subscriptionRequired: true
    websocket: {idleTimeout: 1m}
products:
  - name: soak
    description: "$1"
    apis: [orders, events]
subscriptions:
  - name: soak
    scope: product:soak
    primaryKey: $KEY
YAML
}
apply() { # description -> exit status of the PUT
  config "$1" | curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/yaml' \
    --data-binary @- "$M/config"
}
apply "initial" || { echo "the initial configuration was refused:"; config initial | curl -s -X PUT \
  -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/yaml' --data-binary @- "$M/config"; echo; exit 1; }
for probe in "$G/plain/" ; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$probe")" = 200 ] || { echo "$probe does not answer 200"; exit 1; }
done
S1_STATUS=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "Subscription-Key: $KEY" \
  -H "Authorization: Bearer $TOKEN" --data '{}' "$G/api/orders")
[ "$S1_STATUS" = 200 ] || { echo "S1 request answered $S1_STATUS"; exit 1; }
python3 "$WORK/clients.py" 127.0.0.1 "$GW_PORT" 1 "$KEY" > "$WORK/probe.txt"
read -r WS_OK WS_FAIL SSE_OK SSE_FAIL REST < "$WORK/probe.txt"
[ "$WS_FAIL$SSE_FAIL" = 00 ] || { echo "WebSocket/SSE probe failed: $(cat "$WORK/probe.txt")"; exit 1; }

# ---------------------------------------------------------------- the run
wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 10s "$G/plain/" > "$WORK/s0.txt" &
S0_PID=$!
wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 10s -s "$WORK/s1.lua" "$G/api/orders" > "$WORK/s1.txt" &
S1_PID=$!
python3 "$WORK/clients.py" 127.0.0.1 "$GW_PORT" "$DURATION" "$KEY" > "$WORK/clients.txt" &
CL_PID=$!
T0=$(date +%s)
APPLIES=0; APPLY_FAILED=0
: > "$WORK/rss.txt"
while [ $(( $(date +%s) - T0 )) -lt "$DURATION" ]; do
  echo "$(( $(date +%s) - T0 )) $(awk '/VmRSS/ {print $2}' "/proc/$GW_PID/status")" >> "$WORK/rss.txt"
  if apply "reload $((APPLIES % 2))"; then APPLIES=$((APPLIES + 1)); else APPLY_FAILED=$((APPLY_FAILED + 1)); fi
  sleep 10
done
wait "$S0_PID" "$S1_PID" "$CL_PID" || true
cp "$WORK/gatehouse.log" "$OUT/soak-gatehouse.log"
cp "$WORK/rss.txt" "$OUT/soak-rss.txt"

bad() { # wrk output -> non-2xx/3xx plus socket errors
  local non2xx sock
  non2xx=$(awk '/Non-2xx or 3xx/ {print $5}' "$1")
  sock=$(awk -F'Socket errors: ' '/Socket errors/ {print $2}' "$1" | tr -cd '0-9 ' | awk '{s=0; for (i=1;i<=NF;i++) s+=$i; print s}')
  echo $(( ${non2xx:-0} + ${sock:-0} ))
}
S0_REQ=$(awk '/requests in/ {print $1}' "$WORK/s0.txt"); S0_BAD=$(bad "$WORK/s0.txt")
S1_REQ=$(awk '/requests in/ {print $1}' "$WORK/s1.txt"); S1_BAD=$(bad "$WORK/s1.txt")
read -r WS_OK WS_FAIL SSE_OK SSE_FAIL REASONS < "$WORK/clients.txt" || true
ERRORS=$(grep -c ' ERROR ' "$WORK/gatehouse.log" || true)
RSS=$(python3 - "$WORK/rss.txt" "$DURATION" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
d = int(sys.argv[2])
warm = min(300, d // 6)
win = min(600, (d - warm) // 3)
first = [r for t, r in rows if warm <= t < warm + win]
last = [r for t, r in rows if t >= d - win]
if not first or not last:
    print(f"n/a (too few samples) warm-up {warm}s window {win}s"); sys.exit()
a, b = sum(first) / len(first), sum(last) / len(last)
change = (b - a) / a * 100
print(f"{'flat' if abs(change) <= 5 else 'NOT FLAT'}: first window {a/1024:.0f} MiB, last window {b/1024:.0f} MiB ({change:+.1f}%), warm-up {warm}s, windows {win}s, max {max(r for _, r in rows)/1024:.0f} MiB")
PY
)
{
  echo "soak: ${DURATION}s, $CONNS connections per wrk, load average $(cut -d' ' -f1 /proc/loadavg) at the end"
  echo "S0 passthrough : ${S0_REQ:-0} requests, $S0_BAD failed (non-2xx or socket errors)"
  echo "S1 secured     : ${S1_REQ:-0} requests, $S1_BAD failed"
  echo "WebSocket      : ${WS_OK:-0} sessions of 10 echoes, ${WS_FAIL:-?} failed"
  echo "SSE            : ${SSE_OK:-0} streams of 5 events, ${SSE_FAIL:-?} failed ${REASONS:-}"
  echo "reloads        : $APPLIES applied, $APPLY_FAILED failed"
  echo "ERROR lines    : $ERRORS in the gateway log ($OUT/soak-gatehouse.log)"
  echo "RSS            : $RSS"
} | tee "$OUT/soak.txt"
if [ "$S0_BAD$S1_BAD" != 00 ] || [ "${WS_FAIL:-1}${SSE_FAIL:-1}" != 00 ] || [ "$APPLY_FAILED" != 0 ] \
  || [ "$ERRORS" != 0 ] || [[ "$RSS" == NOT* ]]; then
  echo "soak FAILED"; exit 1
fi
echo "soak passed"
