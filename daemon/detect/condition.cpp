#include "detect/condition.hpp"

#include <cctype>

namespace vigie::detect {
namespace {

struct Token {
  enum class Kind : uint8_t { word, lparen, rparen, end };
  Kind kind = Kind::end;
  std::string text;
  std::size_t column = 0;  // 1-based
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Glob match for `1 of sel*` patterns (only `*` is special).
bool glob(std::string_view pat, std::string_view s) {
  std::size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pat.size() && pat[p] != '*' && pat[p] == s[i]) {
      ++p;
      ++i;
    } else if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

class Parser {
 public:
  Parser(std::string_view text, const std::vector<std::string>& names) : names_(names) { tokenize(text); }

  tl::expected<CondNode, std::string> run() {
    if (!error_.empty()) return tl::unexpected(error_);
    CondNode n = parse_or();
    if (error_.empty() && peek().kind != Token::Kind::end) fail(peek(), "unexpected '" + peek().text + "'");
    if (!error_.empty()) return tl::unexpected(error_);
    return n;
  }

 private:
  void tokenize(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
      const char c = text[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
      } else if (c == '(' || c == ')') {
        tokens_.push_back({c == '(' ? Token::Kind::lparen : Token::Kind::rparen, std::string(1, c), i + 1});
        ++i;
      } else {
        const std::size_t start = i;
        while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) && text[i] != '(' &&
               text[i] != ')')
          ++i;
        tokens_.push_back({Token::Kind::word, std::string(text.substr(start, i - start)), start + 1});
      }
    }
    tokens_.push_back({Token::Kind::end, "end of condition", text.size() + 1});
    if (tokens_.size() == 1) error_ = "condition is empty";
  }

  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool is_keyword(const Token& t, std::string_view kw) const {
    return t.kind == Token::Kind::word && lower(t.text) == kw;
  }
  void fail(const Token& t, const std::string& what) {
    if (error_.empty()) error_ = "condition column " + std::to_string(t.column) + ": " + what;
  }

  CondNode parse_or() {
    CondNode first = parse_and();
    if (!is_keyword(peek(), "or")) return first;
    CondNode n{CondNode::Op::any, 0, {}};
    n.kids.push_back(std::move(first));
    while (error_.empty() && is_keyword(peek(), "or")) {
      next();
      n.kids.push_back(parse_and());
    }
    return n;
  }

  CondNode parse_and() {
    CondNode first = parse_not();
    if (!is_keyword(peek(), "and")) return first;
    CondNode n{CondNode::Op::all, 0, {}};
    n.kids.push_back(std::move(first));
    while (error_.empty() && is_keyword(peek(), "and")) {
      next();
      n.kids.push_back(parse_not());
    }
    return n;
  }

  CondNode parse_not() {
    if (is_keyword(peek(), "not")) {
      next();
      CondNode n{CondNode::Op::negate, 0, {}};
      n.kids.push_back(parse_not());
      return n;
    }
    return parse_primary();
  }

  CondNode parse_primary() {
    const Token& t = next();
    if (t.kind == Token::Kind::lparen) {
      CondNode n = parse_or();
      if (peek().kind != Token::Kind::rparen)
        fail(peek(), "expected ')' but found '" + peek().text + "'");
      else
        next();
      return n;
    }
    if (t.kind != Token::Kind::word) {
      fail(t, "expected an identifier, 'not', '(' or 'N of' but found '" + t.text + "'");
      return {};
    }
    const std::string kw = lower(t.text);
    if (kw == "and" || kw == "or" || kw == "of" || kw == "them") {
      fail(t, "unexpected keyword '" + t.text + "'");
      return {};
    }
    if ((kw == "1" || kw == "all" || kw == "any") && is_keyword(peek(), "of")) {
      next();
      return parse_quantifier(t, kw == "all");
    }
    if (std::isdigit(static_cast<unsigned char>(kw[0])) && is_keyword(peek(), "of")) {
      fail(t, "only '1 of' and 'all of' are supported, not '" + t.text + " of'");
      return {};
    }
    for (std::size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == t.text) return CondNode{CondNode::Op::ref, static_cast<uint32_t>(i), {}};
    fail(t, "unknown identifier '" + t.text + "'");
    return {};
  }

  CondNode parse_quantifier(const Token& quant, bool all) {
    const Token& target = next();
    if (target.kind != Token::Kind::word) {
      fail(target, "expected an identifier pattern or 'them' after '" + quant.text + " of'");
      return {};
    }
    const bool them = lower(target.text) == "them";
    CondNode n{all ? CondNode::Op::all : CondNode::Op::any, 0, {}};
    for (std::size_t i = 0; i < names_.size(); ++i) {
      const bool hit = them ? names_[i].rfind('_', 0) != 0 : glob(target.text, names_[i]);
      if (hit) n.kids.push_back(CondNode{CondNode::Op::ref, static_cast<uint32_t>(i), {}});
    }
    if (n.kids.empty()) fail(target, "'" + target.text + "' matches no search identifier");
    return n;
  }

  const std::vector<std::string>& names_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace

tl::expected<CondNode, std::string> parse_condition(std::string_view text, const std::vector<std::string>& names) {
  return Parser(text, names).run();
}

}  // namespace vigie::detect
