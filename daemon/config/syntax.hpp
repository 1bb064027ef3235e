// Value syntaxes of the configuration file (DESIGN.md §6), as pure functions so that the
// loader, `vigie check` and the tests agree on one definition. Errors carry no `where`: the
// caller knows the file and line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/error.hpp"

namespace vigie::config {

inline constexpr std::size_t kMinMessageSize = 480;               // RFC 5426 §3.2: every receiver takes 480
inline constexpr std::size_t kMaxMessageSize = 16 * 1024 * 1024;  // beyond this a "line" is not a log line

struct ListenAddress {
  SyslogInput::Proto proto = SyslogInput::Proto::udp;
  std::string address;  // IP literal, IPv6 without brackets
  uint16_t port = 0;
};

// "udp://0.0.0.0:514", "tcp://[::1]:5514", "tls://10.0.0.1:6514". The host must be an IP
// address (listeners bind, they do not resolve); without a port, 514 (udp, tcp) or 6514 (tls).
[[nodiscard]] core::Result<ListenAddress> parse_listen(std::string_view url);

// "65536", "512B", "64KiB", "1MiB" → bytes (binary multiples only, so there is no 1000-vs-1024
// doubt). nullopt when malformed or overflowing.
[[nodiscard]] std::optional<std::size_t> parse_size(std::string_view text);

// An addr-spec an MTA will take: local@domain, no spaces, quotes, angle brackets or commas;
// the domain is dot-separated labels of letters, digits and '-' ("root@localhost" is fine).
[[nodiscard]] bool is_email_address(std::string_view s);

// "Name <addr>" or a bare "addr" → addr, when the address part is_email_address.
[[nodiscard]] std::optional<std::string> mailbox_address(std::string_view mailbox);

// [a-z0-9-]+ : site ids end up in mail subjects, metrics labels and file names.
[[nodiscard]] bool is_site_id(std::string_view s);
// The same syntax, 64 bytes at most: feed names are also spool file names (<name>.<format>).
[[nodiscard]] bool is_feed_name(std::string_view s);

// A host name usable on the right side of a Message-ID: dot-separated labels of letters,
// digits and '-'.
[[nodiscard]] bool is_host_name(std::string_view s);

}  // namespace vigie::config
