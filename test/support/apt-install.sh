#!/usr/bin/env bash
# apt-install.sh NAME PACKAGE...: installs Debian packages for the test support scripts (ensure-*.sh), as root or
# through passwordless sudo, from the Debian mirror only; apt's chatter is shown only when something fails.
# Waits for another apt (another job on the machine) rather than failing on its lock.
set -euo pipefail

name=$1
shift

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "$name: this user cannot install $* (run as root: apt-get install $*)" >&2
    exit 1
  fi
else
  SUDO=""
fi

echo "$name: installing Debian's $* (once)..." >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
apt=(apt-get -o DPkg::Lock::Timeout=600)
if ! { $SUDO env DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -qq &&
  $SUDO env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "$name: installing $* failed" >&2
  exit 1
fi
