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

namespace vigie::ingest::syslog {

class SyslogParser {
 public:
  SyslogParser(std::shared_ptr<const config::Config> cfg, core::Metrics& metrics);

  // `input` is the name of the input the message came from (RawBatch::input): the label of
  // the malformed-message counters.
  [[nodiscard]] core::Event parse(const RawMessage& m, std::string_view input) {
    return parse(std::string(m.data), m, input);
  }
  // Takes the message bytes instead of copying them into Event::raw (the workers' path).
  [[nodiscard]] core::Event parse(RawMessage&& m, std::string_view input) {
    std::string data = std::move(m.data);
    return parse(std::move(data), m, input);
  }

 private:
  struct InputCounters {
    std::atomic<uint64_t>* bad_pri = nullptr;
    std::atomic<uint64_t>* rfc5424 = nullptr;
    std::atomic<uint64_t>* bad_timestamp = nullptr;
  };
  // `data` becomes Event::raw; `m` gives everything else (its own data is not read).
  core::Event parse(std::string data, const RawMessage& m, std::string_view input);
  // The counters of `input`; the last input's are kept at hand (whole batches share one).
  InputCounters& counters(std::string_view input);
  const core::TimeZone& zone_for(const config::Site* site);
  void set_content(core::Event& ev, const SyslogHeader& h);

  std::shared_ptr<const config::Config> cfg_;
  core::Metrics& metrics_;
  std::atomic<uint64_t>& invalid_utf8_;
  std::unordered_map<std::string, InputCounters> inputs_;  // metric handles per input label
  std::string last_input_;                                 // the input `last_` belongs to
  InputCounters* last_ = nullptr;                          // into inputs_ (node-based: stable)
  core::TimeZoneCache zones_;
  std::set<std::string, std::less<>> bad_zones_;  // zone names already reported
  const core::TimeZone utc_ = core::TimeZone::utc();
  JsonFlattener json_;
  FieldList json_fields_;  // scratch, reused across messages
};

}  // namespace vigie::ingest::syslog
