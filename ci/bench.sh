#!/usr/bin/env bash
# Prints the performance figures of issue 13 (each a ratio measured in this run,
# with the machine's core count) on ../shared/corpus and on generated projects.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --quiet --bench figures
