// bench_feeds: the feed import figures of issue 7 — "import of 16,000 – 30,000 CERT-FR advisory
// documents and of a MISP feed with 100,000 attributes: seconds and peak memory". One figure
// per process, so that its peak RSS is its own:
//   bench_feeds certfr N DIR   writes N CERT-FR documents shaped like the corpus ones (1–60 CVEs,
//                              1–30 affected systems, 1–4 revisions, vendor bulletins), seeded,
//                              into DIR, then times read_certfr_dir over them and the relay's
//                              first sync of all of them into a fresh store (DIR/vigie.db);
//   bench_feeds misp N DIR     writes a MISP feed of N attributes (events of 1,000, a tenth
//                              composite, a tenth to_ids false) into DIR, then times
//                              read_feed_path(misp) and the IocIndex build over what it read.
// Prints key=value lines. A measurement, not a test (not in ctest).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "intel/advisory_formats.hpp"
#include "intel/formats.hpp"
#include "intel/ioc_index.hpp"
#include "intel/relay.hpp"
#include "store/store.hpp"

using namespace vigie;
namespace fs = std::filesystem;

namespace {

struct Rng {  // splitmix64
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

std::string date(Rng& r, int year) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT00:00:00.000000", year, static_cast<unsigned>(1 + r.below(12)),
                static_cast<unsigned>(1 + r.below(28)));
  return buf;
}

void write_certfr(std::size_t n, const fs::path& dir) {
  static constexpr const char* kVendors[] = {"Fortinet", "Cisco", "Microsoft", "Ubuntu", "SUSE", "IBM", "Moxa"};
  Rng r{42};
  for (std::size_t i = 0; i < n; ++i) {
    const int year = 2016 + static_cast<int>(i * 11 / n);
    char ref[40];
    std::snprintf(ref, sizeof ref, "CERTFR-%d-AVI-%04zu", year, i % 10000);
    std::string name = std::string(ref) + "-" + std::to_string(i);  // unique whatever n
    const char* vendor = kVendors[r.below(7)];
    std::string doc = "{\"reference\":\"" + name + "\",\"title\":\"Multiples vulnérabilités dans les produits " +
                      vendor + "\",\"summary\":\"De multiples vulnérabilités ont été découvertes dans les produits " +
                      vendor + ". Certaines d'entre elles permettent à un attaquant de provoquer une exécution de " +
                      "code arbitraire à distance.\",\"content\":\"## Solutions\\n\\nSe référer au bulletin de " +
                      "sécurité de l'éditeur pour l'obtention des correctifs.\",\"affected_systems\":[";
    const auto systems = 1 + r.below(30);
    for (uint64_t k = 0; k < systems; ++k)
      doc += std::string(k ? "," : "") + "{\"description\":\"Produit " + std::to_string(k) +
             " versions antérieures à " + std::to_string(r.below(20)) + "." + std::to_string(r.below(10)) +
             "\",\"product\":{\"name\":\"Produit " + std::to_string(k) + "\",\"vendor\":{\"name\":\"" + vendor +
             "\",\"scada\":false}}}";
    doc += "],\"cves\":[";
    const auto cves = 1 + r.below(60);
    for (uint64_t k = 0; k < cves; ++k) {
      const std::string id = "CVE-" + std::to_string(year) + "-" + std::to_string(10000 + r.below(60000));
      doc += std::string(k ? "," : "") + "{\"name\":\"" + id + "\",\"url\":\"https://www.cve.org/CVERecord?id=" +
             id + "\"}";
    }
    doc += "],\"risks\":[{\"description\":\"Exécution de code arbitraire à distance\"},{\"description\":\"Déni "
           "de service\"}],\"vendor_advisories\":[{\"published_at\":\"" +
           date(r, year).substr(0, 10) + "\",\"title\":\"Bulletin de sécurité " + vendor +
           "\",\"url\":\"https://vendor.example/" + name + "\"}],\"revisions\":[";
    const auto revisions = 1 + r.below(4);
    for (uint64_t k = 0; k < revisions; ++k)
      doc += std::string(k ? "," : "") + "{\"description\":\"" + (k ? "Mise à jour" : "Version initiale") +
             "\",\"revision_date\":\"" + date(r, year) + "\"}";
    doc += "],\"links\":[],\"affected_systems_content\":null}";
    std::ofstream(dir / (name + ".json")) << doc;
  }
}

void write_misp(std::size_t attributes, const fs::path& dir) {
  Rng r{7};
  const std::size_t per_event = 1000;
  std::string manifest = "{";
  for (std::size_t e = 0; e * per_event < attributes; ++e) {
    char uuid[40];
    std::snprintf(uuid, sizeof uuid, "5f0c%04zx-aad8-4244-8005-%012llx", e % 65536,
                  static_cast<unsigned long long>(r.next() & 0xffffffffffffULL));
    manifest += std::string(e ? "," : "") + "\"" + uuid + "\":{\"info\":\"event " + std::to_string(e) +
                "\",\"timestamp\":\"1722272240\",\"Tag\":[{\"name\":\"tlp:amber\"}]}";
    std::string ev = std::string("{\"Event\":{\"uuid\":\"") + uuid + "\",\"info\":\"event\",\"Attribute\":[";
    const std::size_t n = std::min(per_event, attributes - e * per_event);
    for (std::size_t a = 0; a < n; ++a) {
      const auto kind = r.below(10);
      std::string type, value;
      if (kind == 0) {
        type = "domain|ip";
        value = "d" + std::to_string(r.next() % 100000000) + ".example.com|45." + std::to_string(r.below(256)) + "." +
                std::to_string(r.below(256)) + "." + std::to_string(r.below(256));
      } else if (kind < 4) {
        type = "ip-dst";
        value = "45." + std::to_string(r.below(256)) + "." + std::to_string(r.below(256)) + "." +
                std::to_string(r.below(256));
      } else if (kind < 7) {
        type = "domain";
        value = "h" + std::to_string(r.next() % 1000000000) + ".example.net";
      } else {
        type = "sha256";
        char h[65];
        for (int k = 0; k < 4; ++k)
          std::snprintf(h + 16 * k, 17, "%016llx", static_cast<unsigned long long>(r.next()));
        value = h;
      }
      ev += std::string(a ? "," : "") + "{\"type\":\"" + type + "\",\"value\":\"" + value +
            "\",\"to_ids\":" + (r.below(10) == 0 ? "false" : "true") + ",\"timestamp\":\"1722272240\"}";
    }
    ev += "]}}";
    std::ofstream(dir / (std::string(uuid) + ".json")) << ev;
  }
  std::ofstream(dir / "manifest.json") << manifest + "}";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: bench_feeds certfr|misp N DIR\n");
    return 2;
  }
  const std::string mode = argv[1];
  const auto n = static_cast<std::size_t>(std::strtoull(argv[2], nullptr, 10));
  const fs::path dir = argv[3];
  fs::remove_all(dir);
  fs::create_directories(dir);
  const long rss_before = peak_rss_kib();
  if (mode == "certfr") {
    write_certfr(n, dir);
    std::uintmax_t bytes = 0;
    for (const auto& e : fs::directory_iterator(dir)) bytes += e.file_size();
    const long rss_generated = peak_rss_kib();
    auto t = std::chrono::steady_clock::now();
    intel::ParseReport report;
    auto docs = intel::read_certfr_dir(dir, "certfr-avis", report);
    const double read_s = seconds_since(t);
    if (!docs) return std::fprintf(stderr, "%s\n", docs.error().c_str()), 1;
    std::size_t cves = 0;
    for (const auto& d : *docs) cves += d.cves.size();
    auto st = store::Store::open(dir.parent_path() / (dir.filename().string() + ".db"));
    if (!st) return std::fprintf(stderr, "%s\n", st.error().to_string().c_str()), 1;
    config::Feed feed;
    feed.name = "certfr-avis";
    feed.format = "certfr";
    feed.relay = true;
    t = std::chrono::steady_clock::now();
    intel::AdvisoryRelay relay((*st)->db());
    const auto now = core::TimePoint{std::chrono::seconds(1'798'761'600)};  // 2027-01-01: the last week relayed
    auto alerts = relay.relay(*docs, feed, config::Advisories{}, now);
    if (!alerts || !relay.commit(now)) return std::fprintf(stderr, "relay failed\n"), 1;
    const double relay_s = seconds_since(t);
    std::printf("documents=%zu\nbytes=%ju\ninvalid=%zu\ncves=%zu\nread_seconds=%.3f\nrelay_seconds=%.3f\n",
                docs->size(), bytes, report.invalid, cves, read_s, relay_s);
    std::printf("relayed=%zu\npeak_rss_kib=%ld\ngenerator_rss_kib=%ld\nstart_rss_kib=%ld\n", alerts->size(),
                peak_rss_kib(), rss_generated, rss_before);
    return 0;
  }
  if (mode == "misp") {
    write_misp(n, dir);
    const long rss_generated = peak_rss_kib();
    auto t = std::chrono::steady_clock::now();
    intel::ParseReport report;
    intel::FormatOptions opts;
    opts.feed = "misp";
    opts.tlp = "AMBER";
    auto got = intel::read_feed_path(dir, "misp", opts, report);
    const double read_s = seconds_since(t);
    if (!got) return std::fprintf(stderr, "%s\n", got.error().c_str()), 1;
    const std::size_t read = got->size();
    t = std::chrono::steady_clock::now();
    intel::IocIndex index(std::move(*got), {});
    const double build_s = seconds_since(t);
    std::printf("attributes=%zu\nindicators=%zu\nindexed=%zu\nunsupported=%zu\nread_seconds=%.3f\n", report.records,
                read, index.stats().indexed, report.unsupported, read_s);
    std::printf("build_seconds=%.3f\npeak_rss_kib=%ld\ngenerator_rss_kib=%ld\n", build_s, peak_rss_kib(),
                rss_generated);
    return 0;
  }
  std::fprintf(stderr, "bench_feeds: unknown mode %s\n", mode.c_str());
  return 2;
}
