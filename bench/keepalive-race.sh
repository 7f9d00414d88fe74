#!/usr/bin/env bash
# Backend keep-alive race: POSTs that meet a pooled connection the backend is closing.
#
# nginx is the backend with `keepalive_timeout 1s` (it closes idle keep-alive connections after a
# second and announces nothing). The client sends POSTs over CONNECTIONS keep-alive connections,
# each connection sending one POST about every second, so that the gateway's pooled backend
# connections sit idle for about as long as the backend allows. It counts the answers that are not
# 200 (a 502 is a request the backend closed under it). For scale, the same traffic through nginx as
# a reverse proxy (keepalive 16 to the same backend) in the same run.
#
# Usage: bench/keepalive-race.sh [requests=240] [connections=20]
# Needs: nginx (Debian package nginx-light), python3, curl, a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-240}
CONNECTIONS=${2:-20}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT
BACKEND_PORT=18191; PROXY_PORT=18192; GW_PORT=18190; MGMT_PORT=18111
command -v nginx >/dev/null || { echo "nginx is required (apt-get install nginx-light)"; exit 1; }

cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK;
  proxy_temp_path $WORK;
  upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 16; }
  server {
    listen 127.0.0.1:$BACKEND_PORT;
    keepalive_timeout 1s;
    location / { return 200 "ok"; }
  }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
nginx -c "$WORK/nginx.conf"

cat > "$WORK/gatehouse.yaml" <<YAML
backends:
  - name: nginx
    url: http://127.0.0.1:$BACKEND_PORT
apis:
  - name: orders
    path: /
    backend: nginx
    subscriptionRequired: false
YAML
[ -f gatehouse-server/target/gatehouse.jar ] || ./mvnw -q -B -DskipTests package -pl gatehouse-server -am
GATEHOUSE_ALLOWED_BACKEND_NETWORKS=127.0.0.1/32 java ${BENCH_JAVA_OPTS:--Xmx512m} -jar gatehouse-server/target/gatehouse.jar serve \
  --config "$WORK/gatehouse.yaml" --data "$WORK/data" --gateway-host 127.0.0.1 \
  --gateway-port $GW_PORT --management-port $MGMT_PORT --no-access-log --no-analytics > "$WORK/gatehouse.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$GW_PORT/" >/dev/null && break; sleep 0.1; done
kill -0 "$GW_PID" 2>/dev/null || { cat "$WORK/gatehouse.log" >&2; exit 1; }

cat > "$WORK/client.py" <<'PY'
import http.client, sys, threading, time, random
port, total, conns = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
per = total // conns
failed = []
def run(i):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    time.sleep(random.random())  # spread the connections over the second
    for n in range(per):
        c.request("POST", "/orders", body=b'{"item":42}', headers={"Content-Type": "application/json"})
        r = c.getresponse(); r.read()
        if r.status != 200:
            failed.append(r.status)
        time.sleep(1.0 + random.uniform(-0.02, 0.02))
threads = [threading.Thread(target=run, args=(i,)) for i in range(conns)]
[t.start() for t in threads]; [t.join() for t in threads]
print(f"{per * conns} POSTs, {len(failed)} not 200 {sorted(set(failed))}")
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'gatehouse:          '; python3 "$WORK/client.py" $GW_PORT "$REQUESTS" "$CONNECTIONS"
printf 'nginx reverse proxy: '; python3 "$WORK/client.py" $PROXY_PORT "$REQUESTS" "$CONNECTIONS"
grep -i "closed a connection idle" "$WORK/gatehouse.log" | head -n 1 | sed 's/^/gatehouse log: /' || true
