#!/usr/bin/env bash
# Makes sure Debian's PostgreSQL server binaries (initdb, pg_ctl) are installed for the ledger tests, which start
# throwaway clusters of their own (test/support/postgres.ts) on free loopback ports in temporary folders.
# Idempotent and silent when they are already there. Installs from the Debian mirror only.
set -euo pipefail

if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "ensure-postgres: PostgreSQL is missing and this user cannot install it (run as root: apt-get install postgresql)" >&2
    exit 1
  fi
else
  SUDO=""
fi

echo "ensure-postgres: installing Debian's postgresql package (once)..." >&2
started=$SECONDS
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq &&
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends postgresql; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-postgres: installing postgresql failed" >&2
  exit 1
fi

if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  echo "ensure-postgres: apt-get finished but initdb is still missing" >&2
  exit 1
fi
echo "ensure-postgres: PostgreSQL installed in $((SECONDS - started))s" >&2
