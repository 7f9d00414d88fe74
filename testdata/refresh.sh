#!/bin/sh
# Refreshes the third-party test data in this folder from a checkout of the full corpora
# (default: the nearest shared/corpora above the repository, normally ../shared/corpora beside it;
# or give the directory as the first argument).
# Copies only the subset the tests read (see each suite's SOURCE); the suite's LICENSE comes along,
# SOURCE files are ours and are kept. After a refresh, update the commit in each SOURCE, run
# ./mvnw verify, and re-measure the figures in docs/security-analysis.md (held-out half).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
from=${1:-}
if [ -z "$from" ]; then
  dir=$(dirname "$here")
  while [ "$dir" != / ] && [ ! -d "$dir/shared/corpora" ]; do dir=$(dirname "$dir"); done
  from=$dir/shared/corpora
fi
if [ ! -d "$from" ]; then
  echo "corpora not found at $from (give the directory as the first argument)" >&2
  exit 2
fi
from=$(cd "$from" && pwd)

# replace DEST with the listed paths of SRC (relative to SRC), keeping DEST/SOURCE
copy() {
  src=$from/$1; dest=$here/$2; shift 2
  [ -d "$src" ] || { echo "missing $src" >&2; exit 2; }
  keep=$(mktemp)
  cp "$dest/SOURCE" "$keep" 2>/dev/null || : > "$keep"
  rm -rf "$dest"
  mkdir -p "$dest"
  for p in "$@"; do
    mkdir -p "$dest/$(dirname "$p")"
    cp -R "$src/$p" "$dest/$p"
  done
  [ -s "$keep" ] && cp "$keep" "$dest/SOURCE"
  rm -f "$keep"
  chmod -R u+w "$dest"
}

# JOSE cookbook (RFC 7520): the JWK and JWS examples; the Unlicense text is ours (upstream has no file).
lic=$(mktemp); cp "$here/jose-cookbook/LICENSE" "$lic"
copy jose-cookbook jose-cookbook jwk jws
cp "$lic" "$here/jose-cookbook/LICENSE"; rm -f "$lic"

# JSON Schema Test Suite: the two drafts the tests run and the remotes they reference.
copy json-schema-test-suite json-schema-test-suite LICENSE tests/draft2020-12 tests/draft4 \
  remotes/integer.json remotes/nested remotes/baseUriChange remotes/baseUriChangeFolder \
  remotes/baseUriChangeFolderInSubschema remotes/draft2019-09 remotes/draft2020-12 remotes/draft4

# libinjection: every SQLi, XSS and false-positive data file.
files=$(cd "$from/libinjection-data" && ls LICENSE sqli-*.txt xss-*.txt false_positives*.txt)
# shellcheck disable=SC2086
copy libinjection-data libinjection-data $files

# llhttp: every request test file.
files=$(cd "$from/llhttp-requests" && ls LICENSE *.md)
# shellcheck disable=SC2086
copy llhttp-requests llhttp-requests $files

# OWASP CRS regression tests: every rule file's tests (the WAF runs all of them; the injection
# detector is measured on the ten categories InjectionCorpusTest names).
copy crs-regression crs-regression LICENSE \
  REQUEST-911-METHOD-ENFORCEMENT REQUEST-913-SCANNER-DETECTION \
  REQUEST-920-PROTOCOL-ENFORCEMENT REQUEST-921-PROTOCOL-ATTACK REQUEST-922-MULTIPART-ATTACK \
  REQUEST-930-APPLICATION-ATTACK-LFI REQUEST-931-APPLICATION-ATTACK-RFI REQUEST-932-APPLICATION-ATTACK-RCE \
  REQUEST-933-APPLICATION-ATTACK-PHP REQUEST-934-APPLICATION-ATTACK-GENERIC REQUEST-941-APPLICATION-ATTACK-XSS \
  REQUEST-942-APPLICATION-ATTACK-SQLI REQUEST-943-APPLICATION-ATTACK-SESSION-FIXATION \
  REQUEST-944-APPLICATION-ATTACK-JAVA REQUEST-949-BLOCKING-EVALUATION

# OWASP CRS rules from the same commit: every rule and data file, and the example setup.
copy crs-rules crs-rules LICENSE crs-setup.conf.example rules

du -sh "$here"
