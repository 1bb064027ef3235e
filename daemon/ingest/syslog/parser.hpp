// Raw syslog message → Event (DESIGN.md §4). Owns per-thread state (time zone cache, simdjson
// parser), so: one SyslogParser per worker thread, not thread-safe. parse() never fails; what
// it cannot read is counted (vigie_syslog_malformed_total{input,reason},
// vigie_syslog_invalid_utf8_total) and kept in `message`.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "config/config.hpp"
#include "core/event.hpp"
#include "core/metrics.hpp"
#include "core/timezone.hpp"
#include "ingest/raw.hpp"
#include "ingest/syslog/header.hpp"
#include "ingest/syslog/json_fields.hpp"
#include "ingest/syslog/windows.hpp"

namespace vigie::ingest::syslog {

class SyslogParser {
 public:
  SyslogParser(std::shared_ptr<const config::Config> cfg, core::Metrics& metrics);

  // The workers' path: fills `ev` (bound to the batch's arena) from `m`; the event views
  // m.data, so the message must outlive the event (both belong to the batch). `input` is the
  // name of the input the message came from (RawBatch::input): the label of the counters.
  void parse_into(const RawMessage& m, std::string_view input, core::Event& ev) {
    fill(m.data, m.peer, m.received, input, ev);
  }
  // The same for a record that is not a RawMessage (a batch's PackedLine): `data` must outlive
  // the event; `peer` is "" for files.
  void parse_into(std::string_view data, std::string_view peer, core::TimePoint received, std::string_view input,
                  core::Event& ev);

  // The site of the records that follow, when their input knows it (RawBatch::site: a spool
  // sub-directory); "" (or an id no site has): from the sender's address, as usual.
  void set_input_site(std::string_view id) { input_site_ = id.empty() ? nullptr : cfg_->site(id); }

  // A lone event that owns copies of what it views (tests, `rules test`, `rules explain`).
  [[nodiscard]] core::Event parse(const RawMessage& m, std::string_view input) {
    core::Event ev;
    ev.set_raw_copy(m.data);
    fill(ev.raw(), m.peer, m.received, input, ev);
    return ev;
  }

 private:
  struct InputCounters {
    std::atomic<uint64_t>* bad_pri = nullptr;
    std::atomic<uint64_t>* rfc5424 = nullptr;
    std::atomic<uint64_t>* bad_timestamp = nullptr;
  };
  // `data` is the message (Event::raw views it), `peer` its sender ("" for files).
  void fill(std::string_view data, std::string_view peer, core::TimePoint received, std::string_view input,
            core::Event& ev);
  // The counters of `input`; the last input's are kept at hand (whole batches share one).
  InputCounters& counters(std::string_view input);
  const core::TimeZone& zone_for(const config::Site* site);  // find_zone, remembered for the last site
  const core::TimeZone& find_zone(const config::Site* site);
  void set_content(core::Event& ev, const SyslogHeader& h);

  std::shared_ptr<const config::Config> cfg_;
  core::Metrics& metrics_;
  std::atomic<uint64_t>& invalid_utf8_;
  std::atomic<uint64_t>& fields_truncated_;
  const simdjson::implementation* utf8_;                   // the CPU's best UTF-8 validator
  std::unordered_map<std::string, InputCounters> inputs_;  // metric handles per input label
  std::string last_input_;                                 // the input `last_` belongs to
  InputCounters* last_ = nullptr;                          // into inputs_ (node-based: stable)
  core::TimeZoneCache zones_;
  std::set<std::string, std::less<>> bad_zones_;  // zone names already reported
  const core::TimeZone utc_ = core::TimeZone::utc();
  const config::Site* input_site_ = nullptr;  // set_input_site
  const config::Site* zone_site_ = nullptr;   // the site zone_ belongs to (nullptr: no site)
  const core::TimeZone* zone_ = nullptr;
  bool zone_site_valid_ = false;
  StampResolver stamps_;
  JsonFlattener json_;
  FieldList json_fields_;  // scratch, reused across messages
  WindowsDecoder windows_;
  std::vector<std::pair<std::string_view, std::size_t>> sd_names_;  // scratch: SD names, positions
  std::vector<uint8_t> sd_keep_;                                    // scratch: first of its name
  std::vector<std::string_view> sd_order_;                          // scratch: names by position
};

}  // namespace vigie::ingest::syslog
