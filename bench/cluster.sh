#!/usr/bin/env bash
# Cluster benchmark: three gateway nodes fed by one control node (hybrid mode), under load.
#
# Starts nginx as the backend (37-byte responses) and as a reverse proxy, one redis-server, one
# `serve --role control` node (SQLite in its data directory, or BENCH_DATABASE=postgresql://...)
# and three `serve --role gateway` nodes that enrol with it. One API is limited by rate-limit and
# limit-concurrency (limits far above the load, so every request is admitted and the counters
# still run). After a warm-up it measures, with wrk:
#   1. throughput against one node (3 x CONNS connections to node 0) and against the three nodes
#      (CONNS connections to each), the nodes counting alone;
#   2. the CPU cost per request of Redis-backed limits against local ones: CPU microseconds per
#      request of the gateway JVMs and of redis-server (utime+stime from /proc/<pid>/stat), with
#      the nodes counting alone and then with `--redis`, beside nginx's proxy share in the same run;
#   3. propagation: PROPAGATION (default 50) changes through the management API, each a new API,
#      and the time from sending the change until all three nodes route it (python3 polls them),
#      p50 and p99, without load.
# All processes share the machine: with 2 cores, three nodes do not have three times the CPU of
# one, and the load average of other work is printed beside the figures.
#
# Usage: bench/cluster.sh [seconds=20] [connections per node=50]
# Needs: nginx, wrk, redis-server (Debian packages nginx-light, wrk, redis-server), python3, a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
DURATION=${1:-20}
CONNS=${2:-50}
PROPAGATION=${PROPAGATION:-50}
OUT=bench/out
mkdir -p "$OUT"
WORK=$(mktemp -d)
cleanup() {
  for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

BACKEND_PORT=18181; NGINX_PROXY_PORT=18182; REDIS_PORT=18179; NODE_PORT=18185; MGMT_PORT=18186
TOKEN=bench-token-0123456789abcdef
for tool in nginx wrk redis-server python3; do
  command -v $tool >/dev/null || { echo "$tool is required (Debian packages nginx-light, wrk, redis-server, python3)"; exit 1; }
done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/cluster-load.txt"

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
    path: /limited
    backend: nginx
    subscriptionRequired: false
    policies:
      inbound:
        - rate-limit-by-key: {calls: 2000000000, period: 1h, key: "request.ip"}
        - limit-concurrency: {max-count: 100000}
YAML

[ -f gatehouse-server/target/gatehouse.jar ] || ./mvnw -q -B -DskipTests package -pl gatehouse-server -am

mgmt() { curl -sf -H "Authorization: Bearer $TOKEN" "$@"; }

# ---------------------------------------------------------------- the control node
GATEHOUSE_ALLOWED_BACKEND_NETWORKS=127.0.0.1/32 GATEHOUSE_ADMIN_TOKEN=$TOKEN \
  java ${BENCH_JAVA_OPTS:--Xmx512m} -jar gatehouse-server/target/gatehouse.jar serve --role control \
  --data "$WORK/control" --node-host 127.0.0.1 --node-port $NODE_PORT --management-port $MGMT_PORT \
  --no-portal --no-access-log --no-analytics ${BENCH_DATABASE:+--database "$BENCH_DATABASE"} \
  > "$WORK/control.log" 2>&1 &
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$MGMT_PORT/healthz/ready" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$MGMT_PORT/healthz/ready" >/dev/null || { echo "the control node did not start:" >&2; cat "$WORK/control.log" >&2; exit 1; }
mgmt -X PUT -H 'Content-Type: application/yaml' --data-binary @"$WORK/gatehouse.yaml" \
  "http://127.0.0.1:$MGMT_PORT/api/v1/config" >/dev/null

# ---------------------------------------------------------------- the gateway nodes
NODE_PIDS=()
start_nodes() { # extra serve options
  NODE_PIDS=()
  local i token
  for i in 0 1 2; do
    token=""
    if [ ! -d "$WORK/data$i/node" ]; then # the first start enrols; later ones are enrolled
      token=$(mgmt -X POST -H 'Content-Type: application/json' -d '{"ttlSeconds": 600}' \
        "http://127.0.0.1:$MGMT_PORT/api/v1/nodes/enrolment-tokens" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
    fi
    GATEHOUSE_ALLOWED_BACKEND_NETWORKS=127.0.0.1/32 GATEHOUSE_ENROL_TOKEN=$token \
      java ${BENCH_JAVA_OPTS:--Xmx512m} -jar gatehouse-server/target/gatehouse.jar serve --role gateway \
      --control-plane "https://127.0.0.1:$NODE_PORT" --data "$WORK/data$i" --gateway-host 127.0.0.1 \
      --gateway-port $((18190 + i)) --no-access-log "$@" > "$WORK/node$i.log" 2>&1 &
    NODE_PIDS+=($!)
    # one at a time: on a loaded machine three cold JVMs enrolling at once can starve the control node
    local ready="http://127.0.0.1:$((18190 + i))/status-0123456789abcdef/ready"
    for _ in $(seq 1 600); do curl -sf "$ready" >/dev/null && break; sleep 0.1; done
    curl -sf "$ready" >/dev/null || { echo "node $i did not start:" >&2; cat "$WORK/node$i.log" >&2; exit 1; }
  done
}
stop_nodes() {
  for p in "${NODE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

load_nodes() { # seconds nodes... -> prints total requests and non-2xx; 3 x CONNS connections in all
  local secs=$1 i wrks=() conns=$((3 * CONNS / ($# - 1)))
  shift
  rm -f "$WORK"/wrk?.txt
  for i in "$@"; do
    wrk -t1 -c"$conns" -d"${secs}s" "http://127.0.0.1:$((18190 + i))/limited/" > "$WORK/wrk$i.txt" &
    wrks+=($!)
  done
  wait "${wrks[@]}"
  awk '/requests in/ {r += $1} /Non-2xx/ {b += $5} END {print r + 0, b + 0}' "$WORK"/wrk?.txt
}

measure_nodes() { # name nodes... -> prints "name requests non2xx gateway_ticks redis_ticks"
  local name=$1
  shift
  load_nodes "${WARMUP:-15}" "$@" >/dev/null
  local before=0 p; for p in "${NODE_PIDS[@]}"; do before=$((before + $(ticks "$p"))); done
  local rbefore; rbefore=$(ticks "$REDIS_PID")
  local res; res=$(load_nodes "$DURATION" "$@")
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

propagation() { # -> prints "sent/answered" delays in ms, one per change: from sending the change, and from its answer
  python3 - "$MGMT_PORT" "$TOKEN" "$PROPAGATION" 18190 18191 18192 <<'PY'
import json, sys, time, urllib.error, urllib.request
mgmt, token, count, ports = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
def status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return -1
for i in range(count):
    body = json.dumps({"name": f"prop{i}", "path": f"/prop{i}", "backend": "nginx",
                       "subscriptionRequired": False}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{mgmt}/api/v1/apis", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    pending = set(ports)
    sent = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as r:
        assert r.status == 201, r.status
    answered = time.perf_counter()
    while pending:
        for p in list(pending):
            if status(f"http://127.0.0.1:{p}/prop{i}/x") == 200:
                pending.discard(p)
        if time.perf_counter() - sent > 15:
            sys.exit(f"change {i} not served by {sorted(pending)} after 15 s")
    done = time.perf_counter()
    print(f"{(done - sent) * 1000:.1f}/{(done - answered) * 1000:.1f}")
PY
}

DIRECT=$(measure_nginx "http://127.0.0.1:$BACKEND_PORT/")
NGINX=$(measure_nginx "http://127.0.0.1:$NGINX_PROXY_PORT/")
start_nodes
load_nodes "${WARMUP:-15}" 0 1 2 >/dev/null # every node as warm as node 0 will be before the three are compared
ONE=$(measure_nodes one 0)
LOCAL=$(measure_nodes local 0 1 2)
PROPAGATED=$(propagation | tr '\n' ' ')
stop_nodes
start_nodes --redis "redis://127.0.0.1:$REDIS_PORT"
REDIS=$(measure_nodes redis 0 1 2)
stop_nodes
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/cluster-load.txt"

python3 - "$HZ" "$DIRECT" "$NGINX" "$ONE" "$LOCAL" "$REDIS" "$PROPAGATED" <<'PY' | tee "$OUT/cluster.txt"
import sys
hz = int(sys.argv[1])
dreq, dt = map(int, sys.argv[2].split())
nreq, nt = map(int, sys.argv[3].split())
backend_us = dt / hz / dreq * 1e6
nginx_us = nt / hz / nreq * 1e6 - backend_us
print(f"nginx reverse proxy : {nreq:>9} req, {nginx_us:6.1f} us CPU/req (proxy share)")
rows = {}
for arg in sys.argv[4:7]:
    name, reqs, bad, gt, rt = arg.split()
    reqs, bad, gt, rt = int(reqs), int(bad), int(gt), int(rt)
    gw_us = gt / hz / reqs * 1e6
    redis_us = rt / hz / reqs * 1e6
    rows[name] = (reqs, gw_us, redis_us)
    label = "1 node, local counters " if name == "one" else f"3 nodes, {name:5} counters"
    print(f"{label}: {reqs:>9} req, gateway {gw_us:6.1f} us CPU/req ({gw_us / nginx_us:.2f}x nginx),"
          f" redis-server {redis_us:5.1f} us/req, non-2xx {bad}")
o, l, r = rows["one"], rows["local"], rows["redis"]
print(f"throughput three nodes / one node (same connections, local counters): {l[0] / o[0]:.2f}x")
print(f"Redis-backed limits cost {r[1] - l[1]:+.1f} us CPU/req in the gateway and {r[2]:.1f} us in redis-server;"
      f" throughput ratio redis/local {r[0] / l[0]:.2f}x")
pairs = [d.split("/") for d in sys.argv[7].split()]
def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]
for label, values in (("management POST sent", [float(a) for a, _ in pairs]),
                      ("POST answered", [float(b) for _, b in pairs])):
    print(f"propagation over {len(values)} changes, {label} -> routed by all three nodes:"
          f" p50 {pct(values, 50):.1f} ms, p99 {pct(values, 99):.1f} ms, max {max(values):.1f} ms")
PY
