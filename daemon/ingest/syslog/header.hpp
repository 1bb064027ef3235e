// Syslog header parsing, independent of configuration: PRI, then RFC 5424 or RFC 3164
// (with the variants real senders produce). Results are views into the input line, except SD
// values, which are unescaped copies. Never fails: what cannot be read stays in `msg`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "ingest/syslog/stamp.hpp"

namespace vigie::ingest::syslog {

enum class Format { rfc3164, rfc5424 };

struct SdParam {
  std::string_view sd_id;
  std::string_view name;
  std::string value;  // \" \\ \] unescaped (RFC 5424 §6.3.3)
};

// Structured-data params kept per message; more are read (they decide where MSG starts) but
// dropped and the message flagged (sd_truncated), so a hostile header stays linear to handle.
inline constexpr std::size_t kMaxSdParams = 256;

struct SyslogHeader {
  std::optional<int> pri;  // 0..191; absent when the message has none (or an invalid one)
  bool bad_pri = false;    // started with '<' but was not a valid PRI
  Format format = Format::rfc3164;
  bool malformed = false;               // RFC 5424 header or structured data could not be read completely
  std::optional<core::TimePoint> time;  // timestamp with a zone (RFC 5424, ISO with offset)
  std::optional<LocalStamp> local;      // timestamp without a zone: placed later, per site
  std::string_view hostname, app_name, proc_id, msg_id;
  // Linux-PAM before 0.99 (2006) named the module in the tag: "sshd(pam_unix)[1234]:" gives
  // app_name "sshd" (the PAM service, which is the program) and app_module "pam_unix".
  std::string_view app_module;
  std::vector<SdParam> sd;
  bool sd_truncated = false;  // more than kMaxSdParams params
  std::string_view msg;
};

// `line` is one framed message with trailing NUL/CR/LF already removed.
[[nodiscard]] SyslogHeader parse_header(std::string_view line);

// Exposed for tests; `rest` is what follows the PRI.
void parse_rfc5424(std::string_view rest, SyslogHeader& h);
void parse_rfc3164(std::string_view rest, SyslogHeader& h);

}  // namespace vigie::ingest::syslog
