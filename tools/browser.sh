#!/usr/bin/env bash
# Make sure Debian's chromium is installed for the browser test (tests/test_browser.py).
# Playwright drives this installed browser; it never downloads one of its own.
set -euo pipefail

BROWSER=${COURSE_BROWSER:-/usr/bin/chromium}

say() { printf 'browser: %s\n' "$*" >&2; }

[ -x "$BROWSER" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  say "$BROWSER is missing and installing it needs root: run 'sudo apt-get install chromium'"
  exit 3
fi
say "installing chromium from Debian"
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
[ -x "$BROWSER" ] || { say "chromium installed, but $BROWSER is not there"; exit 3; }
