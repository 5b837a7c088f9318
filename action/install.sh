#!/usr/bin/env bash
# Action step 2: build bucketlint from the action's own source, unless the cache
# restored it.
set -euo pipefail

root="${INSTALL_ROOT:?INSTALL_ROOT is not set}"
exe="$root/bin/bucketlint"
[ -f "$exe.exe" ] && exe="$exe.exe"
if [ "${CACHE_HIT:-false}" = "true" ] && [ -x "$exe" ]; then
  echo "bucketlint restored from the cache: $("$exe" --version)"
  exit 0
fi
cargo install --locked --path "${GITHUB_ACTION_PATH:?}" --root "$root"
exe="$root/bin/bucketlint"
[ -f "$exe.exe" ] && exe="$exe.exe"
"$exe" --version
