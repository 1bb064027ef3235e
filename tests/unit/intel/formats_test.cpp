// Feed formats (intel/formats.hpp): hand-written bodies per format with valid, unsupported,
// invalid and withdrawn records; refang and guess_type; broken inputs; and, in suite "corpus",
// the real samples under ../shared/corpus/feeds.
#include "intel/formats.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <string>
#include <vector>

using namespace vigie::intel;

namespace {

const std::string kMd5 = "d41d8cd98f00b204e9800998ecf8427e";
const std::string kSha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
const std::string kSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

FormatOptions options(std::string tlp = "") {
  FormatOptions o;
  o.feed = "test";
  o.tlp = std::move(tlp);
  o.confidence = 50;
  return o;
}

const Indicator* find(const std::vector<Indicator>& v, std::string_view value) {
  const auto it = std::find_if(v.begin(), v.end(), [&](const Indicator& i) { return i.value == value; });
  return it == v.end() ? nullptr : &*it;
}

std::size_t count_type(const std::vector<Indicator>& v, IocType t) {
  return static_cast<std::size_t>(std::count_if(v.begin(), v.end(), [&](const Indicator& i) { return i.type == t; }));
}

bool has_error(const ParseReport& r, std::string_view needle) {
  return std::any_of(r.errors.begin(), r.errors.end(),
                     [&](const std::string& e) { return e.find(needle) != std::string::npos; });
}

// A fresh directory under the system temp dir, removed with the object.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> n{0};
    path = std::filesystem::temp_directory_path() /
           ("vigie-formats-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& body) const { std::ofstream(path / name) << body; }
};

}  // namespace

TEST_CASE("refang: brackets, parentheses, braces, words and schemes back to plain text") {
  CHECK(refang("hxxps://a[.]b(.)c[:]8080") == "https://a.b.c:8080");
  CHECK(refang("x[@]y.z") == "x@y.z");
  CHECK(refang("a[dot]b") == "a.b");
  CHECK(refang("A[DOT]b{.}c[ . ]d") == "A.b.c.d");
  CHECK(refang("hXXp://evil[.]example[/]path") == "http://evil.example/path");
  CHECK(refang("user(at)example[.]org") == "user@example.org");
  CHECK(refang("example\\.com") == "example.com");
  CHECK(refang("fxp://files[.]example") == "ftp://files.example");
  CHECK(refang("http[://]a.example") == "http://a.example");
  // Already plain, or brackets that are not a fang: unchanged.
  CHECK(refang("http://x.example/a[1]") == "http://x.example/a[1]");
  CHECK(refang("[2001:db8::1]") == "[2001:db8::1]");
  CHECK(refang("evil.example") == "evil.example");
  CHECK(refang("") == "");
}

TEST_CASE("guess_type: addresses and networks, hashes by length, URLs, e-mail, domains, else nothing") {
  CHECK(guess_type("192.0.2.1") == IocType::ip);
  CHECK(guess_type("10.0.0.0/8") == IocType::ip);
  CHECK(guess_type("2001:db8::/32") == IocType::ip);
  CHECK(guess_type(kMd5) == IocType::md5);
  CHECK(guess_type(kSha1) == IocType::sha1);
  CHECK(guess_type(kSha256) == IocType::sha256);
  CHECK(guess_type("http://x.example/a") == IocType::url);
  CHECK(guess_type("a@b.example") == IocType::email);
  CHECK(guess_type("evil.example") == IocType::domain);
  CHECK(guess_type("evil.example.") == IocType::domain);
  CHECK(guess_type("xn--bcher-kva.example") == IocType::domain);
  CHECK_FALSE(guess_type("").has_value());
  CHECK_FALSE(guess_type("not a value").has_value());
  CHECK_FALSE(guess_type("localhost").has_value());
  CHECK_FALSE(guess_type("1.2.3.999").has_value());
  CHECK_FALSE(guess_type("10.0.0.0/33").has_value());
  CHECK_FALSE(guess_type("abc123").has_value());
  CHECK_FALSE(guess_type("a@b").has_value());
  CHECK_FALSE(guess_type("http://a b").has_value());
  CHECK(feed_formats() == std::vector<std::string_view>{"csv", "zeek-intel", "list", "stix", "misp"});
}

TEST_CASE("csv: quoted fields, CRLF, type names, optional columns; bad rows counted with their line") {
  const std::string body =
      "\"type\",\"indicator\",\"description\",\"first_seen\",\"tlp\",\"confidence\"\r\n"  // 1
      "domain,evil[.]example,\"C2, stage \"\"two\"\"\",2024-03-01,amber,80\r\n"           // 2
      "ip,192.0.2.0/24,scanner,2024-03-01T10:00:00Z,,\r\n"                                // 3
      "sha256," +
      kSha256 +
      ",,,,\r\n"                                         // 4
      ",hxxp://bad[.]example/x,,,,\r\n"                  // 5 no type: guessed
      "mutex,Global\\abc,,,,\r\n"                        // 6 unsupported
      "ip,999.1.1.1,,,,\r\n"                             // 7 invalid
      "domain,only,two\r\n"                              // 8 invalid
      "md5,,,,,\r\n"                                     // 9 invalid
      "\r\n"                                             // 10 blank
      "domain,\"multi\nline.example\",,,,\r\n"           // 11-12 invalid
      "domain,\"good.example\" x,,,,\r\n"                // 13 invalid
      "domain,late.example,,not-a-date,purple,150\r\n";  // 14 notes
  ParseReport r;
  auto got = parse_csv(body, options("GREEN"), r);
  REQUIRE(got);
  CHECK(got->size() == 5);
  CHECK(r.records == 11);
  CHECK(r.unsupported == 1);
  CHECK(r.invalid == 5);
  CHECK(r.withdrawn == 0);
  CHECK(r.errors.size() == 8);
  CHECK(has_error(r, "line 7: '999.1.1.1': not an IP address or CIDR"));
  CHECK(has_error(r, "line 8: 3 fields, the header has 6"));
  CHECK(has_error(r, "line 9: '': empty value"));
  CHECK(has_error(r, "line 11:"));
  CHECK(has_error(r, "line 13: text after a closing quote"));
  CHECK(has_error(r, "line 14: first seen 'not-a-date' ignored"));
  CHECK(has_error(r, "line 14: tlp 'purple' ignored"));
  CHECK(has_error(r, "line 14: confidence '150' ignored"));

  const auto* evil = find(*got, "evil.example");
  REQUIRE(evil);
  CHECK(evil->type == IocType::domain);
  CHECK(evil->description == "C2, stage \"two\"");
  CHECK(evil->first_seen == 1709251200);
  CHECK(evil->tlp == "AMBER");
  CHECK(evil->confidence == 80);
  CHECK(evil->feed == "test");
  const auto* net = find(*got, "192.0.2.0/24");
  REQUIRE(net);
  CHECK(net->type == IocType::ip);
  CHECK(net->first_seen == 1709287200);
  CHECK(net->tlp == "GREEN");  // the default
  CHECK(net->confidence == 50);
  REQUIRE(find(*got, kSha256));
  CHECK(find(*got, kSha256)->type == IocType::sha256);
  REQUIRE(find(*got, "http://bad.example/x"));
  CHECK(find(*got, "http://bad.example/x")->type == IocType::url);
  const auto* late = find(*got, "late.example");
  REQUIRE(late);
  CHECK(late->first_seen == 0);
  CHECK(late->tlp == "GREEN");
  CHECK(late->confidence == 50);
}

TEST_CASE("csv: without a type column every value is guessed; column aliases; comments before the header") {
  ParseReport r;
  auto got =
      parse_csv("# exported 2024-05-01\n\nioc_value,comment\n1.2.3.4,x\nevil.example,y\nfoo bar,z\n", options(), r);
  REQUIRE(got);
  REQUIRE(got->size() == 2);
  CHECK((*got)[0].type == IocType::ip);
  CHECK((*got)[0].description == "x");
  CHECK((*got)[1].type == IocType::domain);
  CHECK(r.records == 3);
  CHECK(r.invalid == 1);
  CHECK(has_error(r, "line 6: 'foo bar'"));
}

TEST_CASE("csv: no header, empty body, broken quote, binary data") {
  ParseReport r;
  auto none = parse_csv("domain,evil.example\n", options(), r);
  REQUIRE_FALSE(none);
  CHECK(none.error().find("no header row") != std::string::npos);
  CHECK_FALSE(parse_csv("", options(), r));
  CHECK_FALSE(parse_csv("\"type,indicator\n", options(), r));  // the header itself is broken

  ParseReport broken;
  auto got = parse_csv("type,indicator\ndomain,a.example\ndomain,\"b.example\ndomain,c.example\n", options(), broken);
  REQUIRE(got);
  CHECK(got->size() == 1);
  CHECK(broken.records == 2);
  CHECK(broken.invalid == 1);
  CHECK(has_error(broken, "line 3: unterminated quoted field"));

  auto binary = parse_csv(std::string("type,indicator\n\0\x01\xff", 18), options(), r);
  REQUIRE_FALSE(binary);
  CHECK(binary.error().find("binary data") != std::string::npos);
  ParseReport only;
  auto header_only = parse_csv("indicator\r\n", options(), only);
  REQUIRE(header_only);
  CHECK(header_only->empty());
  CHECK(only.records == 0);
}

TEST_CASE("zeek-intel: #fields names the columns; types mapped, others unsupported; '-' is empty") {
  const std::string body =
      "#separator \\x09\n"                                                         // 1
      "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n"     // 2
      "192.0.2.7\tIntel::ADDR\tEXAMPLE-CTI\tbotnet C2\thttps://cti.example/r/1\n"  // 3
      "198.51.100.0/24\tIntel::SUBNET\tEXAMPLE-CTI\t-\t-\n"                        // 4
      "evil[.]example\tIntel::DOMAIN\t-\tphishing\t-\n"                            // 5
      "evil.example/login.php\tIntel::URL\tEXAMPLE-CTI\t-\t-\n"                    // 6
      "bad@evil.example\tIntel::EMAIL\t-\t-\t-\n"                                  // 7
      + kMd5 +
      "\tIntel::FILE_HASH\t-\t-\t-\n"      // 8
      "jdoe\tIntel::USER_NAME\t-\t-\t-\n"  // 9 unsupported
      + kMd5 +
      "\tIntel::JA3\t-\t-\t-\n"             // 10 unsupported
      "# a comment\n"                       // 11
      "10.0.0.0/8\tIntel::ADDR\t-\t-\t-\n"  // 12 invalid
      "abc\tIntel::FILE_HASH\t-\t-\t-\n"    // 13 invalid
      "192.0.2.9\tIntel::ADDR\t-\n"         // 14 invalid
      "-\tIntel::DOMAIN\t-\t-\t-\n"         // 15 invalid
      "x\tNOTZEEK\t-\t-\t-\n"               // 16 invalid
      "\n";
  ParseReport r;
  auto got = parse_zeek_intel(body, options(), r);
  REQUIRE(got);
  CHECK(got->size() == 6);
  CHECK(r.records == 13);
  CHECK(r.unsupported == 2);
  CHECK(r.invalid == 5);
  CHECK(has_error(r, "line 12: '10.0.0.0/8': not a single address"));
  CHECK(has_error(r, "line 13: 'abc': not an MD5, SHA-1 or SHA-256"));
  CHECK(has_error(r, "line 14: 3 fields, #fields names 5"));
  CHECK(has_error(r, "line 15: '': empty value"));
  CHECK(has_error(r, "line 16: unknown indicator_type 'NOTZEEK'"));
  CHECK(count_type(*got, IocType::ip) == 2);
  const auto* addr = find(*got, "192.0.2.7");
  REQUIRE(addr);
  CHECK(addr->description == "botnet C2 (EXAMPLE-CTI)");
  CHECK(addr->advisory == "https://cti.example/r/1");
  REQUIRE(find(*got, "198.51.100.0/24"));
  CHECK(find(*got, "198.51.100.0/24")->description == "EXAMPLE-CTI");
  REQUIRE(find(*got, "evil.example"));
  CHECK(find(*got, "evil.example")->description == "phishing");
  REQUIRE(find(*got, "evil.example/login.php"));  // Zeek's URLs have no scheme: kept as given
  CHECK(find(*got, "evil.example/login.php")->type == IocType::url);
  CHECK(find(*got, "bad@evil.example")->type == IocType::email);
  CHECK(find(*got, kMd5)->type == IocType::md5);
}

TEST_CASE("zeek-intel: a body without a usable #fields header cannot be read") {
  ParseReport r;
  CHECK_FALSE(parse_zeek_intel("", options(), r));
  CHECK_FALSE(parse_zeek_intel("# only comments\n", options(), r));
  auto before = parse_zeek_intel("192.0.2.1\tIntel::ADDR\n#fields\tindicator\tindicator_type\n", options(), r);
  REQUIRE_FALSE(before);
  CHECK(before.error() == "line 1: data before the #fields header");
  auto columns = parse_zeek_intel("#fields\tvalue\ttype\n", options(), r);
  REQUIRE_FALSE(columns);
  CHECK(columns.error().find("indicator and indicator_type") != std::string::npos);
}

TEST_CASE("list: one value per line, comments and blanks skipped, types guessed or imposed") {
  const std::string body =
      "# blocklist\n"
      "192.0.2.1\n"
      "evil[.]example   # trailing comment\n"
      "http://x.example/#frag\r\n"
      "   \n"
      "not a value\n" +
      kMd5 + "\n";
  ParseReport r;
  auto got = parse_list(body, options(), r);
  REQUIRE(got);
  REQUIRE(got->size() == 4);
  CHECK((*got)[0].type == IocType::ip);
  CHECK((*got)[1].value == "evil.example");
  CHECK((*got)[2].value == "http://x.example/#frag");
  CHECK((*got)[2].type == IocType::url);
  CHECK((*got)[3].type == IocType::md5);
  CHECK(r.records == 5);
  CHECK(r.invalid == 1);
  CHECK(has_error(r, "line 6: 'not a value'"));

  FormatOptions domains = options();
  domains.type = IocType::domain;
  ParseReport d;
  auto typed = parse_list("a.example\n192.0.2.1\n", domains, d);
  REQUIRE(typed);
  REQUIRE(typed->size() == 1);
  CHECK((*typed)[0].type == IocType::domain);
  CHECK(d.invalid == 1);
  CHECK(has_error(d, "line 2: '192.0.2.1': not a domain name"));

  ParseReport e;
  auto empty = parse_list("", options(), e);
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("errors: at most kMaxErrors messages, every bad record still counted") {
  std::string body;
  for (int i = 0; i < 30; ++i) body += "bad value " + std::to_string(i) + "\n";
  ParseReport r;
  auto got = parse_list(body, options(), r);
  REQUIRE(got);
  CHECK(r.invalid == 30);
  CHECK(r.errors.size() == kMaxErrors);
}

TEST_CASE("read_feed_path: missing file, directory, unknown format") {
  ParseReport r;
  auto missing = read_feed_path("/nonexistent/vigie/feed.csv", "csv", options(), r);
  REQUIRE_FALSE(missing);
  CHECK(missing.error() == "/nonexistent/vigie/feed.csv: No such file or directory");
  TempDir dir;
  auto directory = read_feed_path(dir.path, "list", options(), r);
  REQUIRE_FALSE(directory);
  CHECK(directory.error().find("is a directory") != std::string::npos);
  CHECK_FALSE(read_feed_path(dir.path, "yaml", options(), r));
  auto no_manifest = read_feed_path(dir.path, "misp", options(), r);
  REQUIRE_FALSE(no_manifest);
  CHECK(no_manifest.error().find("manifest.json: No such file or directory") != std::string::npos);
  dir.write("empty.csv", "");
  auto empty = read_feed_path(dir.path / "empty.csv", "csv", options(), r);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().find("empty.csv: empty body") != std::string::npos);
}

namespace {

// Objects of a hand-written STIX 2.1 bundle, one per line; the comments say what each exercises.
std::string stix_indicator(const std::string& id, const std::string& pattern, const std::string& extra = "") {
  std::string escaped;
  for (char c : pattern) {
    if (c == '\\' || c == '"') escaped += '\\';
    escaped += c;
  }
  return R"({"type": "indicator", "spec_version": "2.1", )" + (id.empty() ? "" : R"("id": ")" + id + R"(", )") +
         R"("created": "2024-01-01T00:00:00Z", "pattern_type": "stix", "pattern": ")" + escaped + "\"" + extra + "}";
}

std::string stix_bundle(const std::vector<std::string>& objects) {
  std::string out = R"({"type": "bundle", "id": "bundle--0b3a4d2c-7c5e-4f55-9e1a-3f1e5d6c7b8a", "objects": [)";
  for (std::size_t i = 0; i < objects.size(); ++i) out += (i ? ",\n" : "\n") + objects[i];
  return out + "]}";
}

}  // namespace

TEST_CASE("stix: supported patterns give one indicator per comparison; the rest counted") {
  const std::string amber2 = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
  const std::string custom = "marking-definition--11111111-2222-4333-8444-555555555555";
  const std::string body = stix_bundle({
      R"({"type": "marking-definition", "id": ")" + custom +
          R"(", "definition_type": "tlp", "definition": {"tlp": "green"}})",
      stix_indicator("indicator--a", "[ipv4-addr:value = '198.51.100.7' OR domain-name:value = 'evil[.]example']",
                     R"(, "name": "C2 servers", "confidence": 70, "valid_from": "2024-01-02T03:04:05Z", )"
                     R"("valid_until": "2025-01-01T00:00:00Z", "object_marking_refs": [")" +
                         amber2 + "\"]"),
      stix_indicator("indicator--b", "[file:hashes.'SHA-256' = '" + kSha256 + "' AND file:hashes.MD5 = '" + kMd5 + "']",
                     R"(, "description": "dropper", "labels": ["malicious-activity", "tlp:red"])"),
      stix_indicator("indicator--c", "([url:value = 'http://a.example/x'] OR [email-addr:value = 'ph@a.example'])",
                     R"(, "object_marking_refs": [")" + custom + "\"]"),
      stix_indicator("indicator--d", "[domain-name:value MATCHES '^evil']"),                         // unsupported
      stix_indicator("indicator--e", "[app:id = 'com.example']"),                                    // unsupported
      stix_indicator("indicator--f", "[file:name = 'a.exe' AND file:hashes.MD5 = '" + kMd5 + "']"),  // unsupported
      stix_indicator("indicator--g", "[domain-name:value = 'a.example'] FOLLOWEDBY [domain-name:value = 'b.example']"),
      R"({"type": "indicator", "id": "indicator--h", "pattern_type": "sigma", "pattern": "title: x"})",   // unsupported
      stix_indicator("indicator--i", "[domain-name:value = 'revoked.example']", R"(, "revoked": true)"),  // withdrawn
      stix_indicator("indicator--j", "[domain-name:value = 'new.example']", R"(, "modified": "2024-02-01T00:00:00Z")"),
      stix_indicator("indicator--j", "[domain-name:value = 'old.example']", R"(, "modified": "2024-01-01T00:00:00Z")"),
      stix_indicator("indicator--k", "[ipv4-addr:value = '999.0.0.1']"),   // invalid
      stix_indicator("indicator--l", "[domain-name:value = 'x.example'"),  // invalid
      stix_indicator("", "[domain-name:value = 'anonymous.example']"),     // invalid
      R"({"type": "relationship", "id": "relationship--1", "source_ref": "indicator--a", "target_ref": "malware--1"})",
      stix_indicator("indicator--n", "[domain-name:value = 'q.example'] WITHIN 300 SECONDS"),  // unsupported
      stix_indicator("indicator--o", "[ipv6-addr:value = '2001:db8::1' OR app:id = 'x']"),
      stix_indicator("indicator--p", "[FILE:HASHES.'sha-1' = '" + kSha1 + "']"),
  });
  ParseReport r;
  auto got = parse_stix(body, options("CLEAR"), r);
  REQUIRE(got);
  CHECK(got->size() == 9);
  CHECK(r.records == 17);
  CHECK(r.unsupported == 6);
  CHECK(r.withdrawn == 2);
  CHECK(r.invalid == 3);
  CHECK(has_error(r, "indicator--k: '999.0.0.1': not an IP address or CIDR"));
  CHECK(has_error(r, "indicator--l: malformed pattern"));
  CHECK(has_error(r, "objects[14]: indicator without an id"));

  const auto* ip = find(*got, "198.51.100.7");
  REQUIRE(ip);
  CHECK(ip->type == IocType::ip);
  CHECK(ip->advisory == "indicator--a");
  CHECK(ip->description == "C2 servers");
  CHECK(ip->confidence == 70);
  CHECK(ip->tlp == "AMBER");
  CHECK(ip->first_seen == 1704164645);
  CHECK(ip->expires == 1735689600);
  REQUIRE(find(*got, "evil.example"));
  CHECK(find(*got, "evil.example")->type == IocType::domain);
  const auto* sha = find(*got, kSha256);
  REQUIRE(sha);
  CHECK(sha->type == IocType::sha256);
  CHECK(sha->description == "dropper");
  CHECK(sha->tlp == "RED");
  CHECK(sha->confidence == 50);
  CHECK(sha->first_seen == 1704067200);  // created, no valid_from
  REQUIRE(find(*got, kMd5));
  CHECK(find(*got, "http://a.example/x")->tlp == "GREEN");
  CHECK(find(*got, "ph@a.example")->type == IocType::email);
  CHECK(find(*got, "new.example"));
  CHECK_FALSE(find(*got, "old.example"));
  CHECK_FALSE(find(*got, "revoked.example"));
  REQUIRE(find(*got, "2001:db8::1"));
  CHECK(find(*got, "2001:db8::1")->tlp == "CLEAR");  // the default
  REQUIRE(find(*got, kSha1));
  CHECK(find(*got, kSha1)->type == IocType::sha1);
}

TEST_CASE("stix: bodies that are not bundles, and hostile patterns") {
  ParseReport r;
  CHECK_FALSE(parse_stix("", options(), r));
  CHECK_FALSE(parse_stix("not json", options(), r));
  CHECK_FALSE(parse_stix(R"({"type": "bundle", "objects": [)", options(), r));
  CHECK_FALSE(parse_stix(R"({"type": "report", "objects": []})", options(), r));
  CHECK_FALSE(parse_stix(R"({"type": "bundle", "objects": {}})", options(), r));
  auto deep = parse_stix(std::string(5000, '[') + std::string(5000, ']'), options(), r);
  REQUIRE_FALSE(deep);
  CHECK(deep.error().find("not JSON") != std::string::npos);
  auto empty = parse_stix(R"({"type": "bundle", "id": "bundle--1"})", options(), r);
  REQUIRE(empty);
  CHECK(empty->empty());

  ParseReport h;
  auto got =
      parse_stix(stix_bundle({
                     stix_indicator("indicator--deep", std::string(200, '(') + "[domain-name:value = 'a.example']" +
                                                           std::string(200, ')')),
                     stix_indicator("indicator--quote", "[domain-name:value = 'a.example]"),
                     stix_indicator("indicator--escape", "[url:value = 'http://a.example/it\\'s']"),
                     "42",
                 }),
                 options(), h);
  REQUIRE(got);
  REQUIRE(got->size() == 1);
  CHECK((*got)[0].value == "http://a.example/it's");
  CHECK(h.records == 4);
  CHECK(h.invalid == 3);
  CHECK(has_error(h, "indicator--deep: malformed pattern"));
  CHECK(has_error(h, "nested too deep"));
  CHECK(has_error(h, "indicator--quote: malformed pattern"));
  CHECK(has_error(h, "objects[3]: not an object"));
}

namespace {

const std::string kEvent =
    R"({"Event": {"uuid": "5f1c2d3e-0a1b-4c2d-8e3f-405162738495", "info": "Phishing wave 2024-05",
  "timestamp": "1714521600", "Tag": [{"name": "tlp:amber"}, {"name": "campaign"}],
  "Attribute": [
    {"uuid": "00000000-0000-4000-8000-000000000001", "type": "domain", "value": "evil[.]example", "to_ids": true,
     "comment": "landing page", "first_seen": "2024-05-01T00:00:00+00:00"},
    {"type": "ip-dst|port", "value": "192.0.2.10|443", "to_ids": "1", "timestamp": "1714521600"},
    {"type": "domain|ip", "value": "c2.example|198.51.100.3", "to_ids": 1, "Tag": [{"name": "tlp:red"}]},
    {"type": "filename|sha1", "value": "invoice.pdf.exe|)" +
    kSha1 + R"(", "to_ids": true},
    {"type": "email-src", "value": "boss@evil.example", "to_ids": true},
    {"type": "comment", "value": "just text", "to_ids": false},
    {"type": "domain", "value": "context.example", "to_ids": "0"},
    {"type": "mutex", "value": "Global\\x", "to_ids": true},
    {"type": "domain", "value": "gone.example", "to_ids": true, "deleted": true},
    {"uuid": "00000000-0000-4000-8000-000000000010", "type": "md5", "value": "nothex", "to_ids": true},
    {"type": "ip-src|port", "value": "192.0.2.11", "to_ids": true},
    "not an object"
  ],
  "Object": [
    {"name": "file", "Attribute": [{"type": "sha256", "value": ")" +
    kSha256 + R"(", "to_ids": true}]},
    {"name": "old", "deleted": true, "Attribute": [{"type": "url", "value": "http://old.example/", "to_ids": true}]}
  ]}})";

}  // namespace

TEST_CASE("misp event: to_ids attributes, composite types split, deleted withdrawn, tags give the TLP") {
  ParseReport r;
  auto got = parse_misp_event(kEvent, options("GREEN"), r);
  REQUIRE(got);
  CHECK(got->size() == 7);
  CHECK(r.records == 14);
  CHECK(r.unsupported == 3);
  CHECK(r.withdrawn == 2);
  CHECK(r.invalid == 3);
  CHECK(has_error(r, "attribute 00000000-0000-4000-8000-000000000010: md5 'nothex': not an MD5"));
  CHECK(has_error(r, "Attribute[10]: ip-src|port '192.0.2.11': empty value"));
  CHECK(has_error(r, "Attribute[11]: not an object"));

  const auto* evil = find(*got, "evil.example");
  REQUIRE(evil);
  CHECK(evil->type == IocType::domain);
  CHECK(evil->advisory == "Phishing wave 2024-05");
  CHECK(evil->description == "landing page");
  CHECK(evil->tlp == "AMBER");
  CHECK(evil->first_seen == 1714521600);
  CHECK(evil->confidence == 50);
  const auto* port = find(*got, "192.0.2.10");
  REQUIRE(port);
  CHECK(port->type == IocType::ip);
  CHECK(port->first_seen == 1714521600);
  REQUIRE(find(*got, "c2.example"));
  REQUIRE(find(*got, "198.51.100.3"));
  CHECK(find(*got, "c2.example")->tlp == "RED");  // the attribute's tag wins
  CHECK(find(*got, "198.51.100.3")->type == IocType::ip);
  REQUIRE(find(*got, kSha1));
  CHECK(find(*got, kSha1)->type == IocType::sha1);
  CHECK(find(*got, "boss@evil.example")->type == IocType::email);
  CHECK(find(*got, kSha256)->type == IocType::sha256);
  CHECK_FALSE(find(*got, "http://old.example/"));
  CHECK_FALSE(find(*got, "context.example"));
}

TEST_CASE("misp: events without info are named by uuid; broken events and manifests") {
  ParseReport r;
  auto got = parse_misp_event(
      R"({"Event": {"uuid": "5f1c2d3e-0a1b-4c2d-8e3f-405162738495", "Attribute": [{"type": "url", "value": "hxxp://a[.]example/", "to_ids": true}]}})",
      options("AMBER"), r);
  REQUIRE(got);
  REQUIRE(got->size() == 1);
  CHECK((*got)[0].value == "http://a.example/");
  CHECK((*got)[0].advisory == "5f1c2d3e-0a1b-4c2d-8e3f-405162738495");
  CHECK((*got)[0].tlp == "AMBER");
  CHECK_FALSE(parse_misp_event("", options(), r));
  CHECK_FALSE(parse_misp_event("[]", options(), r));
  CHECK_FALSE(parse_misp_event(R"({"Event": 3})", options(), r));
  CHECK_FALSE(parse_misp_event(R"({"Event": {"Attribute": {}}})", options(), r));
  CHECK_FALSE(parse_misp_event(kEvent.substr(0, kEvent.size() / 2), options(), r));
  CHECK_FALSE(parse_misp_manifest("[1, 2]", r));

  ParseReport m;
  auto refs = parse_misp_manifest(R"({
    "aaaaaaaa-0000-4000-8000-000000000001": {"info": "A", "timestamp": "1700000000", "Tag": [{"name": "tlp:white"}]},
    "aaaaaaaa-0000-4000-8000-000000000002": {"info": "B", "timestamp": 1700000001, "Tag": [{"name": "tlp:amber+strict"}]},
    "../../etc/passwd": {"info": "escape"},
    "aaaaaaaa-0000-4000-8000-000000000003": 5})",
                                  m);
  REQUIRE(refs);
  REQUIRE(refs->size() == 2);
  CHECK((*refs)[0].uuid == "aaaaaaaa-0000-4000-8000-000000000001");
  CHECK((*refs)[0].info == "A");
  CHECK((*refs)[0].timestamp == 1700000000);
  CHECK((*refs)[0].tlp == "CLEAR");
  CHECK((*refs)[1].timestamp == 1700000001);
  CHECK((*refs)[1].tlp == "AMBER+STRICT");
  CHECK(m.records == 4);
  CHECK(m.invalid == 2);
  CHECK(has_error(m, "'../../etc/passwd': not an event UUID"));
}

TEST_CASE("misp directory: only listed events are read; a missing one is counted, not fatal") {
  TempDir dir;
  dir.write("manifest.json", R"({
    "aaaaaaaa-0000-4000-8000-000000000001": {"info": "present", "timestamp": 1, "Tag": [{"name": "tlp:green"}]},
    "aaaaaaaa-0000-4000-8000-000000000002": {"info": "absent", "timestamp": 2}})");
  dir.write(
      "aaaaaaaa-0000-4000-8000-000000000001.json",
      R"({"Event": {"info": "present", "Attribute": [{"type": "domain", "value": "p.example", "to_ids": true}]}})");
  dir.write("bbbbbbbb-0000-4000-8000-000000000009.json",  // not in the manifest: never read
            R"({"Event": {"info": "stray", "Attribute": [{"type": "domain", "value": "s.example", "to_ids": true}]}})");
  ParseReport r;
  auto got = read_feed_path(dir.path, "misp", options(), r);
  REQUIRE(got);
  REQUIRE(got->size() == 1);
  CHECK((*got)[0].value == "p.example");
  CHECK((*got)[0].tlp == "GREEN");  // from the manifest's tag
  CHECK((*got)[0].feed == "test");
  CHECK(r.records == 2);
  CHECK(r.invalid == 1);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].find("event aaaaaaaa-0000-4000-8000-000000000002 (absent): ") == 0);
  CHECK(r.errors[0].find("No such file or directory") != std::string::npos);
}

TEST_CASE("robustness: every truncation and garbage body is refused or counted, never a crash") {
  const std::string csv = "type,indicator,tlp\ndomain,\"a,b\",red\nip,192.0.2.1,\n";
  const std::string zeek = "#fields\tindicator\tindicator_type\n192.0.2.1\tIntel::ADDR\n";
  const std::string stix = stix_bundle({stix_indicator("indicator--a", "[domain-name:value = 'a.example']")});
  std::string garbage;
  for (int i = 0; i < 1024; ++i) garbage += static_cast<char>((i * 131 + 7) % 256);
  for (const std::string* body : std::vector<const std::string*>{&csv, &zeek, &stix, &kEvent, &garbage}) {
    for (std::size_t n = 0; n <= body->size(); ++n) {
      const std::string_view cut(body->data(), n);
      ParseReport r;
      (void)parse_csv(cut, options(), r);
      (void)parse_zeek_intel(cut, options(), r);
      (void)parse_list(cut, options(), r);
      (void)parse_stix(cut, options(), r);
      (void)parse_misp_event(cut, options(), r);
      (void)parse_misp_manifest(cut, r);
      CHECK(r.errors.size() <= kMaxErrors);
    }
  }
  ParseReport r;
  CHECK_FALSE(parse_stix(stix.substr(0, stix.size() - 1), options(), r));
  CHECK_FALSE(parse_list(garbage, options(), r));  // a NUL byte: binary
}

TEST_SUITE("corpus") {
  TEST_CASE("corpus csv: Infoblox c2_beacon gives every row, re-fanged, dated") {
    ParseReport r;
    auto got = read_feed_path(VIGIE_CORPUS "/feeds/csv/c2_beacon_20230414_iocs.csv", "csv", options(), r);
    REQUIRE(got);
    CHECK(got->size() == 6);
    CHECK(r.records == 6);
    CHECK(r.invalid + r.unsupported + r.withdrawn == 0);
    CHECK(count_type(*got, IocType::domain) == 6);
    const auto* d = find(*got, "claudfront.net");
    REQUIRE(d);
    CHECK(d->description == "malware");
    CHECK(d->first_seen == 1675814400);
    CHECK(find(*got, "cbox4.ignorelist.com"));
    CHECK(find(*got, "hsdps.cc"));
    for (const auto& i : *got) CHECK(i.value.find('[') == std::string::npos);
  }

  TEST_CASE("corpus zeek-intel: abuse.ch IP blocklist gives its three addresses") {
    ParseReport r;
    auto got = read_feed_path(VIGIE_CORPUS "/feeds/zeek-intel/abuse-ch-ipblocklist.intel", "zeek-intel", options(), r);
    REQUIRE(got);
    CHECK(got->size() == 3);
    CHECK(count_type(*got, IocType::ip) == 3);
    CHECK(r.records == 3);
    CHECK(r.invalid == 0);
    for (const char* ip : {"79.137.13.24", "91.230.49.1", "193.238.227.136"}) {
      CAPTURE(ip);
      REQUIRE(find(*got, ip));
      CHECK(find(*got, ip)->description == "BOTNET (ABUSE-CH)");
    }
  }

  TEST_CASE("corpus stix: RCS Lab bundle gives its 26 domains and 9 hashes; app ids unsupported") {
    ParseReport r;
    auto got = read_feed_path(VIGIE_CORPUS "/feeds/stix/rcs_lab.stix2.json", "stix", options(), r);
    REQUIRE(got);
    CHECK(r.records == 40);
    CHECK(count_type(*got, IocType::domain) == 26);
    CHECK(count_type(*got, IocType::sha256) == 9);
    CHECK(got->size() == 35);
    CHECK(r.unsupported == 5);
    CHECK(r.invalid == 0);
    CHECK(r.withdrawn == 0);
    const auto* d = find(*got, "119-tim.info");
    REQUIRE(d);
    CHECK(d->advisory == "indicator--7c6b4d6d-a2eb-41ba-9be8-1793a9b2ed9d");
    CHECK(d->first_seen == 1656076346);
    CHECK(find(*got, "fb-techsupport.com"));
    CHECK(find(*got, "safekeyservice-972cd.appspot.com"));
    CHECK(find(*got, "e38d7ba21a48ad32963bfe6cb0203afe0839eca9a73268a67422109da282eae3"));
    CHECK_FALSE(find(*got, "com.vodaservices"));
  }

  TEST_CASE("corpus misp: Infoblox feed through read_feed_path; the 44 missing events counted") {
    ParseReport r;
    auto got = read_feed_path(VIGIE_CORPUS "/feeds/misp", "misp", options(), r);
    REQUIRE(got);
    CHECK(got->size() == 15);
    CHECK(count_type(*got, IocType::domain) == 15);
    CHECK(r.invalid == 44);
    CHECK(r.records == 44 + 15);
    CHECK(r.errors.size() == kMaxErrors);
    CHECK(r.errors[0].find("No such file or directory") != std::string::npos);
    const auto* olympics = find(*got, "ticketsparis24.com");
    REQUIRE(olympics);
    CHECK(olympics->advisory == "olympics_20240729_iocs");
    CHECK(olympics->tlp == "CLEAR");
    CHECK(olympics->first_seen == 1722211200);
    const auto* c2 = find(*got, "claudfront.net");
    REQUIRE(c2);
    CHECK(c2->advisory == "c2_beacon_20230414_iocs");
    CHECK(c2->tlp == "CLEAR");  // tlp:white
    CHECK(c2->first_seen == 1675814400);
  }
}
