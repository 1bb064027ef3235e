// The STIX 2.1 (and 2.0) bundle reader, with simdjson's DOM API — one parser per call, the
// document lives as long as the call. Mappings and skip rules: feeds/README.md, "Formats"; the
// STIX pattern shapes understood: the grammar below.
#include <simdjson.h>

#include <climits>
#include <unordered_map>
#include <utility>

#include "core/time.hpp"
#include "intel/formats.hpp"
#include "intel/json_util.hpp"

namespace vigie::intel {

using detail::add_error;
using detail::flag_at;
using detail::parse_json;
using detail::str_at;
using detail::str_or;

namespace {

namespace dom = simdjson::dom;

std::optional<int64_t> rfc3339_seconds(std::string_view s) {
  auto t = core::parse_rfc3339(s);
  if (!t) return std::nullopt;
  return std::chrono::floor<std::chrono::seconds>(t->time_since_epoch()).count();
}

// ---- STIX patterns -------------------------------------------------------------------------
//
//   pattern := obs ( OR obs )*                 AND / FOLLOWEDBY between observations: unsupported
//   obs     := '[' cmps ']' | '(' pattern ')'  a qualifier after it (WITHIN, REPEATS, START): unsupported
//   cmps    := all ( OR all )*                 each side indexed on its own; unsupported sides dropped
//   all     := one ( AND one )*                only between file:hashes.* comparisons (one file)
//   one     := path '=' 'string' | '(' cmps ')'
//   path    := ipv4-addr:value | ipv6-addr:value | domain-name:value | url:value | email-addr:value
//            | file:hashes.(MD5|SHA-1|SHA-256), quoted or not, any case; anything else unsupported

struct Comparison {
  IocType type;
  std::string value;
};
struct Node {
  std::vector<Comparison> found;  // the supported comparisons it yields
  bool hashes_only = true;        // a hash comparison, or an AND of them: may be ANDed further
};

std::optional<IocType> path_type(std::string path) {
  for (char& c : path) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  if (path == "ipv4-addr:value" || path == "ipv6-addr:value") return IocType::ip;
  if (path == "domain-name:value") return IocType::domain;
  if (path == "url:value") return IocType::url;
  if (path == "email-addr:value") return IocType::email;
  if (path.rfind("file:hashes.", 0) != 0) return std::nullopt;
  std::string algo;
  for (char c : path.substr(12))
    if (c != '\'' && c != '-') algo += c;
  if (algo == "md5") return IocType::md5;
  if (algo == "sha1") return IocType::sha1;
  if (algo == "sha256") return IocType::sha256;
  return std::nullopt;
}

bool is_hash(IocType t) { return t == IocType::md5 || t == IocType::sha1 || t == IocType::sha256; }

// Recursive descent over the pattern text; depth bounded (untrusted input).
class PatternParser {
 public:
  explicit PatternParser(std::string_view p) : p_(p) {}

  // The supported comparisons (empty: an unsupported shape); unexpected: a malformed pattern.
  tl::expected<std::vector<Comparison>, std::string> run() {
    Node n = either(0, true);
    peek();
    if (error_.empty() && i_ < p_.size()) fail("unexpected text at offset " + std::to_string(i_));
    if (!error_.empty()) return tl::unexpected(error_);
    return std::move(n.found);
  }

 private:
  static constexpr int kMaxDepth = 32;
  static bool word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  }
  Node fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return {};
  }
  char peek() {
    while (i_ < p_.size() && (p_[i_] == ' ' || p_[i_] == '\t' || p_[i_] == '\n' || p_[i_] == '\r')) ++i_;
    return i_ < p_.size() ? p_[i_] : '\0';
  }
  void expect(char c) {
    if (peek() == c)
      ++i_;
    else
      fail(std::string("expected '") + c + "' at offset " + std::to_string(i_));
  }
  // The next word (AND, OR, MATCHES, ...) upper-cased; consumed only when `take`.
  std::string word(bool take) {
    peek();
    std::size_t j = i_;
    std::string w;
    for (; j < p_.size() && (word_char(p_[j]) || p_[j] == '.' || p_[j] == '+'); ++j)
      w += p_[j] >= 'a' && p_[j] <= 'z' ? static_cast<char>(p_[j] - 'a' + 'A') : p_[j];
    if (take) i_ = j;
    return w;
  }
  // At an opening quote: 'text' with \' and \\ escapes.
  std::string literal() {
    std::string out;
    for (++i_; i_ < p_.size(); ++i_) {
      if (p_[i_] == '\\' && i_ + 1 < p_.size()) {
        out += p_[++i_];
      } else if (p_[i_] == '\'') {
        ++i_;
        return out;
      } else {
        out += p_[i_];
      }
    }
    fail("unterminated string");
    return out;
  }
  // A constant: 'string' (returned); t'...', h'...', b'...', numbers, booleans, ('a', 'b') (nullopt).
  std::optional<std::string> constant(int depth) {
    if (peek() == '\'') return literal();
    if (peek() == '(' && depth <= kMaxDepth) {
      ++i_;
      while (error_.empty() && peek() != ')' && peek() != '\0') {
        constant(depth + 1);
        if (peek() == ',') ++i_;
      }
      expect(')');
      return std::nullopt;
    }
    if (word(true).empty())
      fail("expected a constant at offset " + std::to_string(i_));
    else if (peek() == '\'')
      literal();
    return std::nullopt;
  }

  // obs (OR obs)* at the observation level, all (OR all)* inside brackets.
  Node either(int depth, bool observations) {
    if (depth > kMaxDepth) return fail("nested too deep");
    Node n = observations ? observation(depth) : all(depth);
    bool sequence = false;  // AND or FOLLOWEDBY between observations: no single value stands for it
    while (error_.empty()) {
      const auto w = word(false);
      if (w != "OR" && !(observations && (w == "AND" || w == "FOLLOWEDBY"))) break;
      word(true);
      sequence = sequence || w != "OR";
      Node m = observations ? observation(depth) : all(depth);
      std::move(m.found.begin(), m.found.end(), std::back_inserter(n.found));
      n.hashes_only = false;
    }
    if (sequence) n.found.clear();
    return n;
  }
  Node observation(int depth) {
    Node n;
    if (peek() == '(') {
      ++i_;
      n = either(depth + 1, true);
      expect(')');
    } else {
      expect('[');
      if (error_.empty()) n = either(depth + 1, false);
      expect(']');
    }
    for (auto w = word(false); error_.empty() && (w == "WITHIN" || w == "REPEATS" || w == "START"); w = word(false)) {
      n.found.clear();  // qualified: about timing and counts, not one value
      word(true);
      constant(depth);
      if (w != "START" && word(true) != (w == "WITHIN" ? "SECONDS" : "TIMES")) fail("bad " + w + " qualifier");
      if (w == "START" && word(true) == "STOP") constant(depth);
    }
    return n;
  }
  Node all(int depth) {
    Node n = one(depth);
    bool joined = false;
    bool hashes = n.hashes_only && !n.found.empty();
    while (error_.empty() && word(false) == "AND") {
      word(true);
      joined = true;
      Node m = one(depth);
      hashes = hashes && m.hashes_only && !m.found.empty();
      std::move(m.found.begin(), m.found.end(), std::back_inserter(n.found));
    }
    if (joined) {
      if (!hashes) n.found.clear();  // AND across object types, or with an unsupported comparison
      n.hashes_only = hashes;
    }
    return n;
  }
  Node one(int depth) {
    if (peek() == '(') {
      ++i_;
      Node n = either(depth + 1, false);
      expect(')');
      return n;
    }
    // object-type ':' property path, with 'quoted' steps and [*] / [n] list steps.
    const std::size_t start = i_;
    while (i_ < p_.size() &&
           (word_char(p_[i_]) || p_[i_] == ':' || p_[i_] == '.' || p_[i_] == '\'' || (p_[i_] == '[' && i_ > start))) {
      if (p_[i_] == '\'' || p_[i_] == '[') {
        const auto end = p_.find(p_[i_] == '\'' ? '\'' : ']', i_ + 1);
        if (end == std::string_view::npos) return fail("unterminated object path");
        i_ = end;
      }
      ++i_;
    }
    const auto path = p_.substr(start, i_ - start);
    if (path.find(':') == std::string_view::npos)
      return fail("expected an object path at offset " + std::to_string(start));
    const bool negated = word(false) == "NOT";
    if (negated) word(true);
    std::string op;
    if (const char c = peek(); c == '=' || c == '!' || c == '<' || c == '>') {
      op += p_[i_++];
      if (i_ < p_.size() && p_[i_] == '=') op += p_[i_++];
    } else {
      op = word(true);  // MATCHES, LIKE, IN, ISSUBSET, ISSUPERSET, EXISTS...
    }
    if (op.empty() || op == "!") return fail("expected an operator after " + std::string(path));
    const auto v = constant(depth);
    const auto type = path_type(std::string(path));
    Node n;
    n.hashes_only = false;
    if (type && op == "=" && !negated && v) {
      n.found.push_back({*type, *v});
      n.hashes_only = is_hash(*type);
    }
    return n;
  }

  std::string_view p_;
  std::size_t i_ = 0;
  std::string error_;
};

// ---- STIX bundle ---------------------------------------------------------------------------

// The TLP marking definitions STIX predefines (2.1 §7.2.1.4, TLP 1.0) and the TLP 2.0 ones.
std::optional<std::string_view> standard_marking(std::string_view id) {
  static constexpr std::pair<std::string_view, std::string_view> kMarkings[] = {
      {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "CLEAR"},
      {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "GREEN"},
      {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "AMBER"},
      {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "RED"},
      {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "CLEAR"},
      {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "GREEN"},
      {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "AMBER"},
      {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "AMBER+STRICT"},
      {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "RED"},
  };
  for (const auto& [mid, level] : kMarkings)
    if (mid == id) return level;
  return std::nullopt;
}

// TLP marking definitions the bundle itself carries: definition_type "tlp" or a "TLP:..." name.
using Markings = std::unordered_map<std::string_view, std::string>;
void add_marking(dom::object o, Markings& markings) {
  std::optional<std::string> level;
  dom::object def;
  if (str_or(o, "definition_type") == "tlp" && !o.at_key("definition").get_object().get(def))
    level = detail::tlp_level(str_or(def, "tlp"));
  if (const auto name = str_or(o, "name"); !level && detail::iequals(name.substr(0, 4), "tlp:"))
    level = detail::tlp_level(name);
  if (level) markings.emplace(str_or(o, "id"), *level);
}

std::string stix_tlp(dom::object o, const Markings& markings) {
  std::string tlp;
  dom::array refs;
  if (!o.at_key("object_marking_refs").get_array().get(refs))
    for (auto r : refs) {
      std::string_view id;
      if (r.get_string().get(id)) continue;
      if (auto level = standard_marking(id))
        tlp = detail::stricter_tlp(tlp, std::string(*level));
      else if (auto it = markings.find(id); it != markings.end())
        tlp = detail::stricter_tlp(tlp, it->second);
    }
  dom::array labels;
  if (tlp.empty() && !o.at_key("labels").get_array().get(labels))
    for (auto l : labels) {
      std::string_view label;
      if (l.get_string().get(label) || !detail::iequals(label.substr(0, 4), "tlp:")) continue;
      if (auto level = detail::tlp_level(label)) tlp = detail::stricter_tlp(tlp, *level);
    }
  return tlp;
}

// One indicator object, known current (not superseded): its indicators, or counted.
void stix_indicator(dom::object o, std::string_view id, const Markings& markings, const FormatOptions& opts,
                    ParseReport& report, std::vector<Indicator>& out) {
  const auto bad = [&](std::string why) {
    ++report.invalid;
    add_error(report, std::string(id) + ": " + why);
  };
  if (flag_at(o, "revoked")) return void(++report.withdrawn);
  if (const auto type = str_at(o, "pattern_type"); type && *type != "stix") return void(++report.unsupported);
  const auto pattern = str_at(o, "pattern");
  if (!pattern) return bad("no pattern");
  auto found = PatternParser(*pattern).run();
  if (!found) return bad("malformed pattern " + detail::quoted(*pattern) + ": " + found.error());
  if (found->empty()) return void(++report.unsupported);
  std::vector<Indicator> got;
  for (auto& c : *found) {
    std::string v = refang(detail::trim(c.value));
    if (const auto why = detail::invalid_reason(c.type, v); !why.empty())
      return bad(detail::quoted(v) + ": " + std::string(why));
    got.push_back(detail::make_indicator(c.type, std::move(v), opts));
  }
  const auto tlp = stix_tlp(o, markings);
  const auto name = str_or(o, "name");
  const auto first =
      rfc3339_seconds(str_or(o, "valid_from")).value_or(rfc3339_seconds(str_or(o, "created")).value_or(0));
  int64_t confidence = -1;
  const bool has_confidence = !o.at_key("confidence").get_int64().get(confidence);
  if (has_confidence && (confidence < 0 || confidence > 100))
    add_error(report, std::string(id) + ": confidence " + std::to_string(confidence) + " out of 0-100, ignored");
  const auto until = str_at(o, "valid_until");
  const auto expires = until ? rfc3339_seconds(*until) : std::nullopt;
  if (until && !expires) add_error(report, std::string(id) + ": valid_until " + detail::quoted(*until) + " ignored");
  for (auto& ind : got) {
    ind.advisory = id;
    ind.description = name.empty() ? str_or(o, "description") : name;
    if (!tlp.empty()) ind.tlp = tlp;
    if (has_confidence && confidence >= 0 && confidence <= 100) ind.confidence = static_cast<int>(confidence);
    ind.first_seen = first;
    ind.expires = expires.value_or(0);
    out.push_back(std::move(ind));
  }
}

}  // namespace

Parsed parse_stix(std::string_view body, const FormatOptions& opts, ParseReport& report) {
  dom::parser parser;
  auto root = parse_json(parser, body);
  if (!root) return tl::unexpected(root.error());
  dom::object bundle;
  if (root->get_object().get(bundle) || str_or(bundle, "type") != "bundle")
    return tl::unexpected(std::string("not a STIX bundle (no top-level object of type \"bundle\")"));
  dom::array objects;
  auto objects_field = bundle.at_key("objects");
  if (objects_field.error() == simdjson::NO_SUCH_FIELD) return std::vector<Indicator>{};
  if (objects_field.get_array().get(objects))
    return tl::unexpected(std::string("STIX bundle: \"objects\" is not an array"));

  // First pass: the bundle's TLP markings, and the current version of each indicator id (the
  // later `modified` wins; on a tie, the later in the bundle).
  Markings markings;
  std::unordered_map<std::string_view, std::pair<int64_t, std::size_t>> current;
  std::size_t index = 0;
  for (auto element : objects) {
    dom::object o;
    if (!element.get_object().get(o)) {
      const auto type = str_or(o, "type");
      if (type == "marking-definition") add_marking(o, markings);
      if (const auto id = str_at(o, "id"); type == "indicator" && id) {
        const auto m = str_at(o, "modified") ? str_or(o, "modified") : str_or(o, "created");
        const auto t = core::parse_rfc3339(m);
        const int64_t us = t ? t->time_since_epoch().count() : INT64_MIN;
        auto [it, fresh] = current.try_emplace(*id, us, index);
        if (!fresh && us >= it->second.first) it->second = {us, index};
      }
    }
    ++index;
  }

  std::vector<Indicator> out;
  index = 0;
  for (auto element : objects) {
    const std::size_t at = index++;
    dom::object o;
    if (element.get_object().get(o)) {
      ++report.records;
      ++report.invalid;
      add_error(report, "objects[" + std::to_string(at) + "]: not an object");
      continue;
    }
    if (str_or(o, "type") != "indicator") continue;
    ++report.records;
    const auto id = str_at(o, "id");
    if (!id || id->empty()) {
      ++report.invalid;
      add_error(report, "objects[" + std::to_string(at) + "]: indicator without an id");
      continue;
    }
    if (current[*id].second != at) {
      ++report.withdrawn;  // superseded by a later version of the same id
      continue;
    }
    stix_indicator(o, *id, markings, opts, report, out);
  }
  return out;
}

}  // namespace vigie::intel
