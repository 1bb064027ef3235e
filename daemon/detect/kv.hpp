// key=value decoders (rules/README.md, "kv decoder"): the scanner and a decoder's kv options.
//
// A hand-written scanner, one pass over the text: FortiGate, Stormshield, iptables/UFW and
// Cisco write `key=value` pairs with optional double quotes, and Debian ships no C or C++
// library for that wording (the JSON and YAML parsers do not read it). A regex per pair would
// cost one RE2 match per pair, and a single RE2 pattern cannot return a variable number of
// pairs; the scanner is linear in the text whatever its content and allocates nothing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/arena.hpp"
#include "core/event.hpp"
#include "detect/transform.hpp"

namespace vigie::detect {

// Pairs a line yields at most (more are counted as a truncation), and the longest key read.
inline constexpr std::size_t kKvMaxPairs = 256;
inline constexpr std::size_t kKvMaxKey = 64;

struct KvPair {
  std::string_view key;
  std::string_view value;  // without the quotes; escapes still in place when `escaped`
  bool escaped = false;    // a quoted value holding a backslash escape (see kv_unescape)
  bool quoted = false;     // the value was written between quotes
};

struct KvScanOutcome {
  bool truncated = false;  // more than kKvMaxPairs pairs: the rest of the text was not read
  bool malformed = false;  // an unterminated quote, an empty or over-long key, a bad key byte
};

// How a decoder's pairs are separated: ' ' means any run of spaces and tabs (FortiGate,
// Stormshield, iptables); another character (',' or ';') separates pairs, and blanks around
// keys and unquoted values are trimmed. The ASCII group separator (0x1D, which auditd's
// enriched format puts before its interpreted fields) counts as a blank. `single_quotes`: a
// value may also be quoted 'like this' (auditd's msg='...'), closed by the same quote.
struct KvSyntax {
  char separator = ' ';
  bool single_quotes = false;
};

// Appends the pairs of `text` to `out` (cleared first). Keys are 1-64 bytes of
// [A-Za-z0-9_.-]; a word without `=` (iptables `DF`, `SYN`, UFW's `[UFW BLOCK]`) is not a pair
// and is passed over. `key=` gives an empty value. `key="..."` may hold separators and the
// escapes `\"` and `\\` (`\'` in single quotes); an unterminated quote takes the rest of the
// text (malformed).
KvScanOutcome scan_kv(std::string_view text, const KvSyntax& syntax, std::vector<KvPair>& out);

// A quoted value with its escapes removed (`\"` → `"`, `\'` → `'`, `\\` → `\`, any other backslash is kept),
// copied into `arena`; `value` itself when it holds no escape.
std::string_view kv_unescape(std::string_view value, bool escaped, core::Arena& arena);

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// The `kv:` block of a decoder document.
struct KvDecoder {
  KvSyntax syntax;
  std::string prefix;  // every pair is set as prefix + key when not empty ("fortigate.")
  // key → where its value also goes (an ECS or Vigie field); keys are case-sensitive.
  std::unordered_map<std::string, core::FieldRef, StringHash, std::equal_to<>> map;
  // Where the text before the first pair goes, blanks trimmed, when there is any: a log prefix
  // (netfilter's `[UFW BLOCK]`, a vendor's tag) without a regex.
  std::optional<core::FieldRef> lead;
  std::vector<std::string> require;  // keys that must all be present, else the decoder does nothing
  // `transform: {key: hex}`: values of these keys are rewritten (detect/transform.hpp) before
  // they are set, under the prefix and to their mapped field; a quoted value is never
  // hex-decoded. A key written `stem#` stands for the stem followed by digits (`a#`: a0, a1...).
  std::unordered_map<std::string, Transform, StringHash, std::equal_to<>> transforms;
  std::vector<std::pair<std::string, Transform>> stem_transforms;
  [[nodiscard]] Transform transform_for(std::string_view key) const;
};

}  // namespace vigie::detect
