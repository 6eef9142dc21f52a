#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests (test/browser).
# Idempotent and silent when it is already there. Installs from the Debian mirror only:
# never `npx playwright install` (no internet here or in CI).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

started=$SECONDS
bash "$(dirname "$0")/apt-install.sh" ensure-chromium chromium

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed in $((SECONDS - started))s" >&2
