// String-matching building blocks shared by the rule compiler, the matcher and the naive
// evaluator: Sigma wildcard values turned into RE2 syntax, ASCII case folding for the exact-match
// index, base64 for the `base64` modifier, and the one place that calls RE2::Set::Match.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

namespace vigie::detect {

// How a Sigma string value is anchored once its modifiers are applied.
enum class Anchor : uint8_t { exact, contains, startswith, endswith };

// True if `value` holds an unescaped Sigma wildcard (`*` or `?`).
[[nodiscard]] bool has_wildcard(std::string_view value);

// Removes Sigma escapes (`\*` → `*`, `\?` → `?`, `\\` → `\`) from a value without wildcards.
[[nodiscard]] std::string unescape_value(std::string_view value);

// Translates a Sigma value (wildcards `*`, `?`, escapes) into an RE2 pattern that matches the
// whole field as the anchor requires. `*` becomes `\C*` so that invalid UTF-8 in a log line
// never hides a match; `?` is one character. Case-insensitive unless `cased`.
// `windash`: every `-` or `/` that starts a word (pySigma's `\B[-/]\b`: not after a word
// character, before one; a wildcard counts as a non-word character) matches any of pySigma's
// set — hyphen-minus, slash, en dash, em dash, horizontal bar — through one character class per
// position, which is every combination Sigma's expansion would list.
[[nodiscard]] std::string wildcard_to_regex(std::string_view value, Anchor anchor, bool cased, bool windash = false);

// True if `windash` changes anything in `value` (a `-` or `/` starting a word).
[[nodiscard]] bool has_windash_position(std::string_view value);

// Same, for a value that must be taken literally (no wildcard interpretation), e.g. base64 output.
[[nodiscard]] std::string literal_to_regex(std::string_view value, Anchor anchor, bool cased);

// ASCII lower-casing; other bytes are kept as they are (see README: case-insensitivity).
void ascii_fold(std::string_view in, std::string& out);
[[nodiscard]] inline std::string ascii_fold(std::string_view in) {
  std::string out;
  ascii_fold(in, out);
  return out;
}

// A finite decimal number, the only kind `lt/lte/gt/gte` compare: "-12", "0.5", "1e3". Hex,
// "inf", "nan" and trailing text are not numbers (on either side: rule values and field values).
[[nodiscard]] std::optional<double> parse_decimal(std::string_view s);

// Standard base64 with padding (RFC 4648 §4).
[[nodiscard]] std::string base64_encode(std::string_view in);

// The three forms `in` takes inside a longer base64 text, as Sigma's `base64offset` computes
// them (pySigma): `in` preceded by 0, 1 or 2 bytes, encoded, with the leading characters that
// depend on the bytes before it (0, 2, 3) and the trailing ones that depend on the bytes after
// it (none, 3 or 2, by the length modulo 3) cut off. A form may be empty for a 1- or 2-byte value.
[[nodiscard]] std::vector<std::string> base64_offsets(std::string_view in);

// The UTF-16 encodings of Sigma's utf16le/wide, utf16be and utf16 (a little-endian byte order
// mark, then UTF-16LE). `utf8` is read as UTF-8; an invalid byte becomes U+FFFD.
enum class Utf16 : uint8_t { none, le, be, bom_le };
[[nodiscard]] std::string utf16_encode(std::string_view utf8, Utf16 kind);

// True when `text` is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
// ASCII is checked 8 bytes at a time: the common case costs one pass of word loads.
[[nodiscard]] bool valid_utf8(std::string_view text);

// What RE2 (UTF-8 mode) is given to match: `text` itself when it is valid UTF-8; otherwise a copy
// in `scratch` where each byte that is not part of a valid sequence becomes U+FFFD. RE2 in UTF-8
// mode matches nothing across an invalid byte (`.`, `\S`, classes), so one `\xff` in a user name
// would hide a brute force; matching the copy, the field's value changes (captures come from the
// copy), never whether a decoder or a rule matches. The view is valid until `scratch` changes.
[[nodiscard]] std::string_view matchable(std::string_view text, std::string& scratch);

// How a decoded value meant for an address field (source.ip, destination.ip) is taken:
//   ip       an IPv4 or IPv6 address (core::IpAddress::parse), kept in the address field;
//   host     a host name (RFC 1123 letters, digits, hyphens; labels 1–63 bytes, 253 in all, a
//            trailing dot allowed), moved to source.domain / destination.domain;
//   invalid  anything else, not set: e.g. `183.106.179.x` or `10.0.0.1a` — a name whose labels
//            are all digits but the last is an address fragment (RFC 3696 §2), not a host.
enum class AddressKind : uint8_t { ip, host, invalid };
[[nodiscard]] AddressKind classify_address(std::string_view value);

// Scans `text` with `set` through RE2::Set::Match with error reporting. On a set error (DFA out
// of memory, inconsistent result) every regex of `singles` (same order as the set) is tried on
// its own, so an error costs time but never a match. `out` receives the matching indices in
// ascending order. Returns "" on success, else the error kind for vigie_regex_errors_total.
// Invalid UTF-8 in `text` is matched as matchable() says.
// `any_first`: ask RE2 whether anything matches before asking which (cheaper when most texts
// match nothing; a set that usually matches is better asked which at once).
[[nodiscard]] std::string_view scan_set(const RE2::Set& set, const std::vector<const RE2*>& singles,
                                        std::string_view text, std::vector<int>& out, bool any_first = true);

// The literal every match of `re` starts with ("" when there is none, e.g. a leading class,
// `(?i)`, or a pattern that can match the empty string): the common prefix of the range
// RE2::PossibleMatchRange gives for a match anchored where it starts. At most 32 bytes.
[[nodiscard]] std::string required_lead(const RE2& re);

// Whether every match of `pattern` (RE2 syntax, default options) starts at the start of the text:
// a leading `^`, no top-level alternation, no `m` flag. False when unsure.
[[nodiscard]] bool starts_anchored(std::string_view pattern);

// What a decoder pattern adds to its field's RE2::Set: not the pattern itself but a cheap
// necessary condition of it, since the capturing match confirms every candidate anyway. A
// decoder pattern full of `\S+`, `.*` and captures multiplies the states of the set's DFA
// (decoders and 1,000 rules in one set scan nearly twice as slowly as the rules alone); its
// required lead (anchored when the pattern is), or else any of the literals RE2's FilteredRE2
// finds required (case-insensitive, as FilteredRE2 lowers them), matches whenever it does. A
// pattern with neither enters the set as it is.
[[nodiscard]] std::string decoder_scan_entry(const RE2& re);

}  // namespace vigie::detect
