#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests (test/browser).
# Idempotent and silent when it is already there. Installs from the Debian mirror only:
# never `npx playwright install` (no internet here or in CI).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "ensure-chromium: $CHROMIUM is missing and this user cannot install it (run as root: apt-get install chromium)" >&2
    exit 1
  fi
else
  SUDO=""
fi

echo "ensure-chromium: installing Debian's chromium package (once)..." >&2
started=$SECONDS
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt's chatter goes to a log that is shown only when something fails.
if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-chromium: installing chromium failed" >&2
  exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed in $((SECONDS - started))s" >&2
