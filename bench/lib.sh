# Shared pieces of the bench scripts. Source it after `cd` to the repository root:
#   . bench/lib.sh

# nginx_baseline WORK BACKEND_PORT PROXY_PORT [LISTEN_PARAMETERS] [PROXY_DIRECTIVES] [HTTP_DIRECTIVES]
#
# Starts the baseline the gateway is compared with: one nginx worker that serves the backend (a
# 37-byte answer on BACKEND_PORT) and a keep-alive reverse proxy in front of it (PROXY_PORT).
# LISTEN_PARAMETERS follow the proxy's listen address (e.g. " ssl http2"), PROXY_DIRECTIVES go in
# the proxy's server block, HTTP_DIRECTIVES in the http block. Sets NGINX_WORKER to the worker's
# pid: the worker serves both the backend and the proxy, so a proxy's own cost is (proxy run worker
# CPU) - (direct backend run worker CPU). Stop it with: kill "$(cat "$WORK/nginx.pid")".
nginx_baseline() {
  local work=$1 backend=$2 proxy=$3 listen=${4:-} server=${5:-} http=${6:-}
  cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  $http
  upstream backend { server 127.0.0.1:$backend; keepalive 256; }
  server { listen 127.0.0.1:$backend; location / { return 200 "0123456789012345678901234567890123456"; } }
  server {
    listen 127.0.0.1:$proxy$listen;
    $server
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
  nginx -c "$work/nginx.conf"
  sleep 0.5
  NGINX_WORKER=$(pgrep -P "$(cat "$work/nginx.pid")" | head -n 1)
}
