// Test helper: builds wire messages byte by byte, big-endian, with length fields patched in
// after their contents are written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace vigie::dissect::test {

struct Bytes {
  std::vector<uint8_t> v;

  Bytes& u8(unsigned x) {
    v.push_back(static_cast<uint8_t>(x));
    return *this;
  }
  Bytes& u16(unsigned x) { return u8(x >> 8).u8(x); }
  Bytes& u24(unsigned x) { return u8(x >> 16).u16(x & 0xffff); }
  Bytes& u32(unsigned x) { return u16(x >> 16).u16(x & 0xffff); }
  Bytes& str(std::string_view s) {
    v.insert(v.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& raw(std::span<const uint8_t> b) {
    v.insert(v.end(), b.begin(), b.end());
    return *this;
  }
  Bytes& u16s(std::initializer_list<unsigned> xs) {
    for (unsigned x : xs) u16(x);
    return *this;
  }
  // Starts a length field of `width` bytes; close(mark) writes the length of what followed.
  std::size_t open(std::size_t width) {
    const std::size_t at = v.size();
    v.insert(v.end(), width, 0);
    return at | width << 56;
  }
  Bytes& close(std::size_t mark) {
    const std::size_t width = mark >> 56, at = mark & ((std::size_t{1} << 56) - 1);
    const std::size_t len = v.size() - at - width;
    for (std::size_t i = 0; i < width; ++i) v[at + i] = static_cast<uint8_t>(len >> (8 * (width - 1 - i)));
    return *this;
  }
  [[nodiscard]] std::span<const uint8_t> span() const { return v; }
};

}  // namespace vigie::dissect::test
