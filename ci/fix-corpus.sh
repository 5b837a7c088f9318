#!/usr/bin/env bash
# Fixes a copy of ../shared/corpus and scans it again: findings by rule before and
# after, files changed, and parse errors (a fix must never add one).
#   ci/fix-corpus.sh [--unsafe-fixes]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${BUCKETLINT_CORPUS:-../shared/corpus}
[ -d "$corpus" ] || { echo "fix-corpus: no corpus at $corpus: skipped"; exit 0; }
cargo build --release --quiet
bin=$PWD/target/release/bucketlint
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus" "$work/before"
cp -r "$corpus" "$work/after"
count() { "$bin" check "$1" --format json --exit-zero | python3 -c '
import collections, json, sys
c = collections.Counter(f["code"] for f in json.load(sys.stdin)["findings"])
print(" ".join(f"{k}={v}" for k, v in sorted(c.items())))'; }
echo "before: $(count "$work/before")"
start=$(date +%s.%N)
"$bin" check "$work/after" --fix "$@" --exit-zero > /dev/null 2> "$work/fix.log" || true
end=$(date +%s.%N)
grep -v '^warning' "$work/fix.log" | tail -1
grep '^warning' "$work/fix.log" | head -5 || true
echo "fix: $(echo "$end - $start" | bc) s"
echo "after:  $(count "$work/after")"
echo "files changed: $(diff -rq "$work/before" "$work/after" | wc -l)"
