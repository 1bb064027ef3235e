#include "ingest/line_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace vigie::ingest {

RawBatch BatchPacker::take() {
  RawBatch b;
  b.kind = BatchKind::syslog_lines;
  b.input = input_;
  reserve_ = std::max(reserve_, block_.size());
  b.block = std::move(block_);
  block_ = {};
  b.shared = std::move(keep_);
  keep_ = {};
  b.lines.resize(spans_.size());
  b.lines_received = received_;
  const char* base = b.block.data();
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    const Span& s = spans_[i];
    b.lines[i] = PackedLine{std::string_view(s.at != nullptr ? s.at : base + s.offset, s.size), s.truncated};
  }
  spans_.clear();
  return b;
}

void FileLines::fresh_block() {
  block_ = std::make_shared_for_overwrite<char[]>(size_);
  shared_ = block_;
  used_ = 0;
}

core::Result<std::size_t> FileLines::read_some(char* to, std::size_t n) {
  for (;;) {
    const ssize_t got = ::read(fd_, to, n);
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno != EINTR) return core::fail("", std::string("read error: ") + std::strerror(errno));
  }
}

}  // namespace vigie::ingest
