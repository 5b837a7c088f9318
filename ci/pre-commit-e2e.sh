#!/usr/bin/env bash
# The real pre-commit, from PyPI, running this repository's hook (`try-repo`) in a
# throwaway git repository: a staged public bucket must fail the commit check,
# and pass once fixed. Reuses the release build's target directory so the hook's
# `cargo install` only recompiles bucketlint itself.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

if ! command -v python3 >/dev/null 2>&1; then
  echo "pre-commit e2e: skipped (no python3)"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "pre-commit>=3,<5"
export PRE_COMMIT_HOME="$work/cache"
export CARGO_TARGET_DIR="$repo/target"

fixture="$work/fixture"
mkdir -p "$fixture/infra"
cd "$fixture"
git init -q -b main
git config user.name ci
git config user.email ci@example.com
cat > infra/main.tf <<'TF'
resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  acl    = "public-read"
}
TF
git add infra/main.tf

start=$(date +%s)
status=0
"$work/venv/bin/pre-commit" try-repo "$repo" bucketlint > "$work/out.txt" 2>&1 || status=$?
cat "$work/out.txt"
if [ "$status" -eq 0 ] || ! grep -q "infra/main.tf:3:12: BL110" "$work/out.txt"; then
  echo "pre-commit e2e: expected the hook to fail with BL110 on the staged file" >&2
  exit 1
fi

sed -i.bak 's/public-read/private/' infra/main.tf && rm -f infra/main.tf.bak
cat > bucketlint.toml <<'TOML'
select = ["BL110"]
TOML
git add infra/main.tf bucketlint.toml
"$work/venv/bin/pre-commit" try-repo "$repo" bucketlint > "$work/out.txt" 2>&1 || {
  cat "$work/out.txt"
  echo "pre-commit e2e: expected the hook to pass after the fix" >&2
  exit 1
}
cat "$work/out.txt"
echo "pre-commit e2e: ok in $(( $(date +%s) - start ))s"
