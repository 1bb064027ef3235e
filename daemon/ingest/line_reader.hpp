// Log files → batches of syslog lines (`vigie replay`, later the spool), without a heap string
// per line: the file is read in large blocks, lines are cut with memchr, and each batch packs
// its lines into one buffer (RawBatch::block) that its messages view (RawMessage::packed).
//
// Line rules (the same as the getline loop they replace, pinned by tests):
//   - LF ends a line; one CR before it is removed; a line left empty is skipped (not counted);
//   - a line longer than `max_size` (after removing the CR) is cut to `max_size` bytes and
//     flagged truncated; the rest of it is skipped up to its LF, never buffered, so a 1 GB line
//     costs max_size + 1 bytes of memory;
//   - a last line without LF is a line;
//   - NUL and any other byte are kept as they are.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "ingest/raw.hpp"

namespace vigie::ingest {

// Splits a byte stream, fed in pieces of any size, into lines. A line wholly inside one piece is
// handed over as a view into that piece (valid during the call only); a line spanning pieces is
// gathered in a carry buffer first. Not thread-safe.
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_size) : max_(max_size) {}

  // Calls on_line(std::string_view line, bool truncated) for every line that ends in `bytes`.
  template <class F>
  void feed(std::string_view bytes, F&& on_line) {
    const char* p = bytes.data();
    const char* const end = p + bytes.size();
    while (p < end) {
      const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      if (nl == nullptr) {
        gather(p, end);
        return;
      }
      if (total_ > 0) {
        gather(p, nl);
        emit_carry(on_line);
      } else {
        emit(std::string_view(p, static_cast<std::size_t>(nl - p)), on_line);
      }
      p = nl + 1;
    }
  }

  // End of the stream: the last line, when it had no LF.
  template <class F>
  void finish(F&& on_line) {
    if (total_ > 0) emit_carry(on_line);
  }

 private:
  template <class F>
  void emit(std::string_view line, F& on_line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return;
    if (line.size() > max_)
      on_line(line.substr(0, max_), true);
    else
      on_line(line, false);
  }
  template <class F>
  void emit_carry(F& on_line) {
    // carry_ holds the first min(total_, max_ + 1) bytes: enough to decide and to cut.
    std::size_t len = total_;
    if (last_ == '\r') --len;
    total_ = 0;
    if (len > 0) {
      if (len > max_)
        on_line(std::string_view(carry_).substr(0, max_), true);
      else
        on_line(std::string_view(carry_).substr(0, len), false);
    }
    carry_.clear();
  }
  void gather(const char* from, const char* to) {
    if (from == to) return;
    const auto n = static_cast<std::size_t>(to - from);
    const std::size_t room = max_ + 1 > carry_.size() ? max_ + 1 - carry_.size() : 0;
    carry_.append(from, std::min(n, room));
    total_ += n;
    last_ = to[-1];
  }

  std::size_t max_;
  std::string carry_;      // the start of a line that continues in the next piece
  std::size_t total_ = 0;  // bytes of that line seen so far (carry_ keeps at most max_ + 1)
  char last_ = 0;          // its last byte seen (a CR before the LF is removed)
};

// Packs messages into RawBatches of at most `max_messages`, all bytes of a batch in its block.
class BatchPacker {
 public:
  BatchPacker(std::string input, std::size_t max_messages) : input_(std::move(input)), max_(max_messages) {}

  // Appends a copy of `bytes`; returns true when the batch is full (take() it next).
  bool add(std::string_view bytes, bool truncated, core::TimePoint received) {
    if (block_.capacity() == 0) block_.reserve(reserve_);
    spans_.push_back(Span{block_.size(), bytes.size(), received, truncated});
    block_.insert(block_.end(), bytes.begin(), bytes.end());
    return spans_.size() >= max_;
  }
  [[nodiscard]] bool empty() const { return spans_.empty(); }
  [[nodiscard]] std::size_t size() const { return spans_.size(); }

  // The batch so far, its messages viewing its block; the packer starts the next one.
  [[nodiscard]] RawBatch take();

 private:
  struct Span {
    std::size_t offset, size;
    core::TimePoint received;
    bool truncated;
  };
  std::string input_;
  std::size_t max_;
  std::vector<char> block_;
  std::vector<Span> spans_;
  std::size_t reserve_ = 64 * 1024;  // grows to the largest block seen: no regrowth per batch
};

// Reads `fd` to its end in blocks of `block_size` bytes, handing every line to on_line(line,
// truncated). The first bytes read are also given to `first` (std::string_view) once, before any
// line, for format sniffing; it returns false to stop there. Fails only on a read error.
class FileLines {
 public:
  static constexpr std::size_t kBlock = std::size_t{1} << 20;
  static constexpr std::size_t kSniff = 4;  // bytes `first` is promised (fewer: the whole file)

  FileLines(int fd, std::size_t max_size, std::size_t block_size = kBlock)
      : fd_(fd), splitter_(max_size), buf_(block_size < kSniff ? kSniff : block_size) {}

  // Returns false when `first` refused the file; an error when read() failed.
  template <class First, class F>
  [[nodiscard]] core::Result<bool> run(First&& first, F&& on_line) {
    std::size_t have = 0;
    // Sniffing needs kSniff bytes even when read() returns fewer (a pipe).
    for (;;) {
      auto n = read_some(buf_.data() + have, buf_.size() - have);
      if (!n) return tl::unexpected(n.error());
      have += *n;
      if (*n == 0 || have >= kSniff) break;
    }
    if (!first(std::string_view(buf_.data(), have))) return false;
    while (have > 0) {
      splitter_.feed(std::string_view(buf_.data(), have), on_line);
      auto n = read_some(buf_.data(), buf_.size());
      if (!n) return tl::unexpected(n.error());
      have = *n;
    }
    splitter_.finish(on_line);
    return true;
  }

 private:
  // read(2), retried on EINTR; 0 at end of file.
  [[nodiscard]] core::Result<std::size_t> read_some(char* to, std::size_t n);

  int fd_;
  LineSplitter splitter_;
  std::vector<char> buf_;
};

}  // namespace vigie::ingest
