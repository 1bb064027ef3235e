// Time types. Event time and clocks use microseconds since the Unix epoch, UTC.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigie::core {

using Duration = std::chrono::microseconds;
using TimePoint = std::chrono::sys_time<Duration>;

// RFC 3339 in UTC with microseconds: 2026-11-22T08:12:31.123456Z
[[nodiscard]] std::string format_rfc3339(TimePoint t);
// Same, into `buf` (at least 40 bytes; no terminating NUL); returns the length written.
std::size_t format_rfc3339(TimePoint t, char* buf);
// Accepts RFC 3339 / ISO 8601 with 'Z' or a numeric offset, optional fraction.
[[nodiscard]] std::optional<TimePoint> parse_rfc3339(std::string_view s);
// "30s", "5m", "4h", "1d", "250ms" → duration; nullopt when malformed.
[[nodiscard]] std::optional<Duration> parse_duration(std::string_view s);

}  // namespace vigie::core
