#!/usr/bin/env bash
# Diffs the findings (and notes) bucketlint reports on ../shared/corpus between a
# base revision and the work tree: a performance change must not change a finding.
#   ci/corpus-diff.sh [BASE]   (default: origin/main if present, else HEAD~1)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${BUCKETLINT_CORPUS:-../shared/corpus}
[ -d "$corpus" ] || { echo "corpus-diff: no corpus at $corpus: skipped"; exit 0; }
base=${1:-$(git rev-parse --verify -q origin/main || git rev-parse HEAD~1)}
out=target/corpus-diff
rm -rf "$out" && mkdir -p "$out"
git worktree add -q --detach "$out/base" "$base"
trap 'git worktree remove --force "$out/base"' EXIT
# The summary holds byte and file counts that a faster walk may count differently.
report() { "$1" check "$corpus" --select ALL --format json --exit-zero | sed '/^  "summary": {/,$d'; }
(cd "$out/base" && CARGO_TARGET_DIR="$PWD/../../base-target" cargo build --release --quiet)
cargo build --release --quiet
report "$out/../base-target/release/bucketlint" > "$out/base.json" || true
report target/release/bucketlint > "$out/head.json" || true
if diff -u "$out/base.json" "$out/head.json" > "$out/diff.txt"; then
  echo "corpus-diff: identical findings ($(grep -c '"code"' "$out/head.json") with every rule) against $base"
else
  echo "corpus-diff: findings differ from $base:"; head -100 "$out/diff.txt"; exit 1
fi
