// bench_ioc: the IOC index figures of issue 7 — "100,000 indicators loaded and swapped in under
// 1 s" and "≥ 10 million lookups/s per core". Generates, seeded and deterministic, N indicators
// (IPv4 and IPv6 addresses, CIDR ranges, domains, URLs, hashes) and a pool of lookups as events
// carry them (IPs hit and miss, domains with 1-3 extra labels so that the parent walk runs,
// hashes in either case, a few URLs), then times on one thread:
//   build:  IocIndex's constructor over the indicator vector (what a feed swap costs, the
//           atomic pointer swap aside);
//   lookup: M calls of IocIndex::find() cycling through the pool (2^20 lookups, held compact in
//           one buffer so that reading them costs little beside the index).
// Prints one key=value line per figure. A measurement, not a test (not in ctest).
//
// usage: bench_ioc [--indicators N] [--lookups M] [--seed S]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "intel/ioc_index.hpp"

using namespace vigie;
using intel::IocType;

namespace {

struct Rng {  // splitmix64: the same sequence on every platform
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
};

// A public unicast IPv4 first octet (none of the ranges the index refuses).
unsigned public_octet(Rng& r) {
  for (;;) {
    const auto o = static_cast<unsigned>(1 + r.below(223));
    if (o != 10 && o != 100 && o != 127 && o != 169 && o != 172 && o != 192) return o;
  }
}
std::string v4(Rng& r, unsigned first) {
  return std::to_string(first) + "." + std::to_string(r.below(256)) + "." + std::to_string(r.below(256)) + "." +
         std::to_string(r.below(256));
}
std::string v6(Rng& r) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "2a%02x:%x:%x:%x::%x", static_cast<unsigned>(r.below(256)),
                static_cast<unsigned>(r.below(65536)), static_cast<unsigned>(r.below(65536)),
                static_cast<unsigned>(r.below(65536)), static_cast<unsigned>(r.below(65536)));
  return buf;
}
std::string label(Rng& r) {
  static constexpr std::string_view kSyl[] = {"ka", "ro", "mi",  "sec", "net", "up", "dl", "cdn", "log", "in",
                                              "zu", "ve", "tra", "pay", "acc", "on", "x",  "q",   "bo",  "ne"};
  std::string s;
  for (uint64_t n = 2 + r.below(3); n > 0; --n) s += kSyl[r.below(std::size(kSyl))];
  if (r.below(3) == 0) s += std::to_string(r.below(1000));
  return s;
}
std::string domain(Rng& r) {
  static constexpr std::string_view kTld[] = {"com", "net", "org", "fr", "ru", "top", "xyz", "info", "co.uk", "io"};
  return label(r) + "." + std::string(kTld[r.below(std::size(kTld))]);
}
std::string hex(Rng& r, std::size_t digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(digits, '0');
  for (char& c : s) c = kDigits[r.below(16)];
  return s;
}
std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

struct Query {
  IocType type;
  uint32_t offset;
  uint32_t length;
};

long vm_hwm_kib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

bool parse_args(int argc, char** argv, std::size_t& n, std::size_t& m, uint64_t& seed) {
  for (int i = 1; i + 1 < argc; i += 2) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(argv[i + 1], &end, 10);
    if (end == argv[i + 1] || *end != '\0') return false;
    if (std::strcmp(argv[i], "--indicators") == 0)
      n = v;
    else if (std::strcmp(argv[i], "--lookups") == 0)
      m = v;
    else if (std::strcmp(argv[i], "--seed") == 0)
      seed = v;
    else
      return false;
  }
  return argc % 2 == 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 100'000, m = 10'000'000;
  uint64_t seed = 1;
  if (!parse_args(argc, argv, n, m, seed)) {
    std::fprintf(stderr, "usage: bench_ioc [--indicators N] [--lookups M] [--seed S]\n");
    return 2;
  }
  Rng r{seed};

  // Indicators: 30 % IPv4, 5 % IPv6, 5 % ranges (v4 /16-/28, v6 /32-/64), 30 % domains (2-4
  // labels), 10 % URLs, 20 % hashes (md5, sha1, sha256 in equal parts).
  std::vector<intel::Indicator> indicators;
  indicators.reserve(n);
  std::vector<std::string> v4s, v6s, ranges4, domains, urls, hashes;
  for (std::size_t i = 0; i < n; ++i) {
    intel::Indicator ind;
    ind.feed = "bench";
    ind.advisory = "CERTFR-2025-IOC-" + std::to_string(i % 1000);
    const uint64_t k = r.below(100);
    if (k < 30) {
      ind.type = IocType::ip, ind.value = v4(r, public_octet(r)), v4s.push_back(ind.value);
    } else if (k < 35) {
      ind.type = IocType::ip, ind.value = v6(r), v6s.push_back(ind.value);
    } else if (k < 40) {
      ind.type = IocType::ip;
      if (r.below(2) == 0) {
        ind.value = v4(r, public_octet(r)) + "/" + std::to_string(16 + r.below(13));
        ranges4.push_back(ind.value.substr(0, ind.value.find('/')));
      } else {
        ind.value = v6(r) + "/" + std::to_string(32 + 16 * r.below(3));
      }
    } else if (k < 70) {
      // Mostly registered names, some hosts under them (feeds list both).
      ind.type = IocType::domain, ind.value = r.below(10) < 3 ? label(r) + "." + domain(r) : domain(r);
      domains.push_back(ind.value);
    } else if (k < 80) {
      ind.type = IocType::url, ind.value = "http://" + domain(r) + "/" + label(r) + ".php?id=" + hex(r, 8);
      urls.push_back(ind.value);
    } else {
      const uint64_t h = r.below(3);
      ind.type = h == 0 ? IocType::md5 : h == 1 ? IocType::sha1 : IocType::sha256;
      ind.value = hex(r, h == 0 ? 32 : h == 1 ? 40 : 64), hashes.push_back(ind.value);
    }
    indicators.push_back(std::move(ind));
  }

  // Lookups: 40 % IPs (half listed addresses or inside listed ranges, half random), 30 % domains
  // (listed names under 1-3 extra labels, or random names the same shape), 25 % hashes (half
  // listed, some upper-case), 5 % URLs (half listed, with the default port or a fragment).
  constexpr std::size_t kPool = 1 << 20;
  std::string text;
  std::vector<Query> pool;
  pool.reserve(kPool);
  auto hit = [&](const std::vector<std::string>& v) { return !v.empty() && r.below(2) == 0; };
  auto any = [&](const std::vector<std::string>& v) -> const std::string& { return v[r.below(v.size())]; };
  for (std::size_t i = 0; i < kPool; ++i) {
    const uint64_t k = r.below(100);
    std::string q;
    IocType type = IocType::ip;
    if (k < 40) {
      const uint64_t w = r.below(10);
      if (w < 6)
        q = hit(v4s) ? any(v4s) : v4(r, public_octet(r));
      else if (w < 8)
        q = hit(ranges4) ? any(ranges4) : v4(r, public_octet(r));
      else
        q = hit(v6s) ? any(v6s) : v6(r);
    } else if (k < 70) {
      type = IocType::domain;
      q = hit(domains) ? any(domains) : domain(r);
      for (uint64_t extra = 1 + r.below(3); extra > 0; --extra) q = label(r) + "." + q;
    } else if (k < 95) {
      const uint64_t h = r.below(3);
      type = h == 0 ? IocType::md5 : h == 1 ? IocType::sha1 : IocType::sha256;
      q = hex(r, h == 0 ? 32 : h == 1 ? 40 : 64);
      if (hit(hashes)) {
        q = any(hashes);
        type = q.size() == 32 ? IocType::md5 : q.size() == 40 ? IocType::sha1 : IocType::sha256;
      }
      if (r.below(4) == 0) q = upper(q);
    } else {
      type = IocType::url;
      q = hit(urls) ? any(urls) : "http://" + domain(r) + "/index.html";
      q.insert(q.find('/', 7), r.below(2) == 0 ? ":80" : "");
      if (r.below(2) == 0) q += "#top";
    }
    pool.push_back(Query{type, static_cast<uint32_t>(text.size()), static_cast<uint32_t>(q.size())});
    text += q;
  }

  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const intel::IocIndex index(std::move(indicators));
  const auto t1 = clock::now();

  std::size_t hits = 0;
  const char* base = text.data();
  const auto t2 = clock::now();
  for (std::size_t i = 0; i < m; ++i) {
    const Query& q = pool[i & (kPool - 1)];
    hits += index.find(q.type, std::string_view(base + q.offset, q.length)) != nullptr;
  }
  const auto t3 = clock::now();

  const double build = std::chrono::duration<double>(t1 - t0).count();
  const double lookup = std::chrono::duration<double>(t3 - t2).count();
  const auto& s = index.stats();
  std::printf("build_seconds=%.3f\n", build);
  std::printf("indicators=%zu\n", index.size());
  std::printf("refused=%zu\n", n - s.indexed);
  std::printf("duplicates=%zu\n", s.duplicates);
  std::printf("memory_bytes=%zu\n", index.memory_bytes());
  std::printf("bytes_per_indicator=%.0f\n", index.empty() ? 0.0 : double(index.memory_bytes()) / double(index.size()));
  std::printf("lookups=%zu\n", m);
  std::printf("lookup_seconds=%.3f\n", lookup);
  std::printf("lookups_per_second=%.0f\n", lookup > 0 ? double(m) / lookup : 0.0);
  std::printf("hits=%zu\n", hits);
  std::printf("peak_rss_kib=%ld\n", vm_hwm_kib());
  return 0;
}
