#include "detect/capture.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <mutex>

#include <spdlog/spdlog.h>

namespace vigie::detect {
namespace {

// Backtracking steps PCRE2 may take for one capture before RE2 decides instead: far above what
// a decoder pattern needs on a line (hundreds), far below what would cost a microsecond more.
constexpr uint32_t kMatchLimit = 20'000;
constexpr const char* kSpace = "\\t\\n\\f\\r ";

}  // namespace

std::string PcreTwin::translate(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  bool in_class = false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (static_cast<unsigned char>(c) >= 0x80) return {};  // literal non-ASCII: folding may differ
    if (c == '\\') {
      if (i + 1 >= p.size()) return {};
      const char n = p[++i];
      switch (n) {
        case 's':
          out += in_class ? std::string(kSpace) : "[" + std::string(kSpace) + "]";
          break;
        case 'S':
          if (in_class) return {};
          out += "[^" + std::string(kSpace) + "]";
          break;
        case 'C':
        case 'p':
        case 'P':
        case 'Q':
        case 'E':
        case 'x':  // \x{...}: code points past ASCII
          return {};
        default:
          out += c;
          out += n;
      }
      continue;
    }
    if (in_class) {
      if (c == ']' && out.back() != '[' && !(out.size() >= 2 && out.back() == '^' && out[out.size() - 2] == '[')) {
        in_class = false;
      } else if (c == '[' && i + 1 < p.size() && p[i + 1] == ':') {
        const auto end = p.find(":]", i + 2);
        if (end == std::string_view::npos) return {};
        out.append(p.substr(i, end + 2 - i));
        i = end + 1;
        continue;
      }
    } else if (c == '[') {
      in_class = true;
    }
    out += c;
  }
  return in_class ? std::string() : out;
}

std::unique_ptr<PcreTwin> PcreTwin::build(const RE2& re) {
  if (!re.ok() || re.options().encoding() != RE2::Options::EncodingUTF8 || re.options().longest_match() ||
      !re.options().case_sensitive() || re.options().never_nl() || re.options().dot_nl() || re.options().literal() ||
      re.options().posix_syntax())
    return nullptr;
  const std::string text = translate(re.pattern());
  if (text.empty()) return nullptr;
  int error = 0;
  PCRE2_SIZE offset = 0;
  // Anchored where the caller starts it; `$` only at the end (RE2's meaning); UTF (texts are
  // valid UTF-8 by then: detect/pattern.hpp matchable).
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(),
                    PCRE2_ANCHORED | PCRE2_DOLLAR_ENDONLY | PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_NEVER_BACKSLASH_C,
                    &error, &offset, nullptr);
  if (code == nullptr) return nullptr;
  uint32_t groups = 0;
  pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
  if (static_cast<int>(groups) != re.NumberOfCapturingGroups()) {
    pcre2_code_free(code);
    return nullptr;
  }
  if (const int jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); jit != 0) {
    // Most often the process may not map writable and executable memory (systemd's
    // MemoryDenyWriteExecute=, SELinux deny_execmem): every twin is lost, captures still work.
    static std::once_flag told;
    std::call_once(told, [jit] {
      PCRE2_UCHAR why[120] = {0};
      pcre2_get_error_message(jit, why, sizeof why);
      spdlog::warn(
          "PCRE2 JIT unavailable ({}): decoder captures use RE2 alone, several times slower per "
          "decoded line; allow writable+executable memory for vigie (systemd: no MemoryDenyWriteExecute)",
          reinterpret_cast<const char*>(why));
    });
    pcre2_code_free(code);
    return nullptr;
  }
  std::unique_ptr<PcreTwin> twin(new PcreTwin());
  twin->code_ = code;
  return twin;
}

PcreTwin::~PcreTwin() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

CaptureScratch::CaptureScratch() {
  data_ = pcre2_match_data_create(64, nullptr);
  auto* context = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(context, kMatchLimit);
  context_ = context;
}

CaptureScratch::~CaptureScratch() {
  pcre2_match_data_free(static_cast<pcre2_match_data*>(data_));
  pcre2_match_context_free(static_cast<pcre2_match_context*>(context_));
}

bool CaptureScratch::leftmost(const RE2& re, const PcreTwin* twin, std::string_view lead, std::string_view text,
                              re2::StringPiece* groups, int n) {
  const re2::StringPiece piece(text.data(), text.size());
  if (lead.empty()) {
    // RE2's DFAs find the leftmost match (forward for its end, backward for its start); only
    // its groups are left to find, anchored at its start.
    re2::StringPiece whole;
    if (!re.Match(piece, 0, text.size(), RE2::UNANCHORED, &whole, 1)) return false;
    return groups_at(re, twin, text, whole, groups, n);
  }
  constexpr int kMaxTries = 4;
  std::size_t from = 0;
  for (int tries = 0; tries < kMaxTries; ++tries) {
    const std::size_t at = text.find(lead, from);
    if (at == std::string_view::npos) return false;  // every match starts with `lead`
    if (match_at(re, twin, text, at, groups, n)) return true;
    from = at + 1;
  }
  return re.Match(piece, from, text.size(), RE2::UNANCHORED, groups, n);
}

int CaptureScratch::twin_at(const PcreTwin& twin, std::string_view text, std::size_t at, re2::StringPiece* groups,
                            int n, std::size_t end) {
  if (n > 64) return -1;  // more groups than the match data holds
  auto* data = static_cast<pcre2_match_data*>(data_);
  const int rc = pcre2_jit_match(static_cast<const pcre2_code*>(twin.code_), reinterpret_cast<PCRE2_SPTR>(text.data()),
                                 text.size(), at, 0, data, static_cast<pcre2_match_context*>(context_));
  if (rc == PCRE2_ERROR_NOMATCH) return 0;
  if (rc <= 0) return -1;  // the match limit, or an error
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data);
  if (end != kAnyEnd && ov[1] != end) return -1;
  for (int i = 0; i < n; ++i) {
    const PCRE2_SIZE b = ov[2 * i];
    const PCRE2_SIZE e = ov[2 * i + 1];
    groups[i] = i < rc && b != PCRE2_UNSET ? re2::StringPiece(text.data() + b, e - b) : re2::StringPiece();
  }
  return 1;
}

bool CaptureScratch::match_at(const RE2& re, const PcreTwin* twin, std::string_view text, std::size_t at,
                              re2::StringPiece* groups, int n) {
  const re2::StringPiece piece(text.data(), text.size());
  // A twin answers alone where it exists: most leads tried are not a match (the set entry is a
  // necessary condition only), and PCRE2's JIT tells so in a few steps where RE2's anchored
  // match costs a DFA walk (1.3 k instructions per try on the bench log). Both engines give
  // Perl's leftmost-first match for the syntax a twin is built from; the unit test holds them
  // to it. Past the match limit, RE2's capturing match decides.
  if (twin != nullptr) {
    if (const int r = twin_at(*twin, text, at, groups, n); r >= 0) return r == 1;
    return re.Match(piece, at, text.size(), RE2::ANCHOR_START, groups, n);
  }
  // RE2's DFA: whether the pattern matches at `at`, and its whole match (no BitState).
  re2::StringPiece whole;
  if (!re.Match(piece, at, text.size(), RE2::ANCHOR_START, &whole, 1)) return false;
  return groups_at(re, nullptr, text, whole, groups, n);
}

bool CaptureScratch::groups_at(const RE2& re, const PcreTwin* twin, std::string_view text, re2::StringPiece whole,
                               re2::StringPiece* groups, int n) {
  const re2::StringPiece piece(text.data(), text.size());
  const auto at = static_cast<std::size_t>(whole.data() - text.data());
  if (n <= 1) {
    if (n == 1) groups[0] = whole;
    return true;
  }
  const auto end = static_cast<std::size_t>(whole.end() - text.data());
  if (twin != nullptr && twin_at(*twin, text, at, groups, n, end) == 1) return true;
  return re.Match(piece, at, text.size(), RE2::ANCHOR_START, groups, n);
}

}  // namespace vigie::detect
