#!/usr/bin/env bash
# Wall time of `bucketlint check --pre-commit` on one small module directory
# (a bucket and its access block), the hook's common case: 100 runs, median.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
bin="$repo/target/release/bucketlint"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/infra"
cp "$repo/testdata/terraform/v4-split/"*.tf "$dir/infra/"
cd "$dir"
times=()
for _ in $(seq 100); do
  s=$(date +%s%N)
  "$bin" check --pre-commit infra/main.tf > /dev/null || true
  times+=($(( ($(date +%s%N) - s) / 1000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "bucketlint --pre-commit on $(ls infra | wc -l) files: median $(( sorted[50] / 1000 )).$(( sorted[50] % 1000 / 100 )) ms, p90 $(( sorted[90] / 1000 )).$(( sorted[90] % 1000 / 100 )) ms (100 runs)"
