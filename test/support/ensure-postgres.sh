#!/usr/bin/env bash
# Makes sure Debian's PostgreSQL server binaries (initdb, pg_ctl) are installed for the ledger tests, which start
# throwaway clusters of their own (test/support/postgres.ts) on free loopback ports in temporary folders.
# Idempotent and silent when they are already there. Installs from the Debian mirror only.
set -euo pipefail

have_initdb() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }

if have_initdb; then
  exit 0
fi

started=$SECONDS
bash "$(dirname "$0")/apt-install.sh" ensure-postgres postgresql

if ! have_initdb; then
  echo "ensure-postgres: apt-get finished but initdb is still missing" >&2
  exit 1
fi
echo "ensure-postgres: PostgreSQL installed in $((SECONDS - started))s" >&2
