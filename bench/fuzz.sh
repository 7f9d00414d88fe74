#!/usr/bin/env bash
# Fuzzes every @FuzzTest target for a fixed time each and keeps what it finds.
#
# Runs Jazzer (through its JUnit integration) in fuzzing mode (JAZZER_FUZZ=1) on each target
# class in its own test JVM (one fuzz test per JVM is a Jazzer rule), for SECONDS seconds each.
# A crashing input is written next to the target's seeds as
# src/test/resources/<package>/<Class>Inputs/<method>/crash-<sha1>; once the bug is fixed, rename
# it to say what it is and commit it: every later `./mvnw verify` replays it. The generated
# corpus goes to .cifuzz-corpus/ (not committed); a later run continues from it.
#
# Usage: bench/fuzz.sh [seconds=30] [test-class-pattern=*FuzzTest]
# Short run (minutes in total): bench/fuzz.sh 30.  Long run: bench/fuzz.sh 3600 'ConfigLoader*'.
# Needs: a JDK; Jazzer comes from Maven Central as a test dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-30}
PATTERN=${2:-*FuzzTest}
MODULES=gatehouse-model,gatehouse-insight,gatehouse-gateway,gatehouse-control

before=$(find . -path '*/src/test/resources/*' -name 'crash-*' | sort)
# jazzer.internal.arg.N are libFuzzer's arguments (0 is a program name); the last
# -max_total_time wins over the @FuzzTest(maxDuration) default.
JAZZER_FUZZ=1 ./mvnw -B -ntp test -pl "$MODULES" -am \
  -Dtest="$PATTERN" -Dsurefire.failIfNoSpecifiedTests=false -DreuseForks=false \
  -Dmaven.test.failure.ignore=true \
  -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1="-max_total_time=$SECONDS_PER_TARGET" \
  | grep -E '^\[(INFO|ERROR|WARNING)\] (Running|Tests run|BUILD)|^#[0-9]+ +DONE|crash-|FuzzTestFinding' || true
after=$(find . -path '*/src/test/resources/*' -name 'crash-*' | sort)
new=$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d')
if [ -n "$new" ]; then
  echo "new crashing inputs (fix, rename, commit):"
  echo "$new"
  exit 1
fi
echo "no new crashing inputs"
