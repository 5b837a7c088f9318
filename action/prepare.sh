#!/usr/bin/env bash
# Action step 1: decide whether bucketlint must be built, and where it goes.
# Outputs: build (true/false), root (install directory), cache-key.
set -euo pipefail

out="${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: run this as an action step}"

if [ "${INPUT_SKIP_INSTALL:-false}" = "true" ] || command -v bucketlint >/dev/null 2>&1; then
  if ! command -v bucketlint >/dev/null 2>&1; then
    echo "::error title=bucketlint::skip-install is true but no bucketlint is on PATH"
    exit 1
  fi
  echo "using $(command -v bucketlint) ($(bucketlint --version))"
  echo "build=false" >> "$out"
  exit 0
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "::error title=bucketlint::bucketlint builds from source and needs a Rust toolchain (for example dtolnay/rust-toolchain), or set skip-install with bucketlint on PATH"
  exit 1
fi

# The action's version: its ref, else its commit (a local `uses: ./`).
ref="${ACTION_REF:-}"
if [ -z "$ref" ]; then
  ref="$(git -C "$GITHUB_ACTION_PATH" rev-parse HEAD 2>/dev/null || echo local)"
fi
safe_ref="$(printf '%s' "$ref" | tr -c 'A-Za-z0-9._-' '_')"
rustc_version="$(rustc -V | tr -c 'A-Za-z0-9._-' '_')"
root="${RUNNER_TOOL_CACHE:-${HOME}/.cache}/bucketlint/${safe_ref}"

{
  echo "build=true"
  echo "root=$root"
  echo "cache-key=bucketlint-${RUNNER_OS_NAME:-unknown}-${RUNNER_ARCH_NAME:-unknown}-${safe_ref}-${rustc_version}"
} >> "$out"
# Later steps (and the rest of the job) find the binary here.
echo "$root/bin" >> "${GITHUB_PATH:-/dev/null}"
