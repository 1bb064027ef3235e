// Log files → batches of syslog lines (`vigie replay`, later the spool), without a heap string
// or a copy per line: the file is read in 1 MiB blocks, lines are cut with memchr, and a batch's
// lines (RawBatch::lines) view the block they were read into; batches share the block, which dies
// with the last of them. Only a line that spans two reads is copied (into its batch's block).
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
#include <memory>
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

// A read block shared by the batches whose messages view it.
using SharedBlock = std::shared_ptr<const char[]>;

// Packs lines into RawBatches of at most `max_lines`. A line that lies in a shared read block is
// viewed where it is (the batch keeps the block alive); any other is copied into the batch's own
// block.
class BatchPacker {
 public:
  // Every line is taken as received at `received` (RawBatch::lines_received).
  BatchPacker(std::string input, std::size_t max_lines, core::TimePoint received)
      : input_(std::move(input)), max_(max_lines), received_(received) {}

  // Appends `bytes` — viewed if `owner` holds them (a block that never changes once handed out),
  // copied otherwise. Returns true when the batch is full (take() it next).
  bool add(std::string_view bytes, bool truncated, const SharedBlock* owner = nullptr) {
    if (owner != nullptr && *owner) {
      if (keep_.empty() || keep_.back() != *owner) keep_.push_back(*owner);
      spans_.push_back(Span{bytes.data(), 0, bytes.size(), truncated});
    } else {
      if (block_.capacity() == 0 && reserve_ > 0) block_.reserve(reserve_);
      spans_.push_back(Span{nullptr, block_.size(), bytes.size(), truncated});
      block_.insert(block_.end(), bytes.begin(), bytes.end());
    }
    return spans_.size() >= max_;
  }
  [[nodiscard]] bool empty() const { return spans_.empty(); }
  [[nodiscard]] std::size_t size() const { return spans_.size(); }

  // The batch so far, its lines viewing what it owns; the packer starts the next one.
  [[nodiscard]] RawBatch take();

 private:
  struct Span {
    const char* at;  // in a shared block, or nullptr: `offset` into block_
    std::size_t offset, size;
    bool truncated;
  };
  std::string input_;
  std::size_t max_;
  core::TimePoint received_;
  std::vector<char> block_;
  std::vector<SharedBlock> keep_;
  std::vector<Span> spans_;
  std::size_t reserve_ = 0;  // the largest copy block so far: no regrowth per batch
};

// Reads `fd` to its end into blocks of `block_size` bytes, handing every line to
// on_line(std::string_view line, bool truncated, const SharedBlock* owner): `owner` is the read
// block that holds the line (it is never written again once read into), or nullptr when the line
// had to be gathered across reads (valid during the call only). A block is filled to its end
// before the next is allocated, so short reads (pipes) do not waste blocks. The first bytes read
// are given to `first` (std::string_view) once, before any line, for format sniffing; it returns
// false to stop there.
class FileLines {
 public:
  static constexpr std::size_t kBlock = std::size_t{1} << 20;
  static constexpr std::size_t kSniff = 4;  // bytes `first` is promised (fewer: the whole file)

  FileLines(int fd, std::size_t max_size, std::size_t block_size = kBlock)
      : fd_(fd), splitter_(max_size), size_(block_size < kSniff ? kSniff : block_size) {}

  // Returns false when `first` refused the file; an error when read() failed.
  template <class First, class F>
  [[nodiscard]] core::Result<bool> run(First&& first, F&& on_line) {
    fresh_block();
    // Sniffing needs kSniff bytes even when read() returns fewer (a pipe).
    for (;;) {
      auto n = read_some(block_.get() + used_, size_ - used_);
      if (!n) return tl::unexpected(n.error());
      used_ += *n;
      if (*n == 0 || used_ >= kSniff) break;
    }
    if (!first(std::string_view(block_.get(), used_))) return false;
    const auto deliver = [&](std::string_view line, bool cut) {
      const bool inside = line.data() >= block_.get() && line.data() + line.size() <= block_.get() + size_;
      on_line(line, cut, inside ? &shared_ : nullptr);
    };
    std::size_t from = 0;
    while (used_ > from) {
      splitter_.feed(std::string_view(block_.get() + from, used_ - from), deliver);
      if (used_ == size_) fresh_block();
      from = used_;
      auto n = read_some(block_.get() + used_, size_ - used_);
      if (!n) return tl::unexpected(n.error());
      used_ += *n;
    }
    splitter_.finish(deliver);
    return true;
  }

 private:
  // read(2), retried on EINTR; 0 at end of file.
  [[nodiscard]] core::Result<std::size_t> read_some(char* to, std::size_t n);
  void fresh_block();

  int fd_;
  LineSplitter splitter_;
  std::size_t size_;
  std::shared_ptr<char[]> block_;  // written only past used_
  SharedBlock shared_;             // the same block, as handed to on_line
  std::size_t used_ = 0;
};

}  // namespace vigie::ingest
