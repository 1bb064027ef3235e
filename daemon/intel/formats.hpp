// Feed formats: readers that turn a feed body (CSV, Zeek intel, plain list, STIX 2.1 bundle, MISP
// feed) into Indicators (feeds/README.md, "Formats", says what each reads and skips). The data
// plane rule holds: untrusted bodies never throw and never crash; a body that cannot be read at
// all is an unexpected with the reason, a bad record is counted in the ParseReport and skipped.
//
// Contract: every function is reentrant (each JSON reader owns its parser; no globals) and the
// returned indicators own their strings. Values are re-fanged (refang) and trimmed, nothing else:
// IocIndex normalises. Times are Unix seconds, UTC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "intel/indicator.hpp"

namespace vigie::intel {

struct ParseReport {
  std::size_t records = 0;      // records read (data lines, attributes, STIX objects of type indicator)
  std::size_t unsupported = 0;  // valid records of a kind Vigie does not index (Zeek USER_NAME, MISP to_ids=false, ...)
  std::size_t invalid = 0;      // malformed records skipped (bad value for its type, wrong column count, ...)
  std::size_t withdrawn = 0;    // records the feed itself withdraws (MISP deleted, STIX revoked or superseded)
  std::vector<std::string> errors;  // at most kMaxErrors messages "line 12: reason" / "indicator--id: reason"
};

inline constexpr std::size_t kMaxErrors = 20;

struct FormatOptions {
  std::string feed;             // copied into Indicator::feed
  std::optional<IocType> type;  // format "list": the type of every value; nullopt = guess each value's type
  std::string tlp;              // default TLP for records that carry none ("AMBER"); may be empty
  int confidence = -1;          // default confidence for records that carry none
};

// unexpected: the body cannot be read at all (not JSON, no CSV header, not a bundle...), with the reason.
using Parsed = tl::expected<std::vector<Indicator>, std::string>;

[[nodiscard]] Parsed parse_csv(std::string_view body, const FormatOptions& opts, ParseReport& report);
[[nodiscard]] Parsed parse_zeek_intel(std::string_view body, const FormatOptions& opts, ParseReport& report);
// One value per line; '#' starts a comment (at the start of a line or after blanks); blank lines skipped.
[[nodiscard]] Parsed parse_list(std::string_view body, const FormatOptions& opts, ParseReport& report);
// A STIX 2.1 (or 2.0) bundle.
[[nodiscard]] Parsed parse_stix(std::string_view body, const FormatOptions& opts, ParseReport& report);

struct MispEventRef {
  std::string uuid;
  std::string info;
  int64_t timestamp = 0;
  std::string tlp;  // from the event's tlp:* tag, upper-case; empty when it has none
};
// A MISP feed's manifest.json: keys that are not UUIDs (they name files) are counted invalid.
[[nodiscard]] tl::expected<std::vector<MispEventRef>, std::string> parse_misp_manifest(std::string_view body,
                                                                                       ParseReport& report);
// One event file {"Event": {...}}.
[[nodiscard]] Parsed parse_misp_event(std::string_view body, const FormatOptions& opts, ParseReport& report);

// A file (csv, zeek-intel, list, stix) or, for misp, a directory holding manifest.json and <uuid>.json
// event files: only events listed in the manifest are read; a listed event whose file is missing or
// unreadable counts as one record, invalid, with an error naming it — never fatal.
[[nodiscard]] Parsed read_feed_path(const std::filesystem::path& path, std::string_view format,
                                    const FormatOptions& opts, ParseReport& report);

[[nodiscard]] std::vector<std::string_view> feed_formats();  // {"csv","zeek-intel","list","stix","misp"}

// "hxxps://a[.]b(.)c[:]8080", "x[@]y.z", "a[dot]b" → "https://a.b.c:8080", "x@y.z", "a.b".
[[nodiscard]] std::string refang(std::string_view value);
// Of a re-fanged value: ip/CIDR, 32/40/64 hex digits = md5/sha1/sha256, "://" = url, '@' = email,
// a domain-shaped name = domain, else nullopt.
[[nodiscard]] std::optional<IocType> guess_type(std::string_view value);

// Helpers shared by the format readers (formats.cpp); not part of the API.
namespace detail {

void add_error(ParseReport& report, std::string message);  // kept while fewer than kMaxErrors
[[nodiscard]] std::string_view trim(std::string_view s);
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);
[[nodiscard]] std::string lower(std::string_view s);
// 'value' for a message, cut at 80 bytes.
[[nodiscard]] std::string quoted(std::string_view value);
// Empty when `value` is a valid value of type `t`, else why not ("not an IP address or CIDR").
[[nodiscard]] std::string_view invalid_reason(IocType t, std::string_view value);
// md5/sha1/sha256 by the length of a hex string; nullopt otherwise.
[[nodiscard]] std::optional<IocType> hash_type(std::string_view value);
// A feed's type name (ip, ipv4, ip-dst, cidr, hostname, fqdn, uri, sha-256, email-src, ...), any
// case; nullopt when Vigie does not index that kind. "hash" resolves by the value's length.
[[nodiscard]] std::optional<IocType> type_from_name(std::string_view name, std::string_view value);
// "tlp:amber", "AMBER", "white" → "AMBER", "AMBER", "CLEAR"; nullopt when not a TLP level.
[[nodiscard]] std::optional<std::string> tlp_level(std::string_view text);
// The more restrictive of two TLP levels (either may be empty).
[[nodiscard]] std::string stricter_tlp(const std::string& a, const std::string& b);
// ISO 8601 date, date-time (no zone = UTC) or all-digit Unix seconds → Unix seconds.
[[nodiscard]] std::optional<int64_t> parse_time(std::string_view text);
// A feed file read whole; larger than 512 MiB is refused. Errors name the file.
[[nodiscard]] tl::expected<std::string, std::string> read_file(const std::filesystem::path& path);
// An indicator of `type` with `value` and the options' defaults.
[[nodiscard]] Indicator make_indicator(IocType type, std::string value, const FormatOptions& opts);

}  // namespace detail

}  // namespace vigie::intel
