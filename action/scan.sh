#!/usr/bin/env bash
# Action step 3: scan, write the SARIF file, annotate, summarise, set outputs.
# Inputs come as INPUT_* environment variables (see action.yml).
set -uo pipefail

sarif="${INPUT_SARIF_FILE:-bucketlint.sarif}"
tmp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
json="$(mktemp "$tmp/bucketlint-json.XXXXXX")"
markdown="$(mktemp "$tmp/bucketlint-md.XXXXXX")"
changed="$(mktemp "$tmp/bucketlint-changed.XXXXXX")"

read -r -a paths <<< "${INPUT_PATH:-.}"
args=(check ${paths[@]+"${paths[@]}"} --format "sarif=$sarif" --format "json=$json")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_FAIL_ON:-}" ] && args+=(--fail-on "$INPUT_FAIL_ON")
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
[ "${INPUT_SUMMARY:-true}" = "true" ] && args+=(--format "markdown=$markdown")

# The pull request's base branch as a local revision (fetched at depth 1 when the
# checkout lacks it); fails outside a pull request or when git cannot get it.
base_ref() {
  local base ref
  base="${GITHUB_BASE_REF:-}"
  [ -n "$base" ] || return 1
  if ! git rev-parse -q --verify "origin/$base^{commit}" >/dev/null 2>&1; then
    git fetch --no-tags --quiet --depth=1 origin "+refs/heads/$base:refs/remotes/origin/$base" 2>/dev/null || true
  fi
  for ref in "origin/$base" "$base"; do
    if git rev-parse -q --verify "$ref^{commit}" >/dev/null 2>&1; then
      echo "$ref"
      return 0
    fi
  done
  return 1
}

# `new-only`: report only what the pull request introduces (check --new-since).
if [ "${INPUT_NEW_ONLY:-false}" = "true" ]; then
  if ref="$(base_ref)"; then
    args+=(--new-since "$ref")
  else
    echo "::warning title=bucketlint::new-only needs a pull request's base branch (GITHUB_BASE_REF) that git can fetch; reporting every finding"
  fi
fi

# The files this pull request changed, absolute, one per line; fails when git
# cannot tell.
changed_files() {
  local top base ref
  top="$(git rev-parse --show-toplevel 2>/dev/null)" || return 1
  base="${GITHUB_BASE_REF:-}"
  [ -n "$base" ] || return 1
  base_ref > /dev/null || return 1
  for ref in "origin/$base" "$base"; do
    if git rev-parse -q --verify "$ref^{commit}" >/dev/null; then
      # Three dots (since the branch point) when the history allows it; two dots
      # otherwise, which is exact for the merge commit actions/checkout makes.
      { git diff --name-only "$ref...HEAD" 2>/dev/null || git diff --name-only "$ref" HEAD; } |
        sed "s|^|$top/|"
      return "${PIPESTATUS[0]}"
    fi
  done
  return 1
}

if [ "${INPUT_ANNOTATIONS:-true}" = "true" ]; then
  args+=(--format github)
  only="${INPUT_ONLY_CHANGED:-auto}"
  if [ "$only" = "auto" ]; then
    case "${GITHUB_EVENT_NAME:-}" in
      pull_request | pull_request_target) only=true ;;
      *) only=false ;;
    esac
  fi
  if [ "$only" = "true" ]; then
    if changed_files > "$changed"; then
      args+=(--changed-files "$changed")
    else
      echo "::warning title=bucketlint::cannot tell which files the pull request changed (no base ref in the checkout); annotating every finding"
    fi
  fi
fi
read -r -a formats <<< "${INPUT_FORMAT:-text}"
for f in ${formats[@]+"${formats[@]}"}; do
  args+=(--format "$f")
done
read -r -a extra <<< "${INPUT_ARGS:-}"
# (The `+` forms keep bash 3.2, macOS's, happy with empty arrays under `set -u`.)
args+=(${extra[@]+"${extra[@]}"})

bucketlint "${args[@]}"
code=$?

# The summary's count of reported findings (the last "findings" number of the JSON).
findings="$(grep -o '"findings": [0-9][0-9]*' "$json" 2>/dev/null | tail -n 1 | grep -o '[0-9][0-9]*$')"
if [ "${INPUT_SUMMARY:-true}" = "true" ] && [ -s "$markdown" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$markdown" >> "$GITHUB_STEP_SUMMARY"
fi
{
  echo "sarif-file=$sarif"
  echo "findings=${findings:-0}"
  echo "exit-code=$code"
} >> "${GITHUB_OUTPUT:-/dev/null}"
rm -f "$json" "$markdown" "$changed"
exit "$code"
