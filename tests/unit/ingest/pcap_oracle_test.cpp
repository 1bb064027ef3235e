// Oracles nobody here wrote, for the whole capture path (libpcap file → LaneBatcher → the
// packets decoder: frames, flows, reassembly, dissectors, events): every DNS name, TLS SNI,
// HTTP host/URI/user agent, SSH banner and syslog message that tshark listed in
// pcap/tshark/*.tsv must be an event with the same value and the same sender address and
// port; Zeek's dns.log, ssl.log and syslog.log values must be found as well.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "ingest/decoder.hpp"
#include "ingest/pcap/capture.hpp"

using namespace vigie;
using namespace vigie::ingest;

namespace {

const std::filesystem::path kPcap = std::filesystem::path(VIGIE_CORPUS) / "pcap";

using Fields = std::map<std::string, std::string>;

// Every event the packets decoder makes of `file`, its fields copied out (batch slots are
// reused from batch to batch).
std::vector<Fields> events_of(const std::filesystem::path& file, std::size_t lanes = 1) {
  core::Metrics metrics;
  Decoders decoders(std::make_shared<config::Config>(), metrics);
  BatchDecoder* d = decoders.for_kind(BatchKind::packets);
  REQUIRE(d != nullptr);
  std::vector<Fields> out;
  EventBatch batch;
  const char* names[] = {"event.dataset",
                         "source.ip",
                         "source.port",
                         "destination.ip",
                         "destination.port",
                         "dns.question.name",
                         "dns.answers.data",
                         "dns.response_code",
                         "dns.type",
                         "tls.client.server_name",
                         "tls.version",
                         "tls.cipher",
                         "url.domain",
                         "url.original",
                         "user_agent.original",
                         "ssh.client.version",
                         "ssh.server.version",
                         "message",
                         "http.response.status_code",
                         "network.connection.state",
                         "network.transport",
                         "log.syslog.facility.code",
                         "log.syslog.severity.code"};
  auto r = pcap::read_capture_file(file, "file:" + file.string(), "", {}, lanes, [&](RawBatch&& raw) {
    batch.raw = std::move(raw);
    d->decode(batch);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Fields f;
      for (const char* n : names)
        if (const auto v = batch[i].get(std::string_view(n))) f[n] = std::string(*v);
      f["raw"] = std::string(batch[i].raw());
      out.push_back(std::move(f));
    }
    batch.clear();
    return true;
  });
  REQUIRE_MESSAGE(!r.error, (r.error ? r.error->to_string() : ""));
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

bool has(const std::vector<Fields>& evs, const Fields& want) {
  for (const Fields& e : evs) {
    bool all = true;
    for (const auto& [k, v] : want) {
      const auto it = e.find(k);
      if (it == e.end() || it->second != v) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

// tshark TSV name → the capture it lists.
std::filesystem::path capture_of(const std::string& tsv) {
  const std::string stem = tsv.substr(0, tsv.size() - 4);
  if (stem.rfind("zeek_", 0) == 0) return kPcap / "zeek" / (stem.substr(5) + ".pcap");
  const std::string rest = stem.substr(std::string("suricata-verify_").size());
  const auto sep = rest.rfind('_');
  return kPcap / "suricata-verify" / rest.substr(0, sep) / (rest.substr(sep + 1) + ".pcap");
}

}  // namespace

TEST_SUITE("corpus") {
  TEST_CASE("every value tshark lists in the corpus captures is an event with its endpoints") {
    std::size_t checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kPcap / "tshark")) {
      const std::string name = entry.path().filename().string();
      const auto pcap_file = capture_of(name);
      INFO(name);
      REQUIRE(std::filesystem::exists(pcap_file));
      // One lane and two: routing by flow must not change what is seen.
      for (const std::size_t lanes : {1, 2}) {
        const auto evs = events_of(pcap_file, lanes);
        std::ifstream in(entry.path());
        std::string line;
        std::getline(in, line);
        const auto header = split(line, '\t');
        while (std::getline(in, line)) {
          const auto cols = split(line, '\t');
          std::map<std::string, std::string> row;
          for (std::size_t i = 0; i < header.size() && i < cols.size(); ++i) row[header[i]] = cols[i];
          const std::string src = !row["ip.src"].empty() ? row["ip.src"] : row["ipv6.src"];
          const std::string port = !row["udp.srcport"].empty() ? row["udp.srcport"] : row["tcp.srcport"];
          const Fields from = {{"source.ip", src}, {"source.port", port}};
          INFO("frame " << row["frame.number"]);
          const auto expect = [&](Fields want) {
            want.insert(from.begin(), from.end());
            std::string shown;
            for (const auto& [k, v] : want) shown += k + "=" + v + " ";
            INFO(shown);
            CHECK(has(evs, want));
            ++checked;
          };
          for (const auto& q : split(row["dns.qry.name"], ','))
            if (!q.empty()) expect({{"dns.question.name", q}});
          if (!row["tls.handshake.extensions_server_name"].empty())
            expect({{"tls.client.server_name", row["tls.handshake.extensions_server_name"]}});
          if (!row["http.host"].empty()) {
            Fields want = {{"url.domain", row["http.host"]},
                           {"url.original", "http://" + row["http.host"] + row["http.request.uri"]}};
            if (!row["http.user_agent"].empty()) want["user_agent.original"] = row["http.user_agent"];
            expect(want);
          }
          if (!row["ssh.protocol"].empty()) {
            const bool client = has(evs, {{"ssh.client.version", row["ssh.protocol"]}});
            expect({{client ? "ssh.client.version" : "ssh.server.version", row["ssh.protocol"]}});
          }
          if (!row["syslog.msg"].empty()) {
            bool found = false;
            for (const auto& e : evs)
              found = found || (e.count("event.dataset") == 0 &&
                                e.at("raw").find(row["syslog.msg"]) != std::string::npos && e.count("source.ip") == 0);
            CHECK(found);
            ++checked;
          }
        }
      }
    }
    CHECK(checked > 40);
  }

  TEST_CASE("Zeek's dns.log, ssl.log and syslog.log values") {
    // The capture holds only the answer, from the server: the event's source is its sender;
    // the flow's originator is the client, as Zeek's id.orig_h.
    const auto dns = events_of(kPcap / "zeek" / "dns53.pcap");
    CHECK(
        has(dns, {{"event.dataset", "pcap.flow"}, {"source.ip", "10.20.1.31"}, {"destination.ip", "207.158.192.40"}}));
    CHECK(has(dns, {{"dns.question.name", "us.v27.distributed.net"},
                    {"dns.type", "answer"},
                    {"dns.response_code", "NOERROR"},
                    {"source.ip", "207.158.192.40"},
                    {"destination.ip", "10.20.1.31"},
                    {"dns.answers.data",
                     "206.109.64.186,216.1.205.81,205.149.163.211,134.53.131.135,134.53.131.192,128.104.18.148,"
                     "204.152.186.139,63.77.33.226"}}));
    const auto tls = events_of(kPcap / "zeek" / "tls-ecdhe.pcap");
    CHECK(has(tls, {{"event.dataset", "pcap.tls"},
                    {"tls.version", "TLSv12"},
                    {"tls.cipher", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
                    {"source.ip", "74.125.239.97"},
                    {"source.port", "443"}}));
    CHECK(has(tls, {{"event.dataset", "pcap.flow"},
                    {"source.ip", "192.168.18.50"},
                    {"source.port", "56981"},
                    {"destination.port", "443"},
                    {"network.connection.state", "SF"}}));
    // Syslog in captures goes through the syslog parser: Zeek's facility and severity.
    const std::pair<const char*, Fields> syslog[] = {
        {"syslog-single-udp.pcap", {{"log.syslog.facility.code", "16"}, {"log.syslog.severity.code", "5"}}},
        {"tcp-syslog.pcap", {}},
        {"tcp-syslog-nontransparent.pcap", {}},
    };
    for (const auto& [file, want] : syslog) {
      INFO(file);
      const auto evs = events_of(kPcap / "zeek" / file);
      std::size_t n = 0;
      for (const auto& e : evs) n += e.count("event.dataset") == 0;
      CHECK(n >= 1);
      if (!want.empty()) CHECK(has(evs, want));
    }
  }
}
