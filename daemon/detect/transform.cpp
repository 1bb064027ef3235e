// Decoder value transforms (detect/transform.hpp).
#include "detect/transform.hpp"

namespace vigie::detect {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view from_hex(std::string_view v, core::Arena& arena) {
  if (v.size() < 2 || v.size() % 2 != 0) return v;
  for (char c : v)
    if (hex_digit(c) < 0) return v;
  char* out = arena.allocate(v.size() / 2);
  for (std::size_t i = 0; i < v.size(); i += 2) {
    const char b = static_cast<char>(hex_digit(v[i]) * 16 + hex_digit(v[i + 1]));
    out[i / 2] = b == '\0' ? ' ' : b;
  }
  return {out, v.size() / 2};
}

std::string_view from_url(std::string_view v, core::Arena& arena) {
  bool encoded = false;
  for (char c : v)
    if (c == '%' || c == '+') encoded = true;
  if (!encoded) return v;
  char* out = arena.allocate(v.size());  // decoding never lengthens
  std::size_t n = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size() && hex_digit(v[i + 1]) >= 0 && hex_digit(v[i + 2]) >= 0) {
      out[n++] = static_cast<char>(hex_digit(v[i + 1]) * 16 + hex_digit(v[i + 2]));
      i += 2;
    } else {
      out[n++] = v[i] == '+' ? ' ' : v[i];
    }
  }
  return {out, n};
}

}  // namespace

std::optional<Transform> transform_named(std::string_view name) {
  if (name == "hex") return Transform::hex;
  if (name == "url") return Transform::url;
  return std::nullopt;
}

std::string_view transform_name(Transform t) {
  switch (t) {
    case Transform::hex:
      return "hex";
    case Transform::url:
      return "url";
    case Transform::none:
      break;
  }
  return "none";
}

std::string_view apply_transform(Transform t, std::string_view value, core::Arena& arena) {
  switch (t) {
    case Transform::hex:
      return from_hex(value, arena);
    case Transform::url:
      return from_url(value, arena);
    case Transform::none:
      break;
  }
  return value;
}

}  // namespace vigie::detect
