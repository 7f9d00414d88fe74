#!/usr/bin/env bash
# Component micro-benchmarks (CPU µs per call after warm-up), kept out of the unit-test run.
# Usage: bench/micro.sh            runs every bench/micro/*.java against the built modules
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
  -pl gatehouse-gateway,gatehouse-insight -am
CLASSPATH="$(cat gatehouse-gateway/target/classpath.txt):$(cat gatehouse-insight/target/classpath.txt)"
for m in gatehouse-gateway gatehouse-insight gatehouse-model gatehouse-policy-api; do
  CLASSPATH="$CLASSPATH:$m/target/classes"
done
for f in bench/micro/*.java; do
  java -cp "$CLASSPATH" "$f"
done
