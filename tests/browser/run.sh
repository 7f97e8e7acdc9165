#!/usr/bin/env bash
# The HTML report in a real browser: makes the sample district's HTML and JSON reports and loads the
# page in headless Chromium (report.test.mjs says what it checks). Installs what is missing:
# Debian's `chromium` package (apt-get, through sudo when not root) and, from package-lock.json,
# playwright-core (once: an existing node_modules is reused, so a rerun needs no network).
#
#   bash tests/browser/run.sh            # from anywhere in the repository
#   SCREENSHOT=docs/report.png bash tests/browser/run.sh   # also keep the screenshot
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

if ! command -v chromium >/dev/null 2>&1 && [[ -z "${CHROMIUM:-}" ]]; then
    echo "installing Debian's chromium..." >&2
    SUDO=""
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [[ ! -f tests/browser/node_modules/playwright-core/package.json ]]; then
    echo "installing playwright-core from tests/browser/package-lock.json..." >&2
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
POLICY=policies/lausd/2023-24/ref-1028.19.policy
# Exit 1 is expected: the sample has error findings planted in it.
set +e
cargo run --quiet --locked -- lint "$POLICY" samples/district --as-of 2024-02-15 --format html -o "$out/report.html" 2>/dev/null
code_html=$?
cargo run --quiet --locked -- lint "$POLICY" samples/district --as-of 2024-02-15 --format json >"$out/report.json" 2>/dev/null
code_json=$?
set -e
if [[ $code_html -ne $code_json || $code_html -gt 1 ]]; then
    echo "lint exited $code_html (html) and $code_json (json)" >&2
    exit 1
fi
shot=""
if [[ -n "${SCREENSHOT:-}" ]]; then shot="$ROOT/$SCREENSHOT"; fi
node tests/browser/report.test.mjs "$out/report.html" "$out/report.json" $shot
