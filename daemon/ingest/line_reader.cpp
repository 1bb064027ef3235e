#include "ingest/line_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace vigie::ingest {

RawBatch BatchPacker::take() {
  RawBatch b;
  b.kind = BatchKind::syslog_lines;
  b.input = input_;
  reserve_ = std::max(reserve_, block_.size() + block_.size() / 8);
  b.block = std::move(block_);
  block_ = {};
  b.messages.resize(spans_.size());
  const char* base = b.block.data();
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    const Span& s = spans_[i];
    RawMessage& m = b.messages[i];
    // An empty message still gets a non-null view (text() must not fall back to `data`).
    m.packed = s.size == 0 ? std::string_view("", 0) : std::string_view(base + s.offset, s.size);
    m.received = s.received;
    m.truncated = s.truncated;
  }
  spans_.clear();
  return b;
}

core::Result<std::size_t> FileLines::read_some(char* to, std::size_t n) {
  for (;;) {
    const ssize_t got = ::read(fd_, to, n);
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno != EINTR) return core::fail("", std::string("read error: ") + std::strerror(errno));
  }
}

}  // namespace vigie::ingest
