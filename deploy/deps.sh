# Sourced by quickstart.sh, test.sh and bench.sh: installs the Debian 12 packages Vigie needs
# (DESIGN.md §2) plus, with --test / --bench, the real peers the tests and benchmarks use.
# Runs `apt-get update` once and only when something is missing.
vigie_install_deps() {
  local pkgs=(build-essential cmake ninja-build pkg-config libasio-dev libssl-dev libpcap-dev
    libsimdjson-dev libre2-dev libpcre2-dev libsqlite3-dev libspdlog-dev libyaml-cpp-dev libcli11-dev
    libcurl4-openssl-dev libpugixml-dev libkainjow-mustache-dev libsystemd-dev libexpected-dev
    doctest-dev libvectorscan-dev libmimalloc-dev libpsl-dev publicsuffix tzdata ca-certificates)
  local extra
  for extra in "$@"; do
    case "$extra" in
      --test) pkgs+=(python3 python3-aiosmtpd bsdutils util-linux rsyslog openssl sqlite3 procps clang libclang-rt-14-dev
        tcpreplay iproute2) ;;
      --bench) pkgs+=(sec time python3 tcpdump tshark) ;;
    esac
  done
  local missing=()
  local p
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "vigie: installing ${missing[*]}" >&2
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
  fi
}

# vigie_build DIR [--target T] [CMAKE_ARGS...]: configures (RelWithDebInfo unless overridden) and
# builds everything, or only target T. quickstart.sh and test.sh share one build directory with
# the same cache, so switching between them never rebuilds from scratch.
vigie_build() {
  local build_dir="$1"
  shift
  local target=()
  if [ "${1:-}" = "--target" ]; then
    target=(--target "$2")
    shift 2
  fi
  cmake -S "$VIGIE_ROOT" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$build_dir" -j "$(nproc)" "${target[@]}"
}
