#!/usr/bin/env bash
# The real pre-commit, from PyPI, running a bucketlint hook in a throwaway git
# repository: a staged public bucket must fail the commit check, and pass once fixed.
#
#   ci/pre-commit-e2e.sh [wheel]  (CI) builds the PyPI wheel with maturin, installs
#       it into a fresh virtual environment and scans testdata/ from it, then runs the
#       mirror's `language: python` hook (pre-commit-mirror/) with pip confined to
#       that wheel: what `pip install bucketlint` and the hook do for a user.
#   ci/pre-commit-e2e.sh rust     the repository's `language: rust` hook, built by
#       pre-commit's `cargo install` (about 4 minutes on 2 cores: run by hand, as CI
#       has no room for it; its definition is checked by tests/action.rs).
#
# Both reuse the release build's target directory.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
mode="${1:-wheel}"

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
export PIP_DISABLE_PIP_VERSION_CHECK=1

case "$mode" in
  wheel)
    start=$(date +%s)
    maturin="$(command -v maturin || true)"
    if [ -z "$maturin" ]; then
      "$work/venv/bin/pip" install --quiet "maturin>=1.5,<2"
      maturin="$work/venv/bin/maturin"
    fi
    # Unstripped (the release workflow strips): cargo then reuses the binary the
    # README's `cargo run --release` built, instead of 100 s recompiling it.
    (cd "$repo" && "$maturin" build --release --locked --strip false --quiet --out "$work/wheels")
    wheel="$(ls "$work"/wheels/bucketlint-*.whl)"
    echo "wheel: $(basename "$wheel"), $(du -k "$wheel" | cut -f1) KiB, built in $(( $(date +%s) - start ))s"

    # `pip install bucketlint` into a fresh environment: the binary, nothing else.
    python3 -m venv "$work/user"
    start=$(date +%s)
    "$work/user/bin/pip" install --quiet --no-index "$wheel"
    echo "wheel installed in $(( $(date +%s) - start ))s: $("$work/user/bin/bucketlint" --version)"
    status=0
    (cd "$repo" && "$work/user/bin/bucketlint" check testdata --format concise) > "$work/scan.txt" || status=$?
    if [ "$status" -ne 1 ] || ! grep -q "BL110" "$work/scan.txt"; then
      cat "$work/scan.txt"
      echo "pre-commit e2e: the wheel's bucketlint should report BL110 on testdata (exit 1), got exit $status" >&2
      exit 1
    fi
    echo "the wheel's bucketlint scanned testdata: $(wc -l < "$work/scan.txt") findings"

    # The mirror as its own repository; pip sees only the local wheels (the mirror's
    # build backend is downloaded into the same directory first).
    "$work/venv/bin/pip" download --quiet --dest "$work/wheels" "setuptools>=61"
    hook_repo="$work/mirror"
    cp -R "$repo/pre-commit-mirror" "$hook_repo"
    git -C "$hook_repo" init -q -b main
    git -C "$hook_repo" add -A
    git -C "$hook_repo" -c user.name=ci -c user.email=ci@example.com commit -qm mirror
    export PIP_NO_INDEX=1 PIP_FIND_LINKS="$work/wheels"
    ;;
  rust) hook_repo="$repo" ;;
  *) echo "usage: $0 [wheel|rust]" >&2; exit 2 ;;
esac

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
"$work/venv/bin/pre-commit" try-repo "$hook_repo" bucketlint > "$work/out.txt" 2>&1 || status=$?
cat "$work/out.txt"
if [ "$status" -eq 0 ] || ! grep -q "infra/main.tf:3:12: BL110" "$work/out.txt"; then
  echo "pre-commit e2e ($mode): expected the hook to fail with BL110 on the staged file" >&2
  exit 1
fi
echo "pre-commit e2e ($mode): hook installed and run in $(( $(date +%s) - start ))s"

sed -i.bak 's/public-read/private/' infra/main.tf && rm -f infra/main.tf.bak
cat > bucketlint.toml <<'TOML'
select = ["BL110"]
TOML
git add infra/main.tf bucketlint.toml
"$work/venv/bin/pre-commit" try-repo "$hook_repo" bucketlint > "$work/out.txt" 2>&1 || {
  cat "$work/out.txt"
  echo "pre-commit e2e ($mode): expected the hook to pass after the fix" >&2
  exit 1
}
cat "$work/out.txt"
echo "pre-commit e2e ($mode): ok"
