// Oracles nobody here wrote: Zeek's syslog.log for four captures from Zeek's test suite. The
// syslog payloads are read from the pcaps themselves (UDP datagrams; TCP segments in order,
// through TcpFramer) and must parse to the facility, severity and message Zeek logged.
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/syslog/framer.hpp"
#include "ingest/syslog/parser.hpp"

using namespace vigie;
using namespace vigie::ingest;
using namespace vigie::ingest::syslog;

namespace {

const std::filesystem::path kZeek = std::filesystem::path(VIGIE_CORPUS) / "pcap" / "zeek";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

uint32_t le32(const std::string& b, std::size_t p) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[p])) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[p + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[p + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[p + 3])) << 24;
}

struct Payload {
  bool tcp = false;
  std::string src;
  std::string data;
};

// Classic little-endian pcap, Ethernet (1) or raw IPv4 (228) link layer, IPv4 only: enough for
// these traces, and it fails the test loudly on anything else.
std::vector<Payload> payloads(const std::filesystem::path& file) {
  const auto b = slurp(file);
  REQUIRE(b.size() >= 24);
  REQUIRE(le32(b, 0) == 0xa1b2c3d4u);
  const auto link = le32(b, 20);
  REQUIRE((link == 1 || link == 228));
  std::vector<Payload> out;
  for (std::size_t off = 24; off + 16 <= b.size();) {
    const auto incl = le32(b, off + 8);
    std::string pkt = b.substr(off + 16, incl);
    off += 16 + incl;
    if (link == 1) pkt = pkt.substr(14);
    const auto u = [&](std::size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(pkt[i])); };
    REQUIRE((u(0) >> 4) == 4);
    const std::size_t ihl = (u(0) & 15) * 4, total = u(2) << 8 | u(3);
    Payload p;
    p.src =
        std::to_string(u(12)) + "." + std::to_string(u(13)) + "." + std::to_string(u(14)) + "." + std::to_string(u(15));
    if (u(9) == 17) {
      p.data = pkt.substr(ihl + 8, total - ihl - 8);
    } else if (u(9) == 6) {
      p.tcp = true;
      const std::size_t thl = (u(ihl + 12) >> 4) * 4;
      p.data = pkt.substr(ihl + thl, total - ihl - thl);
    }
    if (!p.data.empty()) out.push_back(std::move(p));
  }
  return out;
}

struct ZeekRow {
  std::string facility, severity, message;
};

// Zeek TSV: data rows after the header; "\x00"-style escapes decoded.
std::vector<ZeekRow> zeek_rows(const std::filesystem::path& file) {
  std::vector<ZeekRow> rows;
  std::istringstream in(slurp(file));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.starts_with("ts\t")) continue;
    std::vector<std::string> cols;
    std::size_t start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
      cols.push_back(line.substr(start, tab - start));
    cols.push_back(line.substr(start));
    REQUIRE(cols.size() == 10);
    std::string msg;
    for (std::size_t i = 0; i < cols[9].size(); ++i) {
      if (cols[9].compare(i, 2, "\\x") == 0 && i + 3 < cols[9].size()) {
        msg.push_back(static_cast<char>(std::stoi(cols[9].substr(i + 2, 2), nullptr, 16)));
        i += 3;
      } else {
        msg.push_back(cols[9][i]);
      }
    }
    rows.push_back({cols[7], cols[8], msg});
  }
  return rows;
}

// Zeek's names (base/protocols/syslog/consts.zeek) → codes; UNSPECIFIED means "no PRI".
const std::map<std::string, int> kFacility = {
    {"KERN", 0},    {"USER", 1},    {"MAIL", 2},    {"DAEMON", 3},  {"AUTH", 4},      {"SYSLOG", 5},
    {"LPR", 6},     {"NEWS", 7},    {"UUCP", 8},    {"CRON", 9},    {"AUTHPRIV", 10}, {"FTP", 11},
    {"NTP", 12},    {"AUDIT", 13},  {"ALERT", 14},  {"CLOCK", 15},  {"LOCAL0", 16},   {"LOCAL1", 17},
    {"LOCAL2", 18}, {"LOCAL3", 19}, {"LOCAL4", 20}, {"LOCAL5", 21}, {"LOCAL6", 22},   {"LOCAL7", 23}};
const std::map<std::string, int> kSeverity = {{"EMERG", 0},   {"ALERT", 1},  {"CRIT", 2}, {"ERR", 3},
                                              {"WARNING", 4}, {"NOTICE", 5}, {"INFO", 6}, {"DEBUG", 7}};

std::string rtrim_terminators(std::string s) {
  while (!s.empty() && (s.back() == '\0' || s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

void check_against_zeek(const std::string& trace) {
  CAPTURE(trace);
  const auto rows = zeek_rows(kZeek / "expected" / (trace + ".syslog.log"));
  REQUIRE_FALSE(rows.empty());
  std::vector<RawMessage> messages;
  TcpFramer framer(64 * 1024);
  std::vector<Frame> frames;
  std::string tcp_src;
  for (auto& p : payloads(kZeek / (trace + ".pcap"))) {
    if (!p.tcp) {
      messages.push_back(RawMessage{p.data, p.src, 0, {}, false});
      continue;
    }
    tcp_src = p.src;
    framer.feed(p.data, frames);
  }
  framer.finish(frames);
  for (auto& f : frames) messages.push_back(RawMessage{f.data, tcp_src, 0, {}, f.truncated});
  REQUIRE(messages.size() == rows.size());

  core::Metrics metrics;
  SyslogParser parser(std::make_shared<config::Config>(), metrics);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CAPTURE(i);
    const auto& z = rows[i];
    const auto e = parser.parse(messages[i], "oracle");
    if (z.facility == "UNSPECIFIED") {
      // Zeek leaves a missing PRI unspecified; we apply RFC 3164 §4.3.3 (user.notice) and
      // record that no PRI was present by leaving log.syslog.priority unset.
      CHECK_FALSE(e.get("log.syslog.priority"));
      CHECK(e.value(core::Field::facility) == "1");
      CHECK(e.value(core::Field::severity) == "5");
    } else {
      REQUIRE(kFacility.count(z.facility) == 1);
      REQUIRE(kSeverity.count(z.severity) == 1);
      CHECK(e.value(core::Field::facility) == std::to_string(kFacility.at(z.facility)));
      CHECK(e.value(core::Field::severity) == std::to_string(kSeverity.at(z.severity)));
      CHECK(e.get("log.syslog.priority") == std::to_string(kFacility.at(z.facility) * 8 + kSeverity.at(z.severity)));
    }
    // Zeek's message is everything after the PRI; ours is the MSG part after the header.
    const auto zeek_msg = rtrim_terminators(z.message);
    const auto ours = std::string(e.value(core::Field::message));
    REQUIRE_FALSE(ours.empty());
    CHECK(zeek_msg.ends_with(ours));
    if (e.get("log.syslog.priority")) {
      // The header we split off, rebuilt, is exactly the rest of Zeek's message.
      std::string header = zeek_msg.substr(0, zeek_msg.size() - ours.size());
      CHECK(header.find(std::string(e.value(core::Field::process_name)) + ": ") != std::string::npos);
      CHECK(e.time != e.ingested);  // the BSD timestamp was read
    } else {
      CHECK(ours == zeek_msg);
    }
  }
}

}  // namespace

TEST_SUITE_BEGIN("corpus");

TEST_CASE("Zeek oracle: RFC 3164 over UDP") { check_against_zeek("syslog-single-udp"); }
TEST_CASE("Zeek oracle: missing PRI") { check_against_zeek("syslog-missing-pri"); }
TEST_CASE("Zeek oracle: TCP, octet counting mixed with newline framing") { check_against_zeek("tcp-syslog"); }
TEST_CASE("Zeek oracle: TCP, newline framing") { check_against_zeek("tcp-syslog-nontransparent"); }

TEST_CASE("Zeek oracle: tshark's decoded text parses like the capture") {
  // tshark's syslog.msg column holds the text after the PRI (UDP traces only).
  for (const std::string trace : {"syslog-single-udp", "syslog-missing-pri"}) {
    CAPTURE(trace);
    std::istringstream in(slurp(std::filesystem::path(VIGIE_CORPUS) / "pcap" / "tshark" / ("zeek_" + trace + ".tsv")));
    std::string header, row;
    REQUIRE(std::getline(in, header));
    REQUIRE(std::getline(in, row));
    const auto tshark_msg = row.substr(row.rfind('\t') + 1);
    const auto zeek = zeek_rows(kZeek / "expected" / (trace + ".syslog.log"));
    REQUIRE(zeek.size() == 1);
    const auto payload = payloads(kZeek / (trace + ".pcap"));
    REQUIRE(payload.size() == 1);
    core::Metrics metrics;
    SyslogParser parser(std::make_shared<config::Config>(), metrics);
    const auto e = parser.parse(RawMessage{payload[0].data, payload[0].src, 0, {}, false}, "udp://oracle");
    CHECK(rtrim_terminators(zeek[0].message) == rtrim_terminators(tshark_msg));
    CHECK(rtrim_terminators(tshark_msg).ends_with(std::string(e.value(core::Field::message))));
  }
}

TEST_SUITE_END();
