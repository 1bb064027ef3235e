// Dissectors against real captures (../shared/corpus/pcap) and what tshark 4.0, Zeek and
// Suricata printed for them: an oracle nobody here wrote.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "ingest/pcap/dns.hpp"
#include "ingest/pcap/http.hpp"
#include "ingest/pcap/ssh.hpp"
#include "ingest/pcap/tls.hpp"
#include "pcap_reader.hpp"

using namespace vigie::dissect;
using vigie::dissect::test::Capture;
using vigie::dissect::test::read_pcap;

namespace {

const std::string kPcap = std::string(VIGIE_CORPUS) + "/pcap/";
constexpr std::size_t kStreamPrefix = 16 * 1024;  // what the packet decoder hands over

std::span<const uint8_t> prefix(const std::vector<uint8_t>& s) {
  return std::span<const uint8_t>(s).first(std::min(s.size(), kStreamPrefix));
}
std::string_view text(std::span<const uint8_t> s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }

// Everything the dissectors found in one capture.
struct Seen {
  std::vector<DnsMessage> dns;
  std::vector<TlsHello> tls;
  std::vector<HttpRequest> http;
  std::vector<HttpResponse> responses;
  std::vector<SshBanner> ssh;
  std::set<std::string> values;  // every name / SNI / host / URI / UA / banner, for the tshark rows
  Capture cap;                   // owns the bytes the HTTP and SSH views point into
};

Seen dissect_capture(const std::string& file) {
  Seen s;
  s.cap = read_pcap(kPcap + file);
  REQUIRE_MESSAGE(s.cap.ok, file);
  for (const auto& p : s.cap.udp) {
    DnsMessage m;
    if (parse_dns(p.payload, m) != Result::ok) continue;
    for (const auto& q : m.questions) s.values.insert(q.name);
    s.dns.push_back(std::move(m));
  }
  for (const auto& [key, bytes] : s.cap.tcp_streams) {
    const auto b = prefix(bytes);
    TlsHello h;
    if (parse_tls_hello(b, h) == Result::ok) {
      if (!h.sni.empty()) s.values.insert(h.sni);
      s.tls.push_back(std::move(h));
    }
    std::string_view rest = text(b);
    HttpRequest req;
    while (!rest.empty() && parse_http_request(rest, req) == Result::ok) {
      s.values.insert(std::string(req.host));
      s.values.insert(std::string(req.uri));
      s.values.insert(std::string(req.user_agent));
      s.http.push_back(req);
      const uint64_t next = next_request_offset(req);
      if (next == 0 || next > rest.size()) break;
      rest.remove_prefix(next);
    }
    HttpResponse resp;
    if (parse_http_response(text(b), resp) == Result::ok) s.responses.push_back(resp);
    SshBanner banner;
    if (parse_ssh_banner(text(b), banner) == Result::ok) {
      s.values.insert(std::string(banner.line));
      s.ssh.push_back(banner);
    }
  }
  return s;
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, sep)) out.push_back(cell);
  if (!line.empty() && line.back() == sep) out.emplace_back();
  return out;
}

}  // namespace

TEST_SUITE("corpus") {
  TEST_CASE("tshark's DNS names, SNIs, HTTP fields and SSH banners are all found") {
    static const char* const kColumns[] = {"dns.qry.name",    "tls.handshake.extensions_server_name",
                                           "http.host",       "http.request.uri",
                                           "http.user_agent", "ssh.protocol"};
    std::size_t checked = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(kPcap)) {
      if (entry.path().extension() != ".pcap") continue;
      std::string rel = std::filesystem::relative(entry.path(), kPcap).replace_extension("").string();
      std::string tsv = rel;
      std::replace(tsv.begin(), tsv.end(), '/', '_');
      std::ifstream in(kPcap + "tshark/" + tsv + ".tsv");
      if (!in) continue;
      const Seen seen = dissect_capture(rel + ".pcap");
      std::string line;
      std::getline(in, line);
      const auto header = split(line, '\t');
      while (std::getline(in, line)) {
        const auto row = split(line, '\t');
        for (const char* col : kColumns) {
          const auto at = std::find(header.begin(), header.end(), col) - header.begin();
          if (static_cast<std::size_t>(at) >= row.size() || row[at].empty()) continue;
          for (const auto& value : split(row[at], ',')) {
            INFO(rel << " frame " << row[0] << " " << col << " = " << value);
            CHECK(seen.values.count(value) == 1);
            ++checked;
          }
        }
      }
    }
    CHECK(checked >= 30);
  }

  TEST_CASE("zeek dns53: the reply Zeek logged") {
    const Seen s = dissect_capture("zeek/dns53.pcap");
    REQUIRE(s.dns.size() == 1);
    const DnsMessage& m = s.dns[0];
    CHECK(m.id == 25701);
    CHECK(m.response);
    CHECK(dns_rcode_name(m.rcode) == "NOERROR");
    CHECK(m.aa);
    CHECK_FALSE(m.tc);
    CHECK_FALSE(m.rd);
    CHECK(m.ra);
    REQUIRE(m.questions.size() == 1);
    CHECK(m.questions[0].name == "us.v27.distributed.net");
    const std::vector<std::string> expected = {"206.109.64.186", "216.1.205.81",   "205.149.163.211", "134.53.131.135",
                                               "134.53.131.192", "128.104.18.148", "204.152.186.139", "63.77.33.226"};
    REQUIRE(m.answers.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CHECK(m.answers[i].data == expected[i]);
      CHECK(m.answers[i].ttl == 900);
      CHECK(dns_type_name(m.answers[i].type) == "A");
    }
  }

  TEST_CASE("suricata-verify dns-eve-v2-udp-nxdomain-soa: NXDOMAIN with the SOA Suricata logged") {
    const Seen s = dissect_capture("suricata-verify/dns-eve-v2-udp-nxdomain-soa/dns-udp-nxdomain-soa.pcap");
    const auto reply = std::find_if(s.dns.begin(), s.dns.end(), [](const DnsMessage& m) { return m.response; });
    REQUIRE(reply != s.dns.end());
    CHECK(dns_rcode_name(reply->rcode) == "NXDOMAIN");
    CHECK(reply->questions.at(0).name == "dne.oisf.net");
    REQUIRE(reply->authorities.size() == 1);
    CHECK(reply->authorities[0].name == "oisf.net");
    CHECK(dns_type_name(reply->authorities[0].type) == "SOA");
    CHECK(reply->authorities[0].ttl == 899);
    CHECK(reply->authorities[0].data == "ns-110.awsdns-13.com awsdns-hostmaster.amazon.com 1 7200 900 1209600 86400");
  }

  TEST_CASE("zeek tls-ecdhe: version, cipher and curve of Zeek's ssl.log") {
    const Seen s = dissect_capture("zeek/tls-ecdhe.pcap");
    const auto server = std::find_if(s.tls.begin(), s.tls.end(), [](const TlsHello& h) { return !h.client; });
    REQUIRE(server != s.tls.end());
    CHECK(tls_version_name(server->version) == "TLSv12");
    CHECK(server->cipher == 0xc014);
    CHECK(tls_cipher_name(server->cipher) == "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
    CHECK(tls_group_name(server->curve) == "secp256r1");
    CHECK_FALSE(server->cert_subject.empty());
    const auto client = std::find_if(s.tls.begin(), s.tls.end(), [](const TlsHello& h) { return h.client; });
    REQUIRE(client != s.tls.end());
    CHECK(client->ja3_hash.size() == 32);
    CHECK(client->ja4.starts_with("t12i"));  // tshark saw no SNI in this hello
  }

  TEST_CASE("suricata-verify TLS captures: SNI and the certificate names Suricata logged") {
    const Seen gh = dissect_capture("suricata-verify/bug-2646-01/input.pcap");
    const auto client = std::find_if(gh.tls.begin(), gh.tls.end(), [](const TlsHello& h) { return h.client; });
    REQUIRE(client != gh.tls.end());
    CHECK(client->sni == "raw.githubusercontent.com");
    const auto server = std::find_if(gh.tls.begin(), gh.tls.end(), [](const TlsHello& h) { return !h.client; });
    REQUIRE(server != gh.tls.end());
    CHECK(tls_version_name(server->version) == "TLSv12");
    // Suricata prints "C=US, ST=California, ..., CN=www.github.com"; RFC 2253 reverses the order.
    CHECK(server->cert_subject == "CN=www.github.com,O=GitHub\\, Inc.,L=San Francisco,ST=California,C=US");
    CHECK(server->cert_issuer == "CN=DigiCert SHA2 High Assurance Server CA,OU=www.digicert.com,O=DigiCert Inc,C=US");

    const Seen ms = dissect_capture("suricata-verify/bug-4702-02/tsecr.pcap");
    CHECK(
        std::any_of(ms.tls.begin(), ms.tls.end(), [](const TlsHello& h) { return h.sni == "vlscppe.microsoft.com"; }));
  }

  TEST_CASE("zeek http-get and wikipedia: requests as tshark decoded them") {
    const Seen s = dissect_capture("zeek/http-get.pcap");
    REQUIRE(s.http.size() == 1);
    CHECK(s.http[0].method == "GET");
    CHECK(s.http[0].host == "bro.org");
    CHECK(s.http[0].uri == "/download/CHANGES.bro-aux.txt");
    CHECK(s.http[0].user_agent == "Wget/1.14 (darwin12.2.0)");
    REQUIRE(s.responses.size() == 1);
    CHECK(s.responses[0].status == 200);

    const Seen w = dissect_capture("zeek/wikipedia.pcap");
    CHECK(w.http.size() >= 10);
    CHECK(std::any_of(w.dns.begin(), w.dns.end(), [](const DnsMessage& m) {
      return !m.questions.empty() && m.questions[0].name == "gemini._sftp-ssh._tcp.local";
    }));
  }

  TEST_CASE("suricata-verify ssh-banner-only: both banners") {
    const Seen s = dissect_capture("suricata-verify/ssh-banner-only/input.pcap");
    std::set<std::string> software;
    for (const auto& b : s.ssh) {
      CHECK(b.proto == "2.0");
      software.insert(std::string(b.software));
    }
    CHECK(software == std::set<std::string>{"OpenSSH_for_Windows_7.7", "OpenSSH_7.4"});
  }
}
