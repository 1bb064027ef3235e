#include "ingest/pcap/ssh.hpp"

#include <algorithm>

namespace vigie::dissect {
namespace {

constexpr std::string_view kPrefix = "SSH-";

bool is_text(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 0x20 && u != 0x7f) || c == '\t' || c == '\r';
}

// `line` is the banner without its line ending.
Result split_banner(std::string_view line, SshBanner& out) {
  for (char c : line)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return Result::malformed;
  const std::string_view rest = line.substr(kPrefix.size());
  const std::size_t dash = rest.find('-');
  if (dash == std::string_view::npos || dash == 0) return Result::malformed;
  out.line = line;
  out.proto = rest.substr(0, dash);
  const std::string_view sw = rest.substr(dash + 1);
  const std::size_t sp = sw.find(' ');
  out.software = sw.substr(0, sp);
  out.comments = sp == std::string_view::npos ? std::string_view{} : sw.substr(sp + 1);
  if (out.software.empty()) return Result::malformed;
  return Result::ok;
}

}  // namespace

Result parse_ssh_banner(std::string_view stream, SshBanner& out) {
  out = SshBanner{};
  std::size_t pos = 0;
  for (std::size_t lines = 0;; ++lines) {
    const std::string_view rest = stream.substr(pos);
    const bool banner = rest.substr(0, kPrefix.size()) == kPrefix.substr(0, std::min(rest.size(), kPrefix.size()));
    const std::size_t lf = rest.find('\n');
    if (banner) {
      // Still a candidate: "SSH-" itself or a prefix of it.
      const std::size_t len = lf == std::string_view::npos ? rest.size() : lf + 1;
      if (len > kSshMaxBanner) return Result::malformed;
      if (lf == std::string_view::npos) {
        for (char c : rest)
          if (static_cast<unsigned char>(c) < 0x20 && c != '\r') return Result::malformed;
        return Result::need_more;
      }
      std::string_view line = rest.substr(0, lf);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      const Result r = split_banner(line, out);
      if (r == Result::ok) {
        out.end = pos + lf + 1;
        out.lines_skipped = lines;
      }
      return r;
    }
    // A line before the banner: text only, within the caps.
    const std::size_t len = lf == std::string_view::npos ? rest.size() : lf;
    for (std::size_t i = 0; i < len; ++i)
      if (!is_text(rest[i])) return Result::not_this;
    if (lines >= kSshMaxPreLines || pos + len >= kSshMaxPreBytes) return Result::not_this;
    if (lf == std::string_view::npos) return Result::need_more;
    pos += lf + 1;
  }
}

}  // namespace vigie::dissect
