// Shared by the dissectors: the result every parser returns, and a bounds-checked reader over
// the bytes given. Contract of every dissector: it reads only inside the span it was handed,
// allocates at most a bounded amount per call, and terminates in time linear in the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace vigie::dissect {

// need_more: the bytes are a valid prefix and more could complete the message.
// not_this: the bytes do not look like this protocol at all (the caller may try another).
// malformed: this protocol, but broken or over a cap.
enum class Result : uint8_t { ok, need_more, not_this, malformed };

namespace detail {

// Cursor over a span; every read checks the remaining length first and fails (returns false)
// instead of reading past the end. Once a read failed, the reader stays failed.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  [[nodiscard]] std::size_t pos() const { return pos_; }
  [[nodiscard]] std::size_t left() const { return bytes_.size() - pos_; }
  [[nodiscard]] bool failed() const { return failed_; }

  [[nodiscard]] bool u8(uint8_t& v) {
    if (!need(1)) return false;
    v = bytes_[pos_++];
    return true;
  }
  [[nodiscard]] bool u16(uint16_t& v) {
    if (!need(2)) return false;
    v = static_cast<uint16_t>(bytes_[pos_] << 8 | bytes_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  [[nodiscard]] bool u24(uint32_t& v) {
    if (!need(3)) return false;
    v = static_cast<uint32_t>(bytes_[pos_]) << 16 | static_cast<uint32_t>(bytes_[pos_ + 1]) << 8 | bytes_[pos_ + 2];
    pos_ += 3;
    return true;
  }
  [[nodiscard]] bool u32(uint32_t& v) {
    if (!need(4)) return false;
    v = static_cast<uint32_t>(bytes_[pos_]) << 24 | static_cast<uint32_t>(bytes_[pos_ + 1]) << 16 |
        static_cast<uint32_t>(bytes_[pos_ + 2]) << 8 | bytes_[pos_ + 3];
    pos_ += 4;
    return true;
  }
  // The next n bytes as a sub-span (and skips them).
  [[nodiscard]] bool bytes(std::size_t n, std::span<const uint8_t>& out) {
    if (!need(n)) return false;
    out = bytes_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool skip(std::size_t n) {
    if (!need(n)) return false;
    pos_ += n;
    return true;
  }

 private:
  bool need(std::size_t n) {
    if (failed_ || n > left()) {
      failed_ = true;
      return false;
    }
    return true;
  }

  std::span<const uint8_t> bytes_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

// Appends `b` as text; bytes outside 0x21-0x7e become \DDD (decimal, as Zeek writes DNS names),
// so a hostile name cannot inject separators or control characters into a log.
inline void append_escaped(std::string& out, uint8_t b) {
  if (b >= 0x21 && b <= 0x7e) {
    out.push_back(static_cast<char>(b));
    return;
  }
  out.push_back('\\');
  out.push_back(static_cast<char>('0' + b / 100));
  out.push_back(static_cast<char>('0' + b / 10 % 10));
  out.push_back(static_cast<char>('0' + b % 10));
}

}  // namespace detail
}  // namespace vigie::dissect
