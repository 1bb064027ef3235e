#!/usr/bin/env bash
# Installs missing packages, builds Vigie and runs `vigie serve` on the demo configuration:
# syslog on 127.0.0.1:5514 (UDP and TCP), a spool directory, SQLite and maildir under ./var,
# the shipped rules.
set -euo pipefail
VIGIE_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$VIGIE_ROOT/deploy/deps.sh"
vigie_install_deps
BUILD="${VIGIE_BUILD_DIR:-$VIGIE_ROOT/build}"
vigie_build "$BUILD" --target vigie
mkdir -p "$VIGIE_ROOT/var"
CONFIG="$VIGIE_ROOT/deploy/demo/vigie.yml"
"$BUILD/daemon/app/vigie" check --config "$CONFIG"
cat <<TXT

Vigie is starting (Ctrl-C to stop).
  alerts (mail):  $VIGIE_ROOT/var/maildir/new/
  database:       $VIGIE_ROOT/var/vigie.db
  spool:          drop a log file or a pcap in $VIGIE_ROOT/var/spool/demo-local/
  try it:         for i in \$(seq 10); do logger -d -n 127.0.0.1 -P 5514 -t sshd "Failed password for root from 183.62.140.253 port \$((40000+i)) ssh2"; done

TXT
exec "$BUILD/daemon/app/vigie" serve --config "$CONFIG"
