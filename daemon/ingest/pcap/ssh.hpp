// SSH identification string (RFC 4253 §4.2): "SSH-protoversion-softwareversion SP comments
// CR LF", at most 255 bytes with its CR LF. A server may send other lines before it; at most
// kSshMaxPreLines lines / kSshMaxPreBytes bytes of them are skipped. A bare LF ending is
// accepted (OpenSSH does). Views point into `stream`.
#pragma once

#include <cstddef>
#include <string_view>

#include "ingest/pcap/result.hpp"

namespace vigie::dissect {

struct SshBanner {
  std::string_view line;  // without CR LF
  std::string_view proto, software, comments;
  std::size_t end = 0;  // offset just past the banner's LF in `stream`
  std::size_t lines_skipped = 0;
};

inline constexpr std::size_t kSshMaxBanner = 255;
inline constexpr std::size_t kSshMaxPreLines = 16;
inline constexpr std::size_t kSshMaxPreBytes = 8192;

// need_more: no complete banner yet and nothing refuted it. not_this: a line before the banner
// holds binary bytes, or the skip caps are exceeded without a banner. malformed: a line that
// starts "SSH-" but is over 255 bytes, holds control bytes, or lacks proto or software.
[[nodiscard]] Result parse_ssh_banner(std::string_view stream, SshBanner& out);

}  // namespace vigie::dissect
