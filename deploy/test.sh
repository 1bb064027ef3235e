#!/usr/bin/env bash
# Installs what the tests need, builds, and runs every test (unit and integration) via ctest.
set -euo pipefail
VIGIE_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$VIGIE_ROOT/deploy/deps.sh"
vigie_install_deps --test
BUILD="${VIGIE_BUILD_DIR:-$VIGIE_ROOT/build}"
vigie_build "$BUILD"
cd "$BUILD"
ctest --output-on-failure --timeout 600 -j 2
# A short fuzzing pass over the packet decoder and each dissector (deploy/fuzz.sh; longer runs:
# deploy/fuzz.sh --seconds 600).
bash "$VIGIE_ROOT/deploy/fuzz.sh" --seconds 10
