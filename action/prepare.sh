#!/usr/bin/env bash
# Action step 1: find bucketlint. On PATH: use it. A release (the `version` input,
# or the tag the action was referenced by): download its binary for this runner,
# check its SHA-256, and use it. Otherwise (a branch, a fork, a platform without a
# binary): plan a build from the action's source, cached by its exact commit.
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

# The action's version: the `version` input, else its ref when that is a release tag.
ref="${ACTION_REF:-}"
version="${INPUT_VERSION:-}"
version="${version#v}"
if [ -z "$version" ] && [[ "$ref" =~ ^v([0-9]+\.[0-9]+\.[0-9]+)$ ]]; then
  version="${BASH_REMATCH[1]}"
elif [ -z "$version" ] && [[ "$ref" =~ ^v([0-9]+)(\.[0-9]+)?$ ]]; then
  # A moving release tag (v1, v1.2) points only at release commits: the version is
  # that commit's own, when it is within the tag's series.
  own="$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "${GITHUB_ACTION_PATH:-.}/Cargo.toml" 2>/dev/null | head -n 1)"
  case "$own" in "${ref#v}".*) version="$own" ;; esac
fi
if [ -n "$version" ] && ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
  echo "::error title=bucketlint::version '$version' is not a release version (X.Y.Z)"
  exit 1
fi

# The release archive for this runner, as the release workflow names it.
case "${RUNNER_OS_NAME:-}-${RUNNER_ARCH_NAME:-}" in
  Linux-X64) target=x86_64-unknown-linux-musl ext=tar.gz ;;
  Linux-ARM64) target=aarch64-unknown-linux-musl ext=tar.gz ;;
  macOS-X64) target=x86_64-apple-darwin ext=tar.gz ;;
  macOS-ARM64) target=aarch64-apple-darwin ext=tar.gz ;;
  Windows-X64) target=x86_64-pc-windows-msvc ext=zip ;;
  *) target="" ext="" ;;
esac

base="${RUNNER_TOOL_CACHE:-${HOME}/.cache}/bucketlint"

if [ -n "$version" ] && [ -n "$target" ]; then
  root="$base/v$version-$target"
  archive="bucketlint-$target.$ext"
  url="${BUCKETLINT_DOWNLOAD_URL:-https://github.com/bucketlint/bucketlint/releases/download}/v$version"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # HTTPS only, redirects included. The tests serve a fake release on loopback
  # (tests/action.rs), the one place plain HTTP is accepted.
  protos='=https'
  case "$url" in http://127.0.0.1:*) protos='=https,http' ;; esac
  fetch() { curl --fail --silent --show-error --location --proto "$protos" --proto-redir '=https' --retry 2 -o "$2" "$1"; }
  # The release workflow's checksum file (taiki-e/upload-rust-binary-action): one
  # `SHA-256  FILE` line per archive of the target.
  sums="bucketlint-$target.sha256"
  if fetch "$url/$archive" "$work/$archive" && fetch "$url/$sums" "$work/$sums"; then
    expected="$(awk -v f="$archive" '$2 == f || $2 == "*" f {print $1; exit}' "$work/$sums")"
    if command -v sha256sum >/dev/null 2>&1; then
      actual="$(sha256sum "$work/$archive" | awk '{print $1}')"
    else
      actual="$(shasum -a 256 "$work/$archive" | awk '{print $1}')"
    fi
    if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
      # Never run a binary that is not the one released.
      echo "::error title=bucketlint::$archive does not match its published SHA-256 ($actual, expected $expected)"
      exit 1
    fi
    mkdir -p "$root/bin"
    if [ "$ext" = zip ]; then
      unzip -q -o "$work/$archive" -d "$root/bin"
    else
      tar -xzf "$work/$archive" -C "$root/bin"
    fi
    echo "bucketlint $version for $target: downloaded, SHA-256 $actual"
    echo "$root/bin" >> "${GITHUB_PATH:-/dev/null}"
    echo "build=false" >> "$out"
    exit 0
  fi
  echo "::notice title=bucketlint::no release binary at $url/$archive: building from source"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "::error title=bucketlint::bucketlint builds from source here and needs a Rust toolchain (for example dtolnay/rust-toolchain), or set skip-install with bucketlint on PATH"
  exit 1
fi

# A build is cached by the exact commit of the action's source (a branch moves).
commit="$(git -C "${GITHUB_ACTION_PATH:-.}" rev-parse HEAD 2>/dev/null || echo "${ref:-local}")"
safe_commit="$(printf '%s' "$commit" | tr -c 'A-Za-z0-9._-' '_')"
rustc_version="$(rustc -V | tr -c 'A-Za-z0-9._-' '_')"
root="$base/$safe_commit"

{
  echo "build=true"
  echo "root=$root"
  echo "cache-key=bucketlint-${RUNNER_OS_NAME:-unknown}-${RUNNER_ARCH_NAME:-unknown}-${safe_commit}-${rustc_version}"
} >> "$out"
# Later steps (and the rest of the job) find the binary here.
echo "$root/bin" >> "${GITHUB_PATH:-/dev/null}"
