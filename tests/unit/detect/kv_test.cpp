// key=value decoders (detect/kv.hpp): the scanner on its own, then `kv:` decoders through the
// Matcher, then the shipped FortiGate, Stormshield and iptables decoders.
#include <fstream>
#include <sstream>

#include "detect/kv.hpp"
#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

std::vector<std::pair<std::string, std::string>> pairs_of(std::string_view text, char sep = ' ',
                                                          KvScanOutcome* outcome = nullptr) {
  std::vector<KvPair> pairs;
  const auto o = scan_kv(text, KvSyntax{sep}, pairs);
  if (outcome) *outcome = o;
  core::Arena arena;
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : pairs) out.emplace_back(p.key, kv_unescape(p.value, p.escaped, arena));
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

core::Event decoded(const std::shared_ptr<const RuleSet>& rs, core::Event e, core::Metrics& metrics) {
  Matcher m(rs, metrics);
  m.decode(e);
  return e;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<std::string> field(const core::Event& e, std::string_view name) {
  const auto v = e.get(name);
  return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

}  // namespace

TEST_CASE("kv scanner: plain, quoted and empty values; escapes; flags passed over") {
  CHECK(pairs_of(R"(a=1 b="two words" c= d="say \"hi\" \\ ok" DF SYN e=x=y)") ==
        Pairs{{"a", "1"}, {"b", "two words"}, {"c", ""}, {"d", R"(say "hi" \ ok)"}, {"e", "x=y"}});
  CHECK(pairs_of("  \ta=1\t\tb=2   ") == Pairs{{"a", "1"}, {"b", "2"}});
  CHECK(pairs_of(R"(k="")") == Pairs{{"k", ""}});
  // A backslash other than \" and \\ is kept as written.
  CHECK(pairs_of(R"(p="C:\Windows\x")") == Pairs{{"p", R"(C:\Windows\x)"}});
  // UFW's prefix and bare words are no pairs.
  CHECK(pairs_of("[UFW BLOCK] IN=eth0 OUT= SRC=1.2.3.4") == Pairs{{"IN", "eth0"}, {"OUT", ""}, {"SRC", "1.2.3.4"}});
  CHECK(pairs_of("Failed password for root from 1.2.3.4 port 22 ssh2").empty());
}

TEST_CASE("kv scanner: ',' and ';' separators trim blanks and keep spaces inside values") {
  CHECK(pairs_of("src=1.2.3.4, user=jean dupont , action=deny", ',') ==
        Pairs{{"src", "1.2.3.4"}, {"user", "jean dupont"}, {"action", "deny"}});
  CHECK(pairs_of(R"(devname = FG1, msg = "a, b" ,x=)", ',') == Pairs{{"devname", "FG1"}, {"msg", "a, b"}, {"x", ""}});
  CHECK(pairs_of(R"(a="x;y"; b=2;;c=)", ';') == Pairs{{"a", "x;y"}, {"b", "2"}, {"c", ""}});
}

TEST_CASE("kv scanner: hostile input stays bounded and linear") {
  KvScanOutcome o;
  SUBCASE("an unterminated quote takes the rest of the text and is malformed") {
    CHECK(pairs_of(R"(a=1 msg="cut here b=2)", ' ', &o) == Pairs{{"a", "1"}, {"msg", "cut here b=2"}});
    CHECK(o.malformed);
    CHECK(pairs_of(R"(msg="ends in a backslash\)", ' ', &o) == Pairs{{"msg", R"(ends in a backslash\)"}});
    CHECK(o.malformed);
  }
  SUBCASE("runs of '=' and empty keys are passed over") {
    CHECK(pairs_of("= == === a==b ==c d=1", ' ', &o) == Pairs{{"a", "=b"}, {"d", "1"}});
    CHECK(o.malformed);
    CHECK_FALSE(o.truncated);
  }
  SUBCASE("keys over 64 bytes or with other bytes are passed over") {
    const std::string long_key(65, 'k');
    CHECK(pairs_of(long_key + "=1 " + std::string(64, 'k') + "=2 a\"b=3 c=4", ' ', &o) ==
          Pairs{{std::string(64, 'k'), "2"}, {"c", "4"}});
    CHECK(o.malformed);
  }
  SUBCASE("10,000 pairs: the first 256 are kept, the rest counted as truncated") {
    std::string text;
    for (int i = 0; i < 10000; ++i) text += "k" + std::to_string(i) + "=v ";
    const auto p = pairs_of(text, ' ', &o);
    CHECK(p.size() == kKvMaxPairs);
    CHECK(p.back().first == "k255");
    CHECK(o.truncated);
    CHECK_FALSE(o.malformed);
  }
  SUBCASE("exactly 256 pairs are not a truncation") {
    std::string text;
    for (int i = 0; i < 256; ++i) text += "k" + std::to_string(i) + "=v ";
    CHECK(pairs_of(text, ' ', &o).size() == 256);
    CHECK_FALSE(o.truncated);
  }
  SUBCASE("a megabyte of '=' and quotes ends") {
    CHECK(pairs_of(std::string(1 << 20, '='), ' ', &o).empty());
    CHECK(pairs_of("a=" + std::string(1 << 20, '"'), ' ', &o).size() == 1);
  }
}

namespace {
constexpr std::string_view kFw = R"(
decoder: fw
kv:
  prefix: fw.
  require: [devid]
  map: { srcip: source.ip, dstip: destination.ip, user: user.name, action: event.action }
)";
}  // namespace

TEST_CASE("kv decoder: pairs go to prefix.key, mapped keys also to their field") {
  auto rs = load(kFw);
  core::Metrics metrics;
  auto e =
      decoded(rs, event({{"message", R"(devid="FG1" srcip=203.0.113.5 dstip=192.0.2.1 user="jean d" action=deny x=)"}}),
              metrics);
  CHECK(e.value(core::Field::source_ip) == "203.0.113.5");
  CHECK(e.value(core::Field::destination_ip) == "192.0.2.1");
  CHECK(e.value(core::Field::user_name) == "jean d");
  CHECK(e.value(core::Field::event_action) == "deny");
  CHECK(field(e, "fw.devid") == "FG1");
  CHECK(field(e, "fw.srcip") == "203.0.113.5");
  CHECK(field(e, "fw.x") == "");  // an empty value is kept under the prefix...
  auto empty = decoded(rs, event({{"message", "devid=FG1 user= action=deny"}}), metrics);
  CHECK_FALSE(empty.get(core::Field::user_name));  // ...but sets no mapped field
}

TEST_CASE("kv decoder: `require` and `when` keep it off other programs' lines") {
  auto rs = load(R"(
decoder: fw
when: { process.name: kernel }
kv: { prefix: fw., require: [IN, SRC] }
)");
  core::Metrics metrics;
  auto no_key = decoded(rs, event({{"process.name", "kernel"}, {"message", "usb 1-1: new device a=1 SRC=x"}}), metrics);
  CHECK_FALSE(no_key.get("fw.a"));
  auto other = decoded(rs, event({{"process.name", "sshd"}, {"message", "IN=eth0 SRC=1.2.3.4"}}), metrics);
  CHECK_FALSE(other.get("fw.IN"));
  auto ok = decoded(rs, event({{"process.name", "kernel"}, {"message", "IN=eth0 SRC=1.2.3.4"}}), metrics);
  CHECK(field(ok, "fw.IN") == "eth0");
}

TEST_CASE("kv decoder: the longest required key enters the field's set; a key inside a word is no key") {
  // Stormshield's require [id, fw, logtype]: `uid=`, `pid=` and `logtype` inside a value must
  // not make a line the decoder's; `key = value` with blanks (',' separator) still is.
  for (const bool prefilter : {false, true}) {
    CAPTURE(prefilter);
    LoadOptions opts;
    opts.prefilter = prefilter;
    auto rs = load(R"(
decoder: ss
kv: { prefix: ss., require: [id, fw, logtype] }
---
decoder: comma
kv: { separator: ",", prefix: c., require: [devname, action] }
)",
                   opts);
    core::Metrics metrics;
    Matcher m(rs, metrics);
    const auto run = [&](std::string_view message) {
      core::Event e = event({{"message", std::string(message)}});
      m.decode(e);
      return e;
    };
    CHECK_FALSE(run("session opened pid=42 uid=0 fw=x logtype=y").get("ss.fw"));
    CHECK_FALSE(run(R"(id=1 fw=x msg="logtype=filter")").get("ss.fw"));
    const auto ok = run("id=firewall fw=SN310 logtype=filter src=192.0.2.1");
    CHECK(field(ok, "ss.fw") == "SN310");
    CHECK(field(ok, "ss.src") == "192.0.2.1");
    const auto blanks = run("devname = FG1, action = deny, user = jean dupont");
    CHECK(field(blanks, "c.user") == "jean dupont");
    CHECK_FALSE(run("devname = FG1, actions = deny").get("c.devname"));
  }
}

TEST_CASE("kv decoder: key names are remembered per decoder up to a cap, and every pair is still set") {
  auto rs = load(R"(
decoder: many
kv: { prefix: k., map: { src: source.ip } }
)");
  core::Metrics metrics;
  Matcher m(rs, metrics);
  // 200 distinct keys over two lines: the first 128 are remembered, the rest resolved per pair.
  for (int line = 0; line < 2; ++line) {
    std::string text = "src=192.0.2.7";
    for (int k = 0; k < 100; ++k) text += " key" + std::to_string(line * 100 + k) + "=v" + std::to_string(k);
    core::Event e = event({{"message", text}});
    m.decode(e);
    CHECK(field(e, "source.ip") == "192.0.2.7");
    CHECK(field(e, "k.src") == "192.0.2.7");
    for (int k = 0; k < 100; ++k) CHECK(field(e, "k.key" + std::to_string(line * 100 + k)) == "v" + std::to_string(k));
  }
  CHECK(metrics.value("vigie_decoder_kv_names_full_total", {{"decoder", "many"}}) == 1);
  // A key learnt before the cap is still mapped after it.
  core::Event again = event({{"message", "src=192.0.2.8 key5=x key199=y"}});
  m.decode(again);
  CHECK(field(again, "source.ip") == "192.0.2.8");
  CHECK(field(again, "k.key199") == "y");
}

TEST_CASE("kv decoder: addresses are checked like the regex decoders'; bad input is counted") {
  auto rs = load(kFw);
  core::Metrics metrics;
  auto e = decoded(rs, event({{"message", "devid=1 srcip=10.0.0.1a dstip=fw.chu.example"}}), metrics);
  CHECK_FALSE(e.get(core::Field::source_ip));
  CHECK(field(e, "fw.srcip") == "10.0.0.1a");  // kept as written under the prefix
  CHECK(field(e, "destination.domain") == "fw.chu.example");
  CHECK(metrics.value("vigie_decoder_invalid_address_total", {{"decoder", "fw"}, {"field", "source.ip"}}) == 1);

  std::string many = "devid=1";
  for (int i = 0; i < 300; ++i) many += " k" + std::to_string(i) + "=v";
  auto big = decoded(rs, event({{"message", many}}), metrics);
  CHECK(field(big, "fw.k200") == "v");
  CHECK_FALSE(big.get("fw.k299"));
  CHECK(metrics.value("vigie_decoder_kv_truncated_total", {{"decoder", "fw"}}) == 1);
  decoded(rs, event({{"message", R"(devid=1 msg="cut)"}}), metrics);
  CHECK(metrics.value("vigie_decoder_kv_malformed_total", {{"decoder", "fw"}}) == 1);
  // A line the decoder does not accept counts nothing.
  decoded(rs, event({{"message", R"(other=1 msg="cut)"}}), metrics);
  CHECK(metrics.value("vigie_decoder_kv_malformed_total", {{"decoder", "fw"}}) == 1);
}

TEST_CASE("kv decoder: patterns beside kv run after the pairs; rules see the fields") {
  auto rs = load(R"(
decoder: fw
kv: { prefix: fw., map: { SRC: source.ip } }
patterns:
  - regex: '^\[(?P<p>[^\]]+)\]'
    fields: { fw.prefix: p, event.action: "=drop" }
---
title: drop
id: drop
level: low
detection: { s: { event.action: drop, source.ip: 198.51.100.9, fw.DPT: '22' }, condition: s }
)");
  CHECK(hits(rs, event({{"message", "[UFW BLOCK] IN=eth0 SRC=198.51.100.9 DPT=22"}})) ==
        std::vector<std::string>{"drop"});
  CHECK(hits(rs, event({{"message", "[UFW BLOCK] IN=eth0 SRC=198.51.100.9 DPT=23"}})).empty());
}

TEST_CASE("kv decoder: `lead` takes the text before the first pair, trimmed, when there is any") {
  auto rs = load(R"(
decoder: nf
kv: { prefix: nf., lead: nf.prefix, require: [IN] }
)");
  core::Metrics metrics;
  auto tagged = decoded(rs, event({{"message", "[ 12.5] DROP: IN=eth0 OUT= SRC=192.0.2.1"}}), metrics);
  CHECK(field(tagged, "nf.prefix") == "[ 12.5] DROP:");
  CHECK(field(tagged, "nf.SRC") == "192.0.2.1");
  auto bare = decoded(rs, event({{"message", "  IN=eth0 OUT="}}), metrics);
  CHECK(field(bare, "nf.IN") == "eth0");
  CHECK_FALSE(bare.get("nf.prefix"));
  CHECK(any_contains(errors_of("decoder: nf\nkv: { lead: '' }\n"), "kv 'lead' must name the field"));
}

TEST_CASE("kv decoder: load errors name the line") {
  CHECK(any_contains(errors_of("decoder: a\nkv: { prefix: source. }\n"), "prefix"));
  CHECK(any_contains(errors_of("decoder: a\nkv: { prefix: fw }\n"), "must end with '.'"));
  CHECK(any_contains(errors_of("decoder: a\nkv: { prefix: fw., separator: '#' }\n"), "separator"));
  CHECK(any_contains(errors_of("decoder: a\nkv: { require: [a] }\n"), "sets no field"));
  CHECK(any_contains(errors_of("decoder: a\nkv: { prefix: fw., sep: ',' }\n"), "sep"));
  CHECK(any_contains(errors_of("decoder: a\nkv: [1]\n"), "bad.yml:2"));
}

TEST_CASE("shipped kv decoders: FortiGate, Stormshield and iptables lines") {
  std::string yaml;
  for (const char* f : {"fortigate.yml", "stormshield.yml", "iptables.yml"})
    yaml += "---\n" + read_file(std::string(VIGIE_SOURCE_DIR) + "/rules/decoders/" + f);
  auto rs = load(yaml);
  core::Metrics metrics;
  auto fgt = decoded(
      rs,
      event(
          {{"message",
            R"(date=2026-03-10 time=10:15:02 devname="FGT-CHU" devid="FG100FTK20004321" logid="0101039426" type="event" subtype="vpn" level="alert" vd="root" logdesc="SSL VPN login fail" action="ssl-login-fail" tunneltype="ssl-web" remip=203.0.113.50 user="jdupont" reason="sslvpn_login_permission_denied" msg="SSL user failed to logged in")"}}),
      metrics);
  CHECK(fgt.value(core::Field::source_ip) == "203.0.113.50");
  CHECK(fgt.value(core::Field::user_name) == "jdupont");
  CHECK(fgt.value(core::Field::event_action) == "ssl-login-fail");
  CHECK(field(fgt, "observer.name") == "FGT-CHU");
  CHECK(field(fgt, "fortigate.logdesc") == "SSL VPN login fail");
  CHECK_FALSE(fgt.get("stormshield.fw"));

  auto sns = decoded(
      rs,
      event(
          {{"message",
            R"(id=firewall time="2026-03-10 10:15:02" fw="SN310-CHU" tz=+0100 pri=5 ipproto=tcp src=203.0.113.50 srcport=51234 dst=192.0.2.10 dstport=22 action=block logtype="filter")"}}),
      metrics);
  CHECK(sns.value(core::Field::source_ip) == "203.0.113.50");
  CHECK(sns.value(core::Field::destination_port) == "22");
  CHECK(sns.value(core::Field::event_action) == "block");
  CHECK(field(sns, "stormshield.time") == "2026-03-10 10:15:02");
  CHECK_FALSE(sns.get("fortigate.devid"));

  auto ufw = decoded(
      rs,
      event({{"process.name", "kernel"},
             {"message",
              "[ 1234.567890] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=198.51.100.99 "
              "DST=192.0.2.30 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=4242 DF PROTO=TCP SPT=51234 DPT=22 WINDOW=64240 "
              "RES=0x00 SYN URGP=0"}}),
      metrics);
  CHECK(ufw.value(core::Field::source_ip) == "198.51.100.99");
  CHECK(ufw.value(core::Field::destination_port) == "22");
  CHECK(field(ufw, "network.transport") == "TCP");
  CHECK(field(ufw, "iptables.OUT") == "");
  CHECK(field(ufw, "iptables.prefix") == "[ 1234.567890] [UFW BLOCK]");
  CHECK_FALSE(ufw.get("iptables.SYN"));  // a flag, not a pair
  // An sshd line sets nothing of theirs.
  auto ssh =
      decoded(rs, event({{"process.name", "sshd"}, {"message", "Failed password for root from 1.2.3.4 port 22 ssh2"}}),
              metrics);
  CHECK_FALSE(ssh.get(core::Field::source_ip));
}

TEST_CASE("kv decoder: decoders reading one line share its scan, each with its own separator") {
  auto rs = load(R"(
decoder: a
kv: { prefix: a., require: [x] }
---
decoder: b
kv: { prefix: b., require: [y] }
---
decoder: c
kv: { prefix: c., separator: ',' }
)");
  core::Metrics metrics;
  Matcher m(rs, metrics);
  auto e = event({{"message", "x=1 y=two words,z=3"}});
  m.decode(e);
  CHECK(field(e, "a.x") == "1");
  CHECK(field(e, "b.y") == "two");
  CHECK(field(e, "c.x") == "1 y=two words");
  CHECK(field(e, "c.z") == "3");
  // The next line, same Matcher: nothing of the previous scan is reused.
  auto f = event({{"message", "y=9"}});
  m.decode(f);
  CHECK_FALSE(f.get("a.x"));
  CHECK(field(f, "b.y") == "9");
}
