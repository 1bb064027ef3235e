#!/usr/bin/env bash
# Memory figure of issue 5 (`deploy/bench.sh --spray`): 2,000,000 failed passwords from
# 2,000,000 distinct source addresses within one minute of event time, with a real brute force
# (12 failures from one address, 1,000 spray lines apart) in the middle, replayed through
# `vigie replay` with the shipped rules (rules/) and the default correlation caps. Prints the
# peak RSS of the whole process (target: <= 256 MiB), the evictions, and checks that the brute
# force alert is in the output. See tests/bench/README.md ("Spray").
set -euo pipefail
VIGIE_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"

LINES=2000000
BUILD="${VIGIE_BUILD_DIR:-$VIGIE_ROOT/build-release}"
OUT="$VIGIE_ROOT/tests/bench/out"
DO_BUILD=1
MAX_RSS_MIB=256

usage() {
  cat <<USAGE
usage: deploy/bench.sh --spray [options]
  --lines N      spray lines, one distinct source address each (default $LINES)
  --build DIR    build directory, configured Release (default \$VIGIE_BUILD_DIR or build-release)
  --out DIR      scratch directory (default tests/bench/out)
  --no-build     do not build; use what is in the build directory
USAGE
}

while (($#)); do
  case "$1" in
    --lines) LINES="$2"; shift 2 ;;
    --build) BUILD="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --no-build) DO_BUILD=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "spray: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$LINES" =~ ^[0-9]+$ ]] && ((LINES > 0)) || { echo "spray: not a positive number: $LINES" >&2; exit 2; }

if ((DO_BUILD)); then
  . "$VIGIE_ROOT/deploy/deps.sh"
  vigie_build "$BUILD" --target vigie -DCMAKE_BUILD_TYPE=Release
fi
VIGIE_BIN="$BUILD/daemon/app/vigie"
[ -x "$VIGIE_BIN" ] || VIGIE_BIN="$(find "$BUILD" -type f -name vigie -perm -u+x | head -n 1)"
[ -n "$VIGIE_BIN" ] && [ -x "$VIGIE_BIN" ] || { echo "spray: no vigie binary under $BUILD (build first)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "spray: /usr/bin/time missing (Debian package time)" >&2; exit 1; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

LOG="$OUT/spray-$LINES.log"
if [ -s "$LOG" ] && [ "$LOG" -nt "$VIGIE_ROOT/tests/bench/gen_spray.py" ]; then
  echo "spray: reusing $LOG" >&2
else
  echo "spray: generating $LINES lines into $LOG" >&2
  "$PY" "$VIGIE_ROOT/tests/bench/gen_spray.py" --lines "$LINES" "$LOG.tmp"
  mv "$LOG.tmp" "$LOG"
fi

# Default detection caps: nothing under `detection:`.
printf '%s\n' "# Written by tests/bench/spray.sh: replay only, shipped rules, default caps." \
  "storage: { path: '$OUT/spray.db' }" "rules: { paths: ['$VIGIE_ROOT/rules'] }" > "$OUT/spray.yml"
rm -f "$OUT"/spray.db "$OUT"/spray.db-wal "$OUT"/spray.db-shm
echo "spray: vigie replay of $LOG" >&2
rc=0
t0="$(date +%s.%N)"
/usr/bin/time -v -o "$OUT/spray.time" "$VIGIE_BIN" replay --config "$OUT/spray.yml" --format json "$LOG" \
  > "$OUT/spray-alerts.jsonl" 2> "$OUT/spray.stderr" || rc=$?
t1="$(date +%s.%N)"
if ((rc != 0)); then
  echo "spray: vigie replay exited $rc; last lines of $OUT/spray.stderr:" >&2
  tail -n 20 "$OUT/spray.stderr" >&2
  exit 1
fi
rss_kb="$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$OUT/spray.time")"
rss_mib="$(awk -v k="$rss_kb" 'BEGIN { printf "%.0f", k / 1024 }')"
secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
# `vigie replay` logs the evictions of the run in one line (vigie_correlation_evicted_total).
evicted="$(sed -n 's/.*correlation: \([0-9]*\) key(s) evicted.*/\1/p' "$OUT/spray.stderr" | tail -n 1)"
brute="$("$PY" -c '
import json, sys
found = []
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        a = json.loads(line)
        if a["rule"]["id"] == "vigie-ssh-bruteforce" and a["key"].get("source.ip") == "183.62.140.253":
            found.append(a["count"])
print(f"{len(found)} alert(s), count {found}" if found else "none")
' "$OUT/spray-alerts.jsonl")"
alerts="$(wc -l < "$OUT/spray-alerts.jsonl")"
STATUS=0
{
  echo
  echo "vigie spray — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$VIGIE_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores"
  echo "log: $LOG ($(wc -l < "$LOG") lines, $LINES distinct source addresses, one minute of event time)"
  echo "  wall clock: ${secs} s; peak RSS: ${rss_mib} MiB (target <= ${MAX_RSS_MIB} MiB); ${alerts} alert record(s)"
  echo "  correlation keys evicted at the caps: ${evicted:-not reported}"
  echo "  brute force from 183.62.140.253 (vigie-ssh-bruteforce): $brute"
} | tee "$OUT/spray-results.txt"
if ((rss_mib > MAX_RSS_MIB)); then echo "spray: peak RSS above ${MAX_RSS_MIB} MiB — MISSED" >&2; STATUS=1; fi
if [[ "$brute" == none ]]; then echo "spray: the brute force raised no alert — MISSED" >&2; STATUS=1; fi
((STATUS == 0)) && echo "targets (issue 5): peak RSS <= ${MAX_RSS_MIB} MiB and the brute force alerts — met"
exit "$STATUS"
