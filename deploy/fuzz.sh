#!/usr/bin/env bash
# Fuzzes the dissectors with libFuzzer: deploy/fuzz.sh [--seconds N] [TARGET...]
# TARGET is dns, tls, http, ssh or packet (default: all). Builds in build-fuzz (clang, Debug,
# -DVIGIE_FUZZ=ON), runs each target N seconds (default 60) over tests/fuzz/corpus/<name>
# (new inputs land in build-fuzz/corpus/<name>, the seeds stay untouched), and exits non-zero
# when a target crashes; the crashing input is left in build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ ${#targets[@]} -eq 0 ]] && targets=(dns tls http ssh packet)

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVIGIE_FUZZ=ON \
  -DVIGIE_MIMALLOC=OFF >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]/#/fuzz_}"

mkdir -p build-fuzz/artifacts
status=0
for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t"
  echo "== fuzz_$t for ${seconds}s"
  if ! build-fuzz/tests/fuzz/fuzz_"$t" -max_len=16384 -max_total_time="$seconds" \
      -artifact_prefix=build-fuzz/artifacts/"$t"- "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t"; then
    echo "fuzz_$t: crash (input in build-fuzz/artifacts/)" >&2
    status=1
  fi
done
exit $status
