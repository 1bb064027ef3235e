// Value normalisation for the IOC index (README "Normalisation"): the canonical form of each
// type, written into the caller's buffer, and the key the index stores for it. Internal to intel:
// the index builds its keys and normalises looked-up values with these same functions, so the
// two sides cannot disagree (no second path). Pure functions, safe from any thread.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "intel/indicator.hpp"

namespace vigie::intel::detail {

inline constexpr std::size_t kMaxDomain = 253;
inline constexpr std::size_t kMaxEmail = 254;
inline constexpr std::size_t kMaxUrl = 4096;
inline constexpr std::size_t kUrlBuffer = kMaxUrl + 8;  // url_into adds at most a "/"
// Key kinds: IocType for all but ip; an IPv6 key (16 bytes) is kV6Kind + its prefix length (of
// 128), an IPv4 key (4 bytes, held in its slot) kV4Kind + its prefix length (of 32).
inline constexpr uint8_t kV6Kind = 8;
inline constexpr uint8_t kV4Kind = kV6Kind + 129;

inline uint8_t kind_of(IocType t) { return static_cast<uint8_t>(t); }

// --- addresses: 16 bytes, IPv4 mapped into ::ffff:0:0/96, prefix lengths counted of 128 ------

struct Net {
  std::array<uint8_t, 16> b{};
  int bits = 128;
};

inline constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
inline bool mapped(const uint8_t* b) { return std::memcmp(b, kMappedPrefix.data(), 12) == 0; }
inline bool is_v4(const Net& n) { return n.bits >= 96 && mapped(n.b.data()); }

constexpr uint8_t mask_byte(int bits, int i) {
  const int keep = std::clamp(bits - 8 * i, 0, 8);
  return static_cast<uint8_t>(0xff00 >> keep);
}
// The 129 masks as two words each, in the byte order of a memcpy of the address.
inline constexpr std::array<std::array<uint64_t, 2>, 129> kMasks = [] {
  std::array<std::array<uint64_t, 2>, 129> out{};
  for (int bits = 0; bits <= 128; ++bits) {
    std::array<uint8_t, 16> m{};
    for (int i = 0; i < 16; ++i) m[i] = mask_byte(bits, i);
    out[bits] = std::bit_cast<std::array<uint64_t, 2>>(m);
  }
  return out;
}();
inline void mask_to(uint8_t* b, int bits) {
  std::array<uint64_t, 2> w;
  std::memcpy(w.data(), b, 16);
  w[0] &= kMasks[bits][0], w[1] &= kMasks[bits][1];
  std::memcpy(b, w.data(), 16);
}

// An address or "address/prefix"; a v4 prefix is of 32 unless written in IPv6 form. Host bits
// cleared.
[[nodiscard]] std::optional<Net> parse_net(std::string_view text);

// --- text values: each writes its canonical form into `out` and returns its length, 0 if the
// value is not one. `out` has room for kMaxDomain + 1, kMaxEmail + 1, kUrlBuffer bytes. ------

// A host name's bytes lower-cased, 0 for bytes no host name has.
inline constexpr std::array<char, 256> kHostChar = [] {
  std::array<char, 256> t{};
  for (char c = 'a'; c <= 'z'; ++c) t[static_cast<unsigned char>(c)] = c;
  for (char c = 'A'; c <= 'Z'; ++c) t[static_cast<unsigned char>(c)] = static_cast<char>(c - 'A' + 'a');
  for (char c = '0'; c <= '9'; ++c) t[static_cast<unsigned char>(c)] = c;
  t['-'] = '-', t['_'] = '_', t['.'] = '.';
  return t;
}();

// Labels of 1..63 letters, digits, '-' or '_', 253 bytes at most, the last not all digits;
// ASCII only (IDNs as A-labels, "xn--..."); lower-cased, a trailing dot dropped. With `dots`
// (room for 127), the positions of the dots in `out` and their number in *ndots. Defined here,
// always inlined: IocIndex::find()'s domain path (tests/bench/README.md, "IOC index").
[[gnu::always_inline]] inline std::size_t domain_into(std::string_view in, char* out, uint8_t* dots = nullptr,
                                                      std::size_t* ndots = nullptr) {
  if (!in.empty() && in.back() == '.') in.remove_suffix(1);
  if (in.empty() || in.size() > kMaxDomain) return 0;
  std::size_t label = 0, n = 0;  // start of the current label, dots seen
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = kHostChar[static_cast<unsigned char>(in[i])];
    out[i] = c;
    if (c == '.') {
      if (i == label || i - label > 63) return 0;
      if (dots != nullptr) dots[n] = static_cast<uint8_t>(i);
      ++n, label = i + 1;
    } else if (c == 0) {
      return 0;
    }
  }
  const std::string_view last(out + label, in.size() - label);
  if (last.empty() || last.size() > 63 || last.find_first_not_of("0123456789") == std::string_view::npos) return 0;
  if (ndots != nullptr) *ndots = n;
  return in.size();
}

// With `at`, the position of the '@'.
[[nodiscard]] std::size_t email_into(std::string_view in, char* out, std::size_t* at = nullptr);
// With `host_out`, the host as written into `out`.
[[nodiscard]] std::size_t url_into(std::string_view in, char* out, std::string_view* host_out = nullptr);
// 16, 20, 32 for md5, sha1, sha256; 0 for the other types.
inline std::size_t digest_bytes(IocType t) {
  switch (t) {
    case IocType::md5:
      return 16;
    case IocType::sha1:
      return 20;
    case IocType::sha256:
      return 32;
    default:
      return 0;
  }
}

// Exactly 2 × `bytes` hex digits, either case, decoded into `out`.
[[nodiscard]] bool hex_into(std::string_view in, std::size_t bytes, uint8_t* out);

// --- keys: what the index stores for a value -------------------------------------------------

struct Key {
  uint8_t kind = 0;
  std::string bytes;
};

// The normalised key of (type, value) as the index stores it; false if not valid. `host` and
// `at` as url_into() and email_into() give them (host points into key.bytes).
[[nodiscard]] bool make_key(IocType type, std::string_view value, Key& key, std::string_view* host = nullptr,
                            std::size_t* at = nullptr);
// The range an ip key stands for.
[[nodiscard]] Net key_net(uint8_t kind, const char* bytes);
[[nodiscard]] Net key_net(const Key& key);

}  // namespace vigie::intel::detail
