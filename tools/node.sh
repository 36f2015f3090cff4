#!/usr/bin/env bash
# Make sure Node.js and npm are there for the class hub's proxy (configurable-http-proxy, from npm):
# `make class` and the class hub test (tests/test_class_hub.py) install it with npm.
set -euo pipefail

say() { printf 'node: %s\n' "$*" >&2; }

command -v node >/dev/null && command -v npm >/dev/null && exit 0
if [ "$(id -u)" != 0 ]; then
  say "node or npm is missing and installing them needs root: run 'sudo apt-get install nodejs npm'"
  exit 3
fi
say "installing nodejs and npm from Debian"
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
command -v npm >/dev/null || { say "nodejs and npm installed, but npm is not on PATH"; exit 3; }
