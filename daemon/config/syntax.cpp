#include "config/syntax.hpp"

#include <charconv>
#include <limits>

#include "core/net.hpp"

namespace vigie::config {

namespace {

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

bool is_ascii_graph(char c) { return c > ' ' && c < 0x7f; }

}  // namespace

core::Result<ListenAddress> parse_listen(std::string_view url) {
  ListenAddress out;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos)
    return core::fail(
        "", "listen '" + std::string(url) + "' must look like udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT");
  const std::string_view scheme = url.substr(0, sep);
  uint16_t default_port = 514;
  if (scheme == "udp") {
    out.proto = SyslogInput::Proto::udp;
  } else if (scheme == "tcp") {
    out.proto = SyslogInput::Proto::tcp;
  } else if (scheme == "tls") {
    out.proto = SyslogInput::Proto::tls;
    default_port = 6514;
  } else {
    return core::fail("", "unknown scheme '" + std::string(scheme) + "' in listen (expected udp://, tcp:// or tls://)");
  }
  std::string_view rest = url.substr(sep + 3);
  std::string_view host, port;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return core::fail("", "unterminated '[' in listen '" + std::string(url) + "'");
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return core::fail("", "unexpected text after ']' in listen '" + std::string(url) + "'");
      port = after.substr(1);
      if (port.empty()) return core::fail("", "missing port after ':' in listen '" + std::string(url) + "'");
    }
  } else {
    const auto colon = rest.find(':');
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.find(':') != std::string_view::npos)
        return core::fail("", "IPv6 addresses in listen need brackets, e.g. " + std::string(scheme) + "://[::1]:514");
      if (port.empty()) return core::fail("", "missing port after ':' in listen '" + std::string(url) + "'");
    }
  }
  if (host.empty())
    return core::fail("", "missing address in listen '" + std::string(url) + "' (use 0.0.0.0 or [::] for all)");
  auto ip = core::IpAddress::parse(host);
  if (!ip)
    return core::fail(
        "", "'" + std::string(host) +
                "' in listen is not an IP address (listeners bind to addresses; use 0.0.0.0 or [::] for all)");
  out.address = std::string(host);
  out.port = default_port;
  if (!port.empty()) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc{} || end != port.data() + port.size() || v > 65535)
      return core::fail("", "invalid port '" + std::string(port) + "' in listen (0-65535, 0 = any free port)");
    out.port = static_cast<uint16_t>(v);
  }
  return out;
}

std::optional<std::size_t> parse_size(std::string_view text) {
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end == text.data()) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::size_t mult = 0;
  if (unit.empty() || unit == "B")
    mult = 1;
  else if (unit == "KiB")
    mult = 1024;
  else if (unit == "MiB")
    mult = std::size_t{1024} * 1024;
  else if (unit == "GiB")
    mult = std::size_t{1024} * 1024 * 1024;
  else
    return std::nullopt;
  if (n > std::numeric_limits<std::size_t>::max() / mult) return std::nullopt;
  return n * mult;
}

bool is_host_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-') return false;
      label = 0;
    } else if (is_label_char(s[i])) {
      ++label;
    } else {
      return false;
    }
  }
  return true;
}

bool is_email_address(std::string_view s) {
  const auto at = s.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  const std::string_view local = s.substr(0, at);
  if (local.size() > 64 || local.front() == '.' || local.back() == '.') return false;
  for (char c : local) {
    if (!is_ascii_graph(c)) return false;
    switch (c) {
      case '@':
      case '<':
      case '>':
      case '(':
      case ')':
      case '[':
      case ']':
      case ',':
      case ';':
      case ':':
      case '\\':
      case '"':
        return false;
      default:
        break;
    }
  }
  return is_host_name(s.substr(at + 1));
}

std::optional<std::string> mailbox_address(std::string_view mailbox) {
  const auto open = mailbox.rfind('<');
  std::string_view addr = mailbox;
  if (open != std::string_view::npos) {
    if (mailbox.empty() || mailbox.back() != '>') return std::nullopt;
    addr = mailbox.substr(open + 1, mailbox.size() - open - 2);
  }
  if (!is_email_address(addr)) return std::nullopt;
  return std::string(addr);
}

bool is_site_id(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

bool is_feed_name(std::string_view s) { return s.size() <= 64 && is_site_id(s); }

}  // namespace vigie::config
