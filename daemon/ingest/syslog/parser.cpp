#include "ingest/syslog/parser.hpp"

#include <algorithm>
#include <array>

#include <spdlog/spdlog.h>

namespace vigie::ingest::syslog {
namespace {

using core::Field;

// Set by the receiver, never by what the sender wrote: a message (SD param, JSON key) that
// names one of these is ignored for that field, so a sender cannot claim another site.
constexpr std::array<std::string_view, 4> kReceiverOwned = {"@timestamp", "event.ingested", "observer.site",
                                                            "log.source.address"};

bool receiver_owned(std::string_view name) {
  return std::find(kReceiverOwned.begin(), kReceiverOwned.end(), name) != kReceiverOwned.end();
}

// "0".."191": PRI, facility and severity values are views into this table, not strings.
std::string_view small_number(int n) {
  static const auto* const kTable = [] {
    auto* t = new std::array<std::string, 192>();
    for (std::size_t i = 0; i < t->size(); ++i) (*t)[i] = std::to_string(i);
    return t;
  }();
  return (*kTable)[static_cast<std::size_t>(n)];
}

// What IpAddress::parse could accept: an IPv4 address starts with a digit, an IPv6 one holds a
// ':', either may be in brackets. Hostnames ("chstmalo-bkp01") are turned down without inet_pton.
bool could_be_address(std::string_view s) {
  return !s.empty() && ((s[0] >= '0' && s[0] <= '9') || s[0] == '[' || s.find(':') != std::string_view::npos);
}

// simdjson's active implementation, once it has been chosen: before its first use,
// get_active_implementation() is a stand-in that detects the CPU again on every call.
const simdjson::implementation* best_utf8() {
  [[maybe_unused]] const bool chosen = simdjson::validate_utf8("", 0);  // makes the choice
  return simdjson::get_active_implementation();
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// rsyslog folds repeats of a message ($RepeatedMsgReduction on) into one line with the same
// header: "message repeated 5 times: [ Failed password for root from 203.0.113.9 port 4242
// ssh2]" (its template is "message repeated %d times: [%.800s]", the message keeping its leading
// space). The event then carries the inner message, as the program wrote it, and stands for N
// occurrences (Event::repeat). Anything else — a missing "]", no count, BSD syslogd's content-
// less "last message repeated N times", syslog-ng's "Last message '…' repeated" (the message
// cut) — stays as it is.
std::string_view unfold_repeat(std::string_view msg, uint32_t& times) {
  constexpr std::string_view kHead = "message repeated ";
  constexpr std::string_view kTimes = " times: [";
  if (msg.size() < kHead.size() + 1 + kTimes.size() + 1 || msg.substr(0, kHead.size()) != kHead || msg.back() != ']')
    return msg;
  std::size_t i = kHead.size();
  uint64_t n = 0;
  const std::size_t digits = i;
  while (i < msg.size() && i - digits < 9 && msg[i] >= '0' && msg[i] <= '9')
    n = n * 10 + static_cast<uint64_t>(msg[i++] - '0');
  if (i == digits || n == 0 || msg.substr(i, kTimes.size()) != kTimes) return msg;
  std::string_view inner = msg.substr(i + kTimes.size());
  inner.remove_suffix(1);
  if (!inner.empty() && inner.front() == ' ') inner.remove_prefix(1);
  if (inner.empty()) return msg;
  times = static_cast<uint32_t>(n);
  return inner;
}

// rsyslog writes control characters as '#' and three octal digits
// ($EscapeControlCharactersOnReceive, on by default): a tab is "#011", so a line relayed by
// rsyslog reads "user :#011TTY=pts/0" where the program wrote a tab. Tab, line feed and carriage
// return are given back (decoder patterns read them as `\s`); other control characters stay
// escaped, so that an escape sequence never reaches a mail. The raw line keeps what was sent.
std::string_view unescape_controls(std::string_view msg, core::Arena& arena) {
  const auto escaped = [&](std::size_t i) -> char {
    if (i + 4 > msg.size()) return 0;
    if (msg.compare(i, 4, "#011") == 0) return '\t';
    if (msg.compare(i, 4, "#012") == 0) return '\n';
    if (msg.compare(i, 4, "#015") == 0) return '\r';
    return 0;
  };
  std::size_t at = msg.find('#');
  while (at != std::string_view::npos && escaped(at) == 0) at = msg.find('#', at + 1);
  if (at == std::string_view::npos) return msg;
  std::string out(msg.substr(0, at));
  for (std::size_t i = at; i < msg.size(); ++i) {
    if (const char c = msg[i] == '#' ? escaped(i) : 0; c != 0) {
      out += c;
      i += 3;
    } else {
      out += msg[i];
    }
  }
  return arena.copy(out);
}

}  // namespace

SyslogParser::SyslogParser(std::shared_ptr<const config::Config> cfg, core::Metrics& metrics)
    : cfg_(std::move(cfg)),
      metrics_(metrics),
      invalid_utf8_(metrics.counter("vigie_syslog_invalid_utf8_total")),
      fields_truncated_(metrics.counter("vigie_syslog_fields_truncated_total")),
      utf8_(best_utf8()) {}

SyslogParser::InputCounters& SyslogParser::counters(std::string_view input) {
  if (last_ && input == last_input_) return *last_;
  auto it = inputs_.find(std::string(input));
  if (it == inputs_.end()) {
    const std::string label(input);
    const auto c = [&](const char* reason) {
      return &metrics_.counter("vigie_syslog_malformed_total", {{"input", label}, {"reason", reason}});
    };
    it = inputs_.emplace(label, InputCounters{c("bad_pri"), c("rfc5424_header"), c("bad_timestamp")}).first;
  }
  last_input_.assign(input);
  last_ = &it->second;
  return *last_;
}

const core::TimeZone& SyslogParser::zone_for(const config::Site* site) {
  // Most messages come from the site (or the no-site default) of the one before: the config
  // does not change under the parser, so the answer for a site does not either.
  if (zone_site_valid_ && site == zone_site_) return *zone_;
  const core::TimeZone& z = find_zone(site);
  zone_site_ = site;
  zone_ = &z;
  zone_site_valid_ = true;
  return z;
}

const core::TimeZone& SyslogParser::find_zone(const config::Site* site) {
  const std::string& name = site ? site->timezone : cfg_->inputs.default_timezone;
  if (name.empty() || name == "UTC") return utc_;
  auto zone = zones_.get(name);
  if (zone) return **zone;
  // Config validation should have caught it; keep going in UTC and say so once per name.
  if (bad_zones_.insert(name).second)
    spdlog::warn("time zone {}: {}; using UTC for {}", name, zone.error().what,
                 site ? "site " + site->id : std::string("senders outside any site"));
  return utc_;
}

void SyslogParser::parse_into(std::string_view data, std::string_view peer, core::TimePoint received,
                              std::string_view input, core::Event& ev) {
  fill(data, peer, received, input, ev);
}

void SyslogParser::fill(std::string_view data, std::string_view peer, core::TimePoint received, std::string_view input,
                        core::Event& ev) {
  ev.ingested = received;
  ev.set_raw(data);
  std::string_view line = data;
  while (!line.empty() && (line.back() == '\0' || line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  // Kept as received: the JSON writer replaces bad sequences on output, RE2 skips them.
  // (The implementation chosen once, at construction: simdjson::validate_utf8 looks it up per call.)
  if (!utf8_->validate_utf8(line.data(), line.size())) invalid_utf8_.fetch_add(1, std::memory_order_relaxed);

  const SyslogHeader h = parse_header(line);
  auto& c = counters(input);
  if (h.bad_pri) c.bad_pri->fetch_add(1, std::memory_order_relaxed);
  if (h.malformed) c.rfc5424->fetch_add(1, std::memory_order_relaxed);

  // Site: from the sender address; for files (no peer), from a hostname that is an address.
  // An input that knows the site (a spool sub-directory) says so first.
  const config::Site* site = input_site_;
  const std::string_view who = peer.empty() ? h.hostname : peer;
  if (site == nullptr && !cfg_->sites.empty() && could_be_address(who))
    if (auto ip = core::IpAddress::parse(who)) site = cfg_->site_for(*ip);

  ev.time = received;
  if (h.time) {
    ev.time = *h.time;
  } else if (h.local) {
    if (auto t = stamps_.resolve(*h.local, zone_for(site), received))
      ev.time = *t;
    else
      c.bad_timestamp->fetch_add(1, std::memory_order_relaxed);
  }

  // RFC 3164 §4.3.3: a relay gives a message without PRI the priority 13 (user.notice).
  const int pri = h.pri.value_or(13);
  ev.set(Field::facility, small_number(pri / 8));
  ev.set(Field::severity, small_number(pri % 8));
  if (h.pri) ev.set(Field::priority, small_number(*h.pri));
  if (!h.hostname.empty()) ev.set(Field::hostname, h.hostname);
  if (!h.app_name.empty()) ev.set(Field::process_name, h.app_name);
  if (!h.app_module.empty()) {
    // The legacy tag "SERVICE(pam_MODULE)" names both: the same fields as the PAM decoder sets
    // from a modern "pam_MODULE(SERVICE:TYPE): " prefix (rules/decoders/pam.yml).
    ev.set("pam.module", h.app_module);
    ev.set("pam.service", h.app_name);
  }
  if (all_digits(h.proc_id))
    ev.set(Field::process_pid, h.proc_id);
  else if (!h.proc_id.empty())
    ev.set("log.syslog.procid", h.proc_id);
  if (!h.msg_id.empty()) ev.set("log.syslog.msgid", h.msg_id);
  set_content(ev, h);

  ev.expose_stamps();
  // Copied, not viewed: a lone event may outlive both the message and this parser's config.
  if (site && !site->id.empty()) ev.set_copy(Field::site, site->id);
  if (!peer.empty()) ev.set_copy(Field::source_address, peer);
}

// Structured data and a JSON body become fields; later sources win over earlier ones
// (header < SD < JSON), except the receiver-owned fields set after this.
void SyslogParser::set_content(core::Event& ev, const SyslogHeader& h) {
  bool truncated = h.sd_truncated;
  if (!h.sd.empty()) {
    // RFC 5424 allows a PARAM-NAME to repeat within an element; the first value is kept.
    // Repeats are found by a stable sort of the names (at most kMaxSdParams), not by a scan of
    // the params before each one.
    core::Arena& arena = ev.arena();
    sd_names_.clear();
    for (std::size_t i = 0; i < h.sd.size(); ++i)
      sd_names_.emplace_back(arena.concat(h.sd[i].sd_id, ".", h.sd[i].name), i);
    std::stable_sort(sd_names_.begin(), sd_names_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    sd_keep_.assign(h.sd.size(), 0);
    sd_order_.resize(h.sd.size());
    for (std::size_t k = 0; k < sd_names_.size(); ++k)
      if (k == 0 || sd_names_[k].first != sd_names_[k - 1].first) sd_keep_[sd_names_[k].second] = 1;
    for (const auto& [name, i] : sd_names_) sd_order_[i] = name;
    for (std::size_t i = 0; i < h.sd.size(); ++i)  // message order: fields keep the sender's order
      if (sd_keep_[i] && !receiver_owned(sd_order_[i]) && !ev.set(sd_order_[i], arena.copy(h.sd[i].value)))
        truncated = true;
  }
  const std::string_view msg = unescape_controls(unfold_repeat(h.msg, ev.repeat), ev.arena());
  ev.set(Field::message, msg);
  if (json_.flatten(msg, json_fields_, ev.arena())) {
    truncated = truncated || json_.truncated();
    // `copy`: the decoder's additions may view its own storage; the body's fields are in the
    // event's arena already.
    const auto put = [&](std::string_view k, std::string_view v, bool copy) {
      if (k == "@timestamp") {
        if (auto t = core::parse_rfc3339(v)) ev.time = *t;
        return;
      }
      if (!receiver_owned(k) && !(copy ? ev.set_copy(k, v) : ev.set(k, v))) truncated = true;
    };
    // A Windows event: Sigma's names and the ECS aliases first (kept under the field cap), then
    // the body, whose own fields win where both name one.
    if (windows_.decode(json_fields_) != WindowsShape::none)
      for (const auto& [k, v] : windows_.added()) put(k, v, true);
    for (const auto& [k, v] : json_fields_) put(k, v, false);
  }
  if (truncated) fields_truncated_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace vigie::ingest::syslog
