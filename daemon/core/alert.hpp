// Alert: what detect produces, store persists and notify delivers (DESIGN.md §8).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace vigie::core {

enum class Level : uint8_t { informational, low, medium, high, critical };

[[nodiscard]] std::string_view level_name(Level l);  // "low", "high", ...
[[nodiscard]] std::optional<Level> parse_level(std::string_view s);

struct RuleInfo {
  std::string id;
  std::string title;
  Level level = Level::medium;
  std::vector<std::string> tags;
  std::string description;
  std::string tlp = "AMBER";  // CLEAR, GREEN, AMBER, AMBER+STRICT, RED
};

// TLP 2.0 from least to most restrictive (CLEAR 0 … RED 4; WHITE reads as CLEAR); an unknown
// or empty marking ranks as AMBER, the default.
[[nodiscard]] int tlp_rank(std::string_view tlp);
// A marking as rules, feeds and configurations write it — "amber", "TLP:AMBER", "tlp:white",
// "Clear" — in canonical form ("AMBER", "CLEAR"); nullopt when it is not a TLP 2.0 level.
[[nodiscard]] std::optional<std::string> parse_tlp(std::string_view text);

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// The indicator of compromise an alert was raised on (intel/observe.hpp writes it into the event
// as threat.* fields; the correlator carries it into the alert).
struct IocRef {
  std::string type;         // ip, domain, url, md5, sha1, sha256, email
  std::string value;        // the indicator as its feed listed it
  std::string field;        // the event field it was seen in
  std::string observed;     // the value there
  std::string feed;         // the feed that supplied it
  std::string reference;    // advisory or event it came with, may be empty
  std::string description;  // the feed's words, may be empty
  std::string tlp;          // the indicator's marking
  int confidence = -1;      // 0..100, -1 unknown
  friend bool operator==(const IocRef&, const IocRef&) = default;
};

// The advisory an alert relays (intel/relay.hpp builds it from a CERT-FR or CERT Santé
// advisory): one mail of the advisory's thread.
struct AdvisoryRef {
  std::string feed;       // the feed that published this revision
  std::string reference;  // "CERTFR-2026-AVI-0194", an RSS guid or link
  std::string title;
  std::string summary;
  std::string solution;
  std::string link;
  bool alert = false;      // an alert of the CERT, not an advisory
  bool exploited = false;  // exploitation reported active
  TimePoint published{};
  TimePoint revised{};
  TimePoint closed{};  // zero while open
  std::vector<std::string> cves;
  std::vector<std::string> risks;
  std::vector<std::string> affected;  // "Fortinet FortiOS : versions 7.2.x antérieures à 7.2.11"
  std::vector<std::string> fixes;     // the vendors' bulletins: "title — url"
  // Where the inventory saw what `affected` names (intel/exposure.hpp): one line per host,
  // "site\tsoftware\thost\tlast seen (Unix s)\treason" (reason "" when affected, else why the
  // version cannot tell), then "+\tN" for N more; the mail writes them in its language.
  std::vector<std::string> exposed;
  bool exposure_known = false;  // the advisory states versions the inventory was compared with
  // What this mail says: "new" (first mail of its thread), "cves" (new CVEs, new_cves),
  // "exploited", "closed", "revised" (a new revision that matters), "also" (another feed
  // published the same CVEs: this advisory joins that thread).
  std::string change = "new";
  std::vector<std::string> new_cves;
  std::string thread;  // id of the alert that opened the thread ("" : this one)
  uint32_t seq = 0;    // 0 for the thread's first mail, then 1, 2, ...
  friend bool operator==(const AdvisoryRef&, const AdvisoryRef&) = default;
};

inline constexpr std::size_t kMaxEvidence = 20;

struct Alert {
  std::string id;  // stable for (rule, key, first_seen): see make_alert_id
  RuleInfo rule;
  std::string site;  // observer.site of the events, "" if unknown
  KeyValues key;     // group-by field → value, in the rule's group-by order
  uint64_t count = 1;
  TimePoint first_seen{};
  TimePoint last_seen{};
  std::string summary;
  std::vector<std::string> evidence;    // raw messages, oldest first, at most kMaxEvidence
  bool update = false;                  // true: repeat within suppress_for; same id, new count/last_seen
  std::optional<IocRef> ioc;            // raised on an indicator of compromise
  std::optional<AdvisoryRef> advisory;  // relays an advisory (rule vigie-advisory)
};

// Deterministic id: 16 hex digits of a 64-bit FNV-1a over rule id, key and first_seen.
[[nodiscard]] std::string make_alert_id(std::string_view rule_id, const KeyValues& key, TimePoint first_seen);

class JsonWriter;
// The "ioc" object of an alert's JSON (also the alerts.ioc column and the journal's).
void write_ioc(JsonWriter& w, const IocRef& i);
[[nodiscard]] std::string to_json(const IocRef& i);
// The "advisory" object of an alert's JSON (also the alerts.advisory column and the journal's).
void write_advisory(JsonWriter& w, const AdvisoryRef& a);
[[nodiscard]] std::string to_json(const AdvisoryRef& a);

// One JSON object on one line (DESIGN.md §8 shape).
[[nodiscard]] std::string to_json(const Alert& a);

}  // namespace vigie::core
