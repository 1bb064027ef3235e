#!/usr/bin/env bash
# Packet captures figure of issue 8 (`deploy/bench.sh --pcap`): a generated capture (corpus
# DNS/TLS/HTTP/SSH flows replayed as distinct flows, plus bulk HTTP downloads; gen_pcap.py)
# through `vigie replay` with the shipped rules and a 10,000-domain IOC feed, beside, in the
# same run and on the same file, `tcpdump -r FILE -w /dev/null` (the read limit) and tshark
# extracting the same fields. Each row is the median of --runs (default 3). Vigie runs twice:
# all cores (`workers` unset) and `workers: 1`. See tests/bench/README.md ("Packet captures").
set -euo pipefail
VIGIE_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"

MB=256
SEED=1
RUNS=3
TSHARK_MAX_S=60
BUILD="${VIGIE_BUILD_DIR:-$VIGIE_ROOT/build-release}"
OUT="$VIGIE_ROOT/tests/bench/out"
DO_BUILD=1
PERF=0

usage() {
  cat <<USAGE
usage: deploy/bench.sh --pcap [options]
  --mb N         size of the generated capture in MiB, at least (default $MB)
  --seed N       generator seed; same seed, same capture (default $SEED)
  --runs N       repetitions of each row, the median is kept (default $RUNS)
  --tshark-max S tshark on a prefix when the whole file would take longer than S s (default $TSHARK_MAX_S)
  --perf         also profile one vigie replay (perf record -g) and print the top symbols
  --build DIR    build directory, configured Release (default \$VIGIE_BUILD_DIR or build-release)
  --out DIR      scratch directory (default tests/bench/out)
  --no-build     do not install packages nor build; use what is in the build directory
USAGE
}

while (($#)); do
  case "$1" in
    --mb) MB="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --tshark-max) TSHARK_MAX_S="$2"; shift 2 ;;
    --perf) PERF=1; shift ;;
    --build) BUILD="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --no-build) DO_BUILD=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "pcap: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$MB" "$SEED" "$RUNS" "$TSHARK_MAX_S"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "pcap: not a number: $n" >&2; exit 2; }
done
((MB > 0 && RUNS > 0)) || { echo "pcap: --mb and --runs must be positive" >&2; exit 2; }

if ((DO_BUILD)); then
  . "$VIGIE_ROOT/deploy/deps.sh"
  vigie_install_deps --bench
  [ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$VIGIE_ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target vigie
fi
VIGIE_BIN="$BUILD/daemon/app/vigie"
[ -x "$VIGIE_BIN" ] || { echo "pcap: $VIGIE_BIN missing (build first)" >&2; exit 1; }
for t in /usr/bin/time tcpdump tshark editcap capinfos; do
  command -v "$t" >/dev/null || { echo "pcap: $t missing (Debian packages time tcpdump tshark)" >&2; exit 1; }
done
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

# The capture: reused when generated for the same size and seed by the current generator.
CAP="$OUT/capture-${MB}m-s$SEED.pcap"
if [ -s "$CAP" ] && [ -s "$CAP.stats" ] && [ "$CAP" -nt "$VIGIE_ROOT/tests/bench/gen_pcap.py" ]; then
  echo "pcap: reusing $CAP" >&2
else
  echo "pcap: generating $CAP (at least $MB MiB, seed $SEED)" >&2
  "$PY" "$VIGIE_ROOT/tests/bench/gen_pcap.py" --out "$CAP.tmp" --mb "$MB" --seed "$SEED" > "$CAP.stats.tmp"
  mv "$CAP.stats.tmp" "$CAP.stats"
  mv "$CAP.tmp" "$CAP"
fi
st() { sed -n "s/^$1=//p" "$CAP.stats"; }
FRAMES="$(st frames)"
BYTES="$(st bytes)"  # captured bytes: the frames, without the pcap record headers

# The feed: 10,000 domains, three of which the capture holds (bro.org in HTTP Host,
# raw.githubusercontent.com in a TLS SNI, distributed.net in DNS queries; subdomains match).
FEED="$OUT/pcap-feed.txt"
{
  printf '%s\n' bro.org raw.githubusercontent.com distributed.net
  "$PY" -c 'import random
r = random.Random(8)
tlds = ["com", "net", "org", "info", "ru", "cn", "top", "xyz", "io", "biz"]
for i in range(9997):
    print("".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(r.randint(6, 14))) + f"-{i}." + r.choice(tlds))'
} > "$FEED"
config() {  # config FILE [extra line]
  cat > "$1" <<EOF
# Written by tests/bench/pcap.sh: replay only, shipped rules, one IOC feed.
storage: { path: '$OUT/pcap.db' }
sites:
  - { id: bench, networks: [10.29.0.0/16] }
rules: { paths: ['$VIGIE_ROOT/rules'] }
feeds:
  - { name: bench, format: list, type: domain, path: '$FEED' }
${2:-}
EOF
}
config "$OUT/pcap.yml"
config "$OUT/pcap-1w.yml" "workers: 1"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
gbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.2f", (s > 0 ? b * 8 / s / 1e9 : 0) }'; }
pps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

# vigie_row NAME CONFIG: RUNS replays; sets V_STREAM (median of the logged times), V_WALL, V_RSS, V_CPU.
vigie_row() {
  local name="$1" cfg="$2" streams=() walls=() rss=() cpus=() t0 rc
  for run in $(seq 1 "$RUNS"); do
    rm -f "$OUT"/pcap.db "$OUT"/pcap.db-wal "$OUT"/pcap.db-shm
    t0="$(now)"
    rc=0
    /usr/bin/time -v -o "$OUT/$name.time" "$VIGIE_BIN" replay --config "$cfg" --format json "$CAP" \
      > "$OUT/$name-alerts.jsonl" 2> "$OUT/$name.stderr" || rc=$?
    walls+=("$(elapsed "$t0")")
    if ((rc != 0)); then
      echo "pcap: vigie replay exited $rc; last lines of $OUT/$name.stderr:" >&2
      tail -n 20 "$OUT/$name.stderr" >&2
      exit 1
    fi
    # `replayed N lines in X.XXXs`: from the first frame read to the last alert out (rules and feed loaded).
    streams+=("$(sed -n 's/.*replayed [0-9]* lines in \([0-9.]*\)s.*/\1/p' "$OUT/$name.stderr" | tail -n 1)")
    rss+=("$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$OUT/$name.time")")
    cpus+=("$(awk -F': ' '/User time|System time/ { t += $2 } END { printf "%.3f", t }' "$OUT/$name.time")")
    echo "pcap:   $name run $run: ${streams[-1]} s logged, ${walls[-1]} s wall, cpu ${cpus[-1]} s, RSS $((rss[-1] / 1024)) MiB" >&2
  done
  V_STREAM="$(median "${streams[@]}")" V_WALL="$(median "${walls[@]}")"
  V_RSS="$(($(median "${rss[@]}") / 1024))" V_CPU="$(median "${cpus[@]}")"
}

echo "pcap: vigie replay, all cores ($(nproc)), $RUNS runs" >&2
vigie_row vigie "$OUT/pcap.yml"
VA=("$V_STREAM" "$V_WALL" "$V_RSS" "$V_CPU")
echo "pcap: vigie replay, workers: 1, $RUNS runs" >&2
vigie_row vigie-1w "$OUT/pcap-1w.yml"
V1=("$V_STREAM" "$V_WALL" "$V_RSS" "$V_CPU")
reported="$(grep -o '[0-9]* frame(s) of link type [0-9]*, [0-9]* bytes captured' "$OUT/vigie.stderr" | tail -n 1)"
summary="$(grep -o 'replayed .*' "$OUT/vigie.stderr" | tail -n 1)"
ioc="$("$PY" -c '
import collections, json, sys
c = collections.Counter(json.loads(l)["rule"]["id"] for l in open(sys.argv[1]) if l.startswith("{"))
print(", ".join(f"{k} {v}" for k, v in c.most_common()) or "none")' "$OUT/vigie-alerts.jsonl")"

echo "pcap: tcpdump -r, $RUNS runs" >&2
times=()
for run in $(seq 1 "$RUNS"); do
  t0="$(now)"
  tcpdump -r "$CAP" -w /dev/null 2>/dev/null
  times+=("$(elapsed "$t0")")
done
TCPDUMP_S="$(median "${times[@]}")"

# tshark: a first pass over an eighth of the frames tells how long the whole file would take.
TSHARK_FIELDS=(-T fields -e ip.src -e ip.dst -e tcp.srcport -e udp.srcport -e dns.qry.name
  -e tls.handshake.extensions_server_name -e http.host -e http.request.uri -e http.user_agent -e ssh.protocol)
tshark_s() { local t0; t0="$(now)"; tshark -r "$1" "${TSHARK_FIELDS[@]}" > "$OUT/tshark.fields" 2>/dev/null; elapsed "$t0"; }
PREFIX="$OUT/capture-prefix.pcap"
editcap -r "$CAP" "$PREFIX" "1-$((FRAMES / 8))"
est="$(awk -v s="$(tshark_s "$PREFIX")" 'BEGIN { print s * 8 }')"
if awk -v e="$est" -v m="$TSHARK_MAX_S" 'BEGIN { exit !(e <= m) }'; then
  TS_FILE="$CAP" TS_FRAMES="$FRAMES" TS_BYTES="$BYTES" TS_NOTE="whole file"
else
  TS_FILE="$PREFIX" TS_FRAMES="$(capinfos -Tmr -c "$PREFIX" | cut -d, -f2)"
  TS_BYTES="$(capinfos -Tmr -d "$PREFIX" | cut -d, -f2)"
  TS_NOTE="first $TS_FRAMES frames ($TS_BYTES bytes; whole file estimated at ${est} s), rates scaled"
fi
echo "pcap: tshark -T fields on the $TS_NOTE, $RUNS runs" >&2
times=()
for run in $(seq 1 "$RUNS"); do times+=("$(tshark_s "$TS_FILE")"); done
TSHARK_S="$(median "${times[@]}")"
TSHARK_LINES="$(wc -l < "$OUT/tshark.fields")"

if ((PERF)); then
  echo "pcap: perf record -g of one vigie replay (all cores)" >&2
  rm -f "$OUT"/pcap.db*
  perf record -g -o "$OUT/pcap.perf.data" "$VIGIE_BIN" replay --config "$OUT/pcap.yml" --format json "$CAP" \
    > /dev/null 2> "$OUT/pcap-perf.stderr"
  perf report -i "$OUT/pcap.perf.data" --no-children --sort symbol --percent-limit 1.5 --stdio 2>/dev/null |
    grep -E '^ +[0-9.]+%' | sed -E 's/[[:space:]]+-[[:space:]]+-[[:space:]]*$//' > "$OUT/pcap-perf.txt" || true
fi

V_RATE="$(pps "$FRAMES" "${VA[0]}")"
ratio() { awk -v v="$V_RATE" -v r="$1" 'BEGIN { printf "%.1f", (r > 0 ? v / r : 0) }'; }
row() {  # row TOOL SECONDS FRAMES BYTES
  local r
  r="$(pps "$3" "$2")"
  printf '%-44s %8s %8s %11s %9s\n' "$1" "$2" "$(gbps "$4" "$2")" "$r" "$(ratio "$r")"
}
{
  echo
  echo "vigie pcap bench — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$VIGIE_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "capture: $CAP ($(st file_bytes) bytes, $FRAMES frames, $BYTES bytes captured, $(st flows) flows, $(st bulk_byte_share) of the bytes in $(st bulk_flows) bulk downloads, $(st small_frame_share) of the frames <= 200 bytes, seed $SEED)"
  printf '%-44s %8s %8s %11s %9s\n' "tool (median of $RUNS runs)" seconds Gbit/s packets/s "vigie ÷"
  row "vigie replay, $(nproc) workers (logged)" "${VA[0]}" "$FRAMES" "$BYTES"
  row "vigie replay, $(nproc) workers (process wall)" "${VA[1]}" "$FRAMES" "$BYTES"
  row "vigie replay, workers: 1 (logged)" "${V1[0]}" "$FRAMES" "$BYTES"
  row "vigie replay, workers: 1 (process wall)" "${V1[1]}" "$FRAMES" "$BYTES"
  row "tcpdump -r FILE -w /dev/null" "$TCPDUMP_S" "$FRAMES" "$BYTES"
  row "tshark -T fields (10 fields)" "$TSHARK_S" "$TS_FRAMES" "$TS_BYTES"
  echo "  vigie ÷: vigie's packets/s ($(nproc) workers, logged) ÷ the row's; tshark: $TS_NOTE, $TSHARK_LINES lines out"
  echo "  vigie, $(nproc) workers: cpu ${VA[3]} s, peak RSS ${VA[2]} MiB; workers: 1: cpu ${V1[3]} s, peak RSS ${V1[2]} MiB"
  echo "  vigie reported: ${reported:-?}; ${summary:-?}"
  echo "  alerts by rule: $ioc"
  echo "  flow limits (daemon/ingest/pcap/flows.hpp, per worker): $(sed -n '/^struct FlowLimits/,/^};/s/^ *[a-z0-9_:]* \([a-z_]*\) = \([^;]*\);.*/\1 \2/p' "$VIGIE_ROOT/daemon/ingest/pcap/flows.hpp" | paste -sd, | sed 's/,/, /g')"
  echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  if ((PERF)); then echo "  perf (self, by symbol, >= 1.5 %):"; sed 's/^ */    /' "$OUT/pcap-perf.txt"; fi
  check() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v >= t) }' && echo met || echo MISSED; }
  g1="$(gbps "$BYTES" "${V1[0]}")"
  tr="$(ratio "$(pps "$TS_FRAMES" "$TSHARK_S")")"
  echo "targets (issue 8): >= 2 Gbit/s per core (workers: 1): $g1 — $(check "$g1" 2); >= 20 x tshark: $tr x — $(check "$tr" 20)"
} | tee "$OUT/pcap-results.txt"
