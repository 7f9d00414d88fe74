#!/usr/bin/env bash
# The `waf` policy beside nginx + ModSecurity v3 running the same OWASP Core Rule Set.
#
# 1. Verdict parity (bench/waf-parity.py sends the requests and reads both logs):
#    - the CRS regression suite (testdata/crs-regression) at paranoia level 4 in detect mode with the
#      settings of CRS's own CI, judged as go-ftw judges (expect_ids fire, no_expect_ids do not);
#      ModSecurity's fired rules from its error log, Gatehouse's from the `waf` field of its access log;
#    - libinjection's false-positive lines (testdata/libinjection-data/false_positives-half.txt) as a
#      query parameter and as a JSON body, and the JSON order bodies of bench/, at paranoia level 1 in
#      block mode (blocked = 403).
#    Both servers load testdata/crs-rules (crs-setup.conf.example and rules/*.conf, unmodified).
# 2. Cost: wrk posting the 1 KB JSON order of bench/injection.sh at paranoia level 1 through
#    nginx + ModSecurity + CRS and through nginx alone (both proxying to a second nginx), and through
#    Gatehouse with and without the `waf` policy (access log, metrics, analytics off), alternating
#    ROUNDS times; CPU per request of the front process from /proc/<pid>/stat after warm-up.
#
# Usage: bench/waf.sh [seconds=15] [rounds=3] [connections=8] [parts=parity,cost]
# Few connections and a long wrk timeout: with CRS a front answers tens of requests per second on a
# loaded machine, and a request wrk gave up on would cost CPU without being counted.
# Needs: nginx with libnginx-mod-http-modsecurity (Debian), wrk, curl, python3 with PyYAML, a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
ROUNDS=${2:-3}
CONNS=${3:-8}
PARTS=${4:-parity,cost}
OUT=bench/out
mkdir -p "$OUT"
ROOT=$(pwd)
SUITE=${WAF_SUITE:-testdata/crs-regression}   # a smaller copy for a quick check
RULES=$ROOT/testdata/crs-rules
MODULE=/usr/lib/nginx/modules/ngx_http_modsecurity_module.so
WORK=$(mktemp -d)
GW_PID=
cleanup() {
  [ -n "$GW_PID" ] && kill "$GW_PID" 2>/dev/null || true
  for p in "$WORK"/backend.pid "$WORK"/front.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v nginx >/dev/null || { echo "nginx is required (apt-get install nginx-light)"; exit 1; }
[ -f "$MODULE" ] || { echo "ModSecurity for nginx is required (apt-get install libnginx-mod-http-modsecurity)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
python3 -c 'import yaml' 2>/dev/null || { echo "python3 with PyYAML is required (apt-get install python3-yaml)"; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BACKEND_PORT=$(free_port); PLAIN_PORT=$(free_port); MS1_PORT=$(free_port); MS4_PORT=$(free_port)
GW_PORT=$(free_port); MGMT_PORT=$(free_port)

# The settings of CRS's CI for its regression run (as gatehouse-waf's CrsRegressionTest uses them).
cat > "$WORK/ci-settings.conf" <<'CONF'
SecAction "id:900000,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=4"
SecAction "id:900950,phase:1,pass,nolog,setvar:tx.crs_validate_utf8_encoding=1"
SecAction "id:900010,phase:1,pass,nolog,setvar:tx.enforce_bodyproc_urlencoded=1"
SecAction "id:900300,phase:1,pass,nolog,setvar:tx.max_num_args=255"
SecAction "id:900310,phase:1,pass,nolog,setvar:tx.arg_name_length=100"
SecAction "id:900320,phase:1,pass,nolog,setvar:tx.arg_length=400"
SecAction "id:900330,phase:1,pass,nolog,setvar:tx.total_arg_length=64000"
SecAction "id:900340,phase:1,pass,nolog,setvar:tx.max_file_size=64100"
SecAction "id:900350,phase:1,pass,nolog,setvar:tx.combined_file_sizes=65535"
CONF

# ModSecurity's own settings: the body processors and limits of Debian's recommended
# modsecurity.conf (without its deny rules for body errors, which are not CRS), the unicode map, and
# the marker rule the parity driver uses to split the log between requests.
cat > "$WORK/modsec-base.conf" <<CONF
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "^(?:application(?:/soap\+|/)|text/)xml" "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule REQUEST_HEADERS:Content-Type "^application/json" "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 131072
SecRequestBodyLimitAction ProcessPartial
SecRequestBodyJsonDepthLimit 512
SecPcreMatchLimit 100000
SecPcreMatchLimitRecursion 100000
SecResponseBodyAccess Off
SecTmpDir $WORK
SecDataDir $WORK
SecAuditEngine Off
SecArgumentSeparator &
SecCookieFormat 0
SecUnicodeMapFile /etc/nginx/unicode.mapping 20127
SecRule REQUEST_HEADERS:X-Parity-Marker "@rx ^(.+)$" "id:9999990,phase:1,pass,log,t:none,capture,msg:'parity-marker %{TX.1}'"
CONF
cat > "$WORK/modsec-pl4.conf" <<CONF
SecRuleEngine DetectionOnly
Include $WORK/modsec-base.conf
Include $RULES/crs-setup.conf.example
Include $WORK/ci-settings.conf
Include $RULES/rules/*.conf
CONF
cat > "$WORK/modsec-pl1.conf" <<CONF
SecRuleEngine On
Include $WORK/modsec-base.conf
Include $RULES/crs-setup.conf.example
Include $RULES/rules/*.conf
CONF

# The backend (37-byte answer) runs in its own nginx so that the front's CPU is the proxy's alone.
cat > "$WORK/backend.conf" <<NGINX
worker_processes 1;
pid $WORK/backend.pid;
error_log $WORK/backend-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$BACKEND_PORT; location / { return 200 "0123456789012345678901234567890123456"; } }
}
NGINX
cat > "$WORK/front.conf" <<NGINX
load_module $MODULE;
worker_processes 1;
pid $WORK/front.pid;
error_log $WORK/front-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_buffer_size 128k;
  upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 64; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  server { listen 127.0.0.1:$PLAIN_PORT; location / { proxy_pass http://backend; } }
  server { listen 127.0.0.1:$MS1_PORT; error_log $WORK/modsec-pl1.log info;
           modsecurity on; modsecurity_rules_file $WORK/modsec-pl1.conf; location / { proxy_pass http://backend; } }
  server { listen 127.0.0.1:$MS4_PORT; error_log $WORK/modsec-pl4.log info;
           modsecurity on; modsecurity_rules_file $WORK/modsec-pl4.conf; location / { proxy_pass http://backend; } }
}
NGINX
nginx -c "$WORK/backend.conf"
nginx -c "$WORK/front.conf" 2> "$WORK/front-start.log" || { cat "$WORK/front-start.log"; exit 1; }

cat > "$WORK/gatehouse.yaml" <<YAML
backends:
  - name: nginx
    url: http://127.0.0.1:$BACKEND_PORT
apis:
  - name: crs-pl4
    path: /
    backend: nginx
    subscriptionRequired: false
    policies:
      inbound:
        - waf:
            rules: [$RULES/crs-setup.conf.example, $WORK/ci-settings.conf, $RULES/rules/*.conf]
            paranoia-level: 4
            mode: detect
  - name: crs-pl1
    path: /pl1
    backend: nginx
    subscriptionRequired: false
    policies:
      inbound:
        - waf:
            rules: [$RULES/crs-setup.conf.example, $RULES/rules/*.conf]
            paranoia-level: 1
            mode: block
  - name: plain
    path: /plain
    backend: nginx
    subscriptionRequired: false
YAML

[ -f gatehouse-server/target/gatehouse.jar ] || ./mvnw -q -B -DskipTests package -pl gatehouse-server -am
start_gatehouse() { # extra serve arguments
  GATEHOUSE_ALLOWED_BACKEND_NETWORKS=127.0.0.1/32 GATEHOUSE_ADMIN_TOKEN=bench-token-0123456789abcdef \
    java ${BENCH_JAVA_OPTS:--Xmx1g} -jar gatehouse-server/target/gatehouse.jar serve \
    --config "$WORK/gatehouse.yaml" --data "$WORK/data" --gateway-host 127.0.0.1 \
    --gateway-port "$GW_PORT" --management-port "$MGMT_PORT" "$@" > "$WORK/gatehouse.log" 2>&1 &
  GW_PID=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$GW_PORT/plain" >/dev/null && return 0; kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
  echo "the gateway did not start; its log:" >&2
  cat "$WORK/gatehouse.log" >&2
  exit 1
}
stop_gatehouse() { kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true; GW_PID=; rm -rf "$WORK/data"; }

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/waf.txt"

if [[ $PARTS == *parity* ]]; then
  start_gatehouse --access-log "$WORK/access.log" --no-metrics --no-analytics --sample-rate 0
  python3 bench/waf-parity.py regression "$MS4_PORT" "$WORK/modsec-pl4.log" "$GW_PORT" "$WORK/access.log" \
    "$SUITE" "$OUT/waf-parity-regression" | tee -a "$OUT/waf.txt"
  python3 bench/waf-parity.py benign "$MS1_PORT" "$WORK/modsec-pl1.log" "$GW_PORT" "$WORK/access.log" \
    testdata/libinjection-data/false_positives-half.txt "$OUT/waf-parity-benign" | tee -a "$OUT/waf.txt"
  stop_gatehouse
fi

if [[ $PARTS == *cost* ]]; then
  # The same realistic 1 KB order document as bench/injection.sh (no attack in it).
  cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/126.0"
wrk.headers["Accept"] = "application/json"
wrk.body = '{"id":"6f1c2b9e-3d4a-4c5b-9e8f-0a1b2c3d4e5f","customer":{"name":"Jane Doe","email":"jane.doe@example.com","phone":"+1 415 555 0100","address":{"street":"1 Market Street","city":"San Francisco","zip":"94105","country":"US"}},"items":[{"sku":"SKU-12345","title":"Blue cotton t-shirt, size M","quantity":2,"price":19.99},{"sku":"SKU-67890","title":"Running shoes (men\'s), size 43","quantity":1,"price":89.5},{"sku":"SKU-11111","title":"Gift card","quantity":1,"price":25}],"notes":"Please leave the parcel at the door if nobody answers. Thanks!","coupon":"SPRING-2024","createdAt":"2024-03-01T12:34:56Z","channel":"web","tags":["priority","gift","returning-customer"],"payment":{"method":"card","last4":"4242","currency":"USD"},"shipping":{"method":"express","carrier":"UPS","instructions":"Ring twice; call 555-0100 when outside."},"marketing":{"optIn":true,"source":"newsletter","campaign":"spring_sale_2024","medium":"email","segment":"loyal"},"referrer":"https://www.example.com/products/shoes?utm_source=newsletter"}'
LUA
  start_gatehouse --no-access-log --no-metrics --no-analytics --sample-rate 0
  NGINX_PID=$(pgrep -P "$(cat "$WORK/front.pid")" | head -1)
  # Each front must pass the benign body and block an attack, or the comparison means nothing.
  for url in "http://127.0.0.1:$MS1_PORT/pl1/api/orders" "http://127.0.0.1:$GW_PORT/pl1/api/orders"; do
    ok=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H 'Accept: application/json' \
      -A 'Mozilla/5.0' --data '{"id":"1"}' "$url")
    bad=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H 'Accept: application/json' \
      -A 'Mozilla/5.0' --data '{"q":"1'"'"' OR 1=1 --"}' "$url")
    [ "$ok" = 200 ] && [ "$bad" = 403 ] || { echo "$url: expected 200 for a benign body and 403 for an attack, got $ok and $bad"; exit 1; }
  done
  ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
  HZ=$(getconf CLK_TCK)
  run() { # name pid url -> "name requests ticks non2xx"
    local before; before=$(ticks "$2")
    local out; out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 60s -s "$WORK/post.lua" "$3")
    local after; after=$(ticks "$2")
    local errors; errors=$(echo "$out" | awk '/Socket errors/ {gsub(",", ""); n = $4 + $6 + $8 + $10} END {print n + 0}')
    local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {n = $5} END {print n + 0}')
    echo "$1 $(echo "$out" | awk '/requests in/ {print $1}') $(( after - before )) $non2xx $errors"
  }
  declare -A TARGET=(
    [nginx]="$NGINX_PID http://127.0.0.1:$PLAIN_PORT/api/orders"
    [nginx+modsecurity]="$NGINX_PID http://127.0.0.1:$MS1_PORT/pl1/api/orders"
    [gatehouse]="$GW_PID http://127.0.0.1:$GW_PORT/plain/api/orders"
    [gatehouse+waf]="$GW_PID http://127.0.0.1:$GW_PORT/pl1/api/orders"
  )
  ORDER="nginx nginx+modsecurity gatehouse gatehouse+waf"
  for name in $ORDER; do # warm-up (JIT, caches)
    read -r pid url <<< "${TARGET[$name]}"
    wrk -t2 -c"$CONNS" -d30s --timeout 60s -s "$WORK/post.lua" "$url" > /dev/null
  done
  : > "$WORK/runs.txt"
  for _ in $(seq 1 "$ROUNDS"); do
    for name in $ORDER; do
      read -r pid url <<< "${TARGET[$name]}"
      run "$name" "$pid" "$url" >> "$WORK/runs.txt"
    done
  done
  echo "load average after the cost runs: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/waf.txt"
  python3 - "$HZ" "$WORK/runs.txt" <<'PY' | tee -a "$OUT/waf.txt"
import statistics, sys
hz = int(sys.argv[1])
us = {}
print("CPU per request of the front process, 1 KB JSON POST, CRS paranoia level 1, block mode")
for row in (line.split() for line in open(sys.argv[2])):
    name, reqs, ticks = row[0], int(row[1]), int(row[2])
    bad, errors = int(row[3]), int(row[4])
    us.setdefault(name, []).append(ticks / hz / reqs * 1e6)
    print(f"  {name:>18}: {reqs:>8} requests, non-2xx {bad}, socket errors {errors}, {us[name][-1]:7.1f} us CPU/request")
m = {k: statistics.median(v) for k, v in us.items()}
for k in ("nginx", "nginx+modsecurity", "gatehouse", "gatehouse+waf"):
    print(f"median {k:>18}: {m[k]:7.1f} us CPU/request ({m[k] / m['nginx']:.1f}x nginx)")
print(f"ModSecurity + CRS over nginx: {m['nginx+modsecurity'] - m['nginx']:.1f} us/request")
print(f"waf policy over the same API without it: {m['gatehouse+waf'] - m['gatehouse']:.1f} us/request (target <= 60)")
print(f"gatehouse+waf / nginx+modsecurity: {m['gatehouse+waf'] / m['nginx+modsecurity']:.2f} (target < 1)")
PY
  stop_gatehouse
fi
