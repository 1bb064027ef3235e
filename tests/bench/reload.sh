#!/usr/bin/env bash
# Reload figure of issue 6 (`deploy/bench.sh --reload`): `vigie serve` with the bench's 1,014-rule
# pack and the shipped rules receives the bench log over TCP from util-linux `logger` (a real
# sender, one connection) while `vigie reload` runs --reloads times, each after
# touching a rule file (one reload of the series adds a rule). Prints, per reload, the time from
# the signal to the new set in force as the daemon reports it, and the events received, parsed
# and dropped. Target: 0 lost (parsed = lines sent). logger frames each bench line as the message
# of a `bench` line (its own header included), so only the pack's message patterns see it: this
# bench measures reloads, not decoding. See tests/bench/README.md ("Reload").
set -euo pipefail
VIGIE_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"

LINES=1000000
RELOADS=5
BUILD="${VIGIE_BUILD_DIR:-$VIGIE_ROOT/build-release}"
OUT="$VIGIE_ROOT/tests/bench/out"
DO_BUILD=1

usage() {
  cat <<USAGE
usage: deploy/bench.sh --reload [options]
  --lines N      lines sent (the head of the bench log, default $LINES)
  --reloads N    reloads while sending (default $RELOADS)
  --build DIR    build directory, configured Release (default \$VIGIE_BUILD_DIR or build-release)
  --out DIR      scratch directory (default tests/bench/out; needs the bench log and pack: run deploy/bench.sh once)
  --no-build     do not build; use what is in the build directory
USAGE
}

while (($#)); do
  case "$1" in
    --lines) LINES="$2"; shift 2 ;;
    --reloads) RELOADS="$2"; shift 2 ;;
    --build) BUILD="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --no-build) DO_BUILD=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "reload: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$LINES" "$RELOADS"; do
  [[ "$n" =~ ^[0-9]+$ ]] && ((n > 0)) || { echo "reload: not a positive number: $n" >&2; exit 2; }
done

if ((DO_BUILD)); then
  . "$VIGIE_ROOT/deploy/deps.sh"
  vigie_build "$BUILD" --target vigie -DCMAKE_BUILD_TYPE=Release
fi
VIGIE_BIN="$BUILD/daemon/app/vigie"
[ -x "$VIGIE_BIN" ] || { echo "reload: no vigie binary under $BUILD (build first)" >&2; exit 1; }
command -v logger > /dev/null || { echo "reload: logger missing (Debian package bsdutils)" >&2; exit 1; }
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
LOG="$(ls -S "$OUT"/auth-*-s1.log 2> /dev/null | head -n 1 || true)"
PACK="$OUT/pack/rules"
[ -n "$LOG" ] && [ -d "$PACK" ] || { echo "reload: no bench log or pack in $OUT: run deploy/bench.sh first" >&2; exit 1; }

WORK="$OUT/reload"
rm -rf "$WORK"
mkdir -p "$WORK/rules"
cp -r "$VIGIE_ROOT/rules/." "$WORK/rules/"
cp -r "$PACK" "$WORK/rules/pack"
head -n "$LINES" "$LOG" > "$WORK/lines.log"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat > "$WORK/vigie.yml" <<YAML
# Written by tests/bench/reload.sh.
storage: { path: '$WORK/vigie.db' }
inputs: { syslog: [ { listen: "tcp://127.0.0.1:$PORT" } ] }
rules: { paths: ['$WORK/rules'] }
YAML

"$VIGIE_BIN" serve --config "$WORK/vigie.yml" > "$WORK/serve.log" 2>&1 &
SERVE=$!
trap 'kill "$SERVE" 2> /dev/null || true' EXIT
for _ in $(seq 100); do grep -q "vigie ready" "$WORK/serve.log" && break; sleep 0.1; done
grep -q "vigie ready" "$WORK/serve.log" || { echo "reload: serve did not start; see $WORK/serve.log" >&2; exit 1; }

echo "reload: sending $LINES lines over TCP while reloading $RELOADS times" >&2
logger -n 127.0.0.1 -P "$PORT" --rfc3164 -T --octet-count -t bench -f "$WORK/lines.log" &
SENDER=$!
TIMES=()
for k in $(seq "$RELOADS"); do
  sleep 0.3
  if ((k == 2)); then
    printf '%s\n' "title: added by the reload bench" "id: bench-reload-added" "level: low" \
      "detection: { s: { message|contains: 'bench-reload-marker' }, condition: s }" > "$WORK/rules/added.yml"
  else
    touch "$WORK/rules/pack/pack-00.yml"
  fi
  line="$("$VIGIE_BIN" reload --config "$WORK/vigie.yml" --timeout 80)"
  TIMES+=("$(sed -n 's/.* in \([0-9.]*\) s$/\1/p' <<< "$line")")
  echo "  $line" >&2
done
sender_done=0
kill -0 "$SENDER" 2> /dev/null || sender_done=1
wait "$SENDER"
kill -TERM "$SERVE"
wait "$SERVE" || { echo "reload: serve exited non-zero; see $WORK/serve.log" >&2; exit 1; }
trap - EXIT
counter() { sed -n "s/.*counter $1{[^}]*} \([0-9]*\)$/\1/p; s/.*counter $1 \([0-9]*\)$/\1/p" "$WORK/serve.log" | awk '{ t += $1 } END { print t + 0 }'; }
received="$(counter vigie_events_received_total)"
parsed="$(counter vigie_events_parsed_total)"
dropped="$(counter vigie_events_dropped_total)"
STATUS=0
{
  echo
  echo "vigie reload — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$VIGIE_ROOT" rev-parse --short HEAD 2> /dev/null || echo '?'), $(nproc) cores"
  echo "rules: shipped rules + the 1,014-rule bench pack; $LINES lines of $LOG over TCP (logger)"
  echo "  signal to new set in force, per reload (s): ${TIMES[*]}"
  echo "  lines sent $LINES, received $received, parsed $parsed, dropped $dropped$( ((sender_done)) && echo '; the sender finished before the last reload: send more lines')"
} | tee "$OUT/reload-results.txt"
if ((parsed != LINES || dropped != 0)); then echo "reload: events lost — MISSED" >&2; STATUS=1; fi
((STATUS == 0)) && echo "target (issue 6): 0 events lost across $RELOADS reloads under load — met"
exit "$STATUS"
