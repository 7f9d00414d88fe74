#!/usr/bin/env bash
# Startup time: from process start to the first 200 from the gateway's health probe.
#
# Runs the launcher N times, each with a fresh data directory (first start: migrations, admin
# token), polling GET /status-0123456789abcdef every 10 ms. Prints per run the wall-clock time and
# the CPU time (user+system, from /proc/<pid>/stat) the process had used at that moment; CPU time
# is the steadier figure on a shared machine. Then the medians and the load average.
# Run 0 is a priming start, reported but not counted: it warms the page cache and, with the
# launcher's AppCDS archive (see ./gatehouse), records the archive when it exits; runs 1..N then
# start from the archive. GATEHOUSE_CDS=off measures without the archive.
#
# Usage: bench/startup.sh [runs=5] [launcher=./gatehouse]
#   STARTUP_JAVA_OPTS is passed as GATEHOUSE_JAVA_OPTS (e.g. -Xshare:off to compare).
# Needs: curl, python3, a JDK; the jar is built by the launcher when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
LAUNCHER=${2:-./gatehouse}
OUT=bench/out
mkdir -p "$OUT"
WORK=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HZ=$(getconf CLK_TCK)
# Build (if needed) outside the measured runs.
"$LAUNCHER" --version >/dev/null

RESULTS=()
for run in $(seq 0 "$RUNS"); do
  GW_PORT=$(free_port); MGMT_PORT=$(free_port)
  rm -rf "$WORK/data"
  START=$(date +%s%N)
  GATEHOUSE_JAVA_OPTS=${STARTUP_JAVA_OPTS:-${GATEHOUSE_JAVA_OPTS:-}} \
  GATEHOUSE_ALLOWED_BACKEND_NETWORKS=127.0.0.1/32 GATEHOUSE_ADMIN_TOKEN=bench-token-0123456789abcdef "$LAUNCHER" serve --data "$WORK/data" \
    --gateway-host 127.0.0.1 --gateway-port "$GW_PORT" --management-port "$MGMT_PORT" \
    > "$WORK/run$run.log" 2>&1 &
  PID=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$GW_PORT/status-0123456789abcdef"; do
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/run$run.log"; exit 1; }
    sleep 0.01
  done
  END=$(date +%s%N)
  CPU=$(awk -v hz="$HZ" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$PID/stat")
  WALL=$(awk -v s="$START" -v e="$END" 'BEGIN {printf "%.2f", (e - s) / 1e9}')
  if [ "$run" = 0 ]; then
    echo "priming run: ${WALL}s wall, ${CPU}s CPU (not counted)"
  else
    echo "run $run: ${WALL}s wall, ${CPU}s CPU"
    RESULTS+=("$WALL $CPU")
  fi
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
done
printf '%s\n' "${RESULTS[@]}" | python3 -c '
import statistics, sys, os
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
print(f"median: {statistics.median(r[0] for r in rows):.2f}s wall, "
      f"{statistics.median(r[1] for r in rows):.2f}s CPU over {len(rows)} runs "
      f"(load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs)")' | tee "$OUT/startup.txt"
