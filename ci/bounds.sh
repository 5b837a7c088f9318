#!/usr/bin/env bash
# Prints the time and peak memory of every hostile input of issue 12, run by the
# release binary (the test `tests/bounds.rs` asserts 10 s and 600 MB for each).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --quiet --test bounds -- --nocapture 2>&1 | grep -E '^bounds:|^test result' | sed 's/^bounds: //'
