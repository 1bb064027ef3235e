// The line-oriented feed formats: CSV (RFC 4180 with a header row), Zeek intel (TSV under a
// #fields header) and plain lists. Mappings and skip rules: feeds/README.md, "Formats".
#include <charconv>
#include <utility>

#include "core/net.hpp"
#include "intel/formats.hpp"

namespace vigie::intel {

using detail::add_error;
using detail::trim;

namespace {

// Text feeds are text: a NUL byte means a binary file was fetched in its place.
std::optional<std::string> binary_reason(std::string_view body) {
  const auto nul = body.find('\0');
  if (nul == std::string_view::npos) return std::nullopt;
  return "binary data (NUL byte at offset " + std::to_string(nul) + "), not a text feed";
}

std::string_view strip_bom(std::string_view body) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  return body;
}

// Calls fn(line_number, line) for each line, without its "\n" or "\r\n".
template <typename Fn>
void for_each_line(std::string_view body, Fn&& fn) {
  std::size_t line_no = 0;
  while (!body.empty()) {
    ++line_no;
    const auto nl = body.find('\n');
    auto line = body.substr(0, nl);
    body.remove_prefix(nl == std::string_view::npos ? body.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(line_no, line);
  }
}

void count_invalid(ParseReport& report, std::size_t line, std::string_view why) {
  ++report.invalid;
  add_error(report, "line " + std::to_string(line) + ": " + std::string(why));
}

// The value's type was resolved; check the value and count it invalid if it is not one.
bool check_value(ParseReport& report, std::size_t line, IocType type, std::string_view value) {
  const auto why = detail::invalid_reason(type, value);
  if (why.empty()) return true;
  count_invalid(report, line, detail::quoted(value) + ": " + std::string(why));
  return false;
}

// ---- CSV -----------------------------------------------------------------------------------

struct CsvRecord {
  std::vector<std::string> fields;
  std::size_t line = 0;  // where the record starts (a quoted field may span lines)
  std::string error;     // non-empty: malformed, skip it
};

// RFC 4180: fields split on ',', records on CRLF, LF or CR; a field in double quotes may hold
// commas, line breaks and doubled quotes. A quote inside an unquoted field is kept as text.
class CsvReader {
 public:
  explicit CsvReader(std::string_view body) : s_(body) {}

  // The next record, or false at the end of the body.
  bool next(CsvRecord& rec) {
    rec.fields.clear();
    rec.error.clear();
    if (pos_ >= s_.size()) return false;
    rec.line = line_;
    while (true) {
      std::string field;
      if (s_[pos_] == '"') {
        if (!quoted_field(field)) {
          rec.error = "unterminated quoted field (the rest of the body is skipped)";
          pos_ = s_.size();
          return true;
        }
        if (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '\n' && s_[pos_] != '\r') {
          rec.error = "text after a closing quote";
          skip_line();
          return true;
        }
      } else {
        while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '\n' && s_[pos_] != '\r') field += s_[pos_++];
      }
      rec.fields.push_back(std::move(field));
      if (pos_ < s_.size() && s_[pos_] == ',') {
        if (++pos_ == s_.size()) rec.fields.emplace_back();  // "a," ends with an empty field
        if (pos_ < s_.size()) continue;
      }
      skip_line();
      return true;
    }
  }

 private:
  // At an opening quote; false when the body ends before the closing one.
  bool quoted_field(std::string& field) {
    ++pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') {
        if (pos_ < s_.size() && s_[pos_] == '"') {
          field += '"';
          ++pos_;
          continue;
        }
        return true;
      }
      if (c == '\n') ++line_;
      field += c;
    }
    return false;
  }
  // Past the end of the current line.
  void skip_line() {
    while (pos_ < s_.size() && s_[pos_] != '\n' && s_[pos_] != '\r') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '\r') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '\n') ++pos_;
    ++line_;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

bool blank_record(const CsvRecord& rec) { return rec.fields.size() == 1 && trim(rec.fields[0]).empty(); }

// Index of the first header column named one of `names`, if any.
std::optional<std::size_t> column(const std::vector<std::string>& header,
                                  std::initializer_list<std::string_view> names) {
  for (auto name : names)
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
  return std::nullopt;
}

struct CsvColumns {
  std::size_t value = 0;
  std::optional<std::size_t> type, description, first_seen, tlp, confidence;
};

// Optional fields: a bad one is noted and ignored, the indicator is kept.
void csv_optional_fields(const CsvRecord& rec, const CsvColumns& cols, Indicator& ind, ParseReport& report) {
  const auto note = [&](std::string_view what, std::string_view text) {
    add_error(report,
              "line " + std::to_string(rec.line) + ": " + std::string(what) + " " + detail::quoted(text) + " ignored");
  };
  if (cols.description) ind.description = trim(rec.fields[*cols.description]);
  if (cols.first_seen) {
    const auto text = trim(rec.fields[*cols.first_seen]);
    if (auto t = detail::parse_time(text))
      ind.first_seen = *t;
    else if (!text.empty())
      note("first seen", text);
  }
  if (cols.tlp) {
    const auto text = trim(rec.fields[*cols.tlp]);
    if (auto t = detail::tlp_level(text))
      ind.tlp = *t;
    else if (!text.empty())
      note("tlp", text);
  }
  if (cols.confidence) {
    const auto text = trim(rec.fields[*cols.confidence]);
    int c = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), c);
    if (ec == std::errc{} && end == text.data() + text.size() && c >= 0 && c <= 100)
      ind.confidence = c;
    else if (!text.empty())
      note("confidence", text);
  }
}

}  // namespace

Parsed parse_csv(std::string_view body, const FormatOptions& opts, ParseReport& report) {
  if (auto why = binary_reason(body)) return tl::unexpected(*why);
  CsvReader reader(strip_bom(body));
  CsvRecord rec;
  // The header: the first record that is neither blank nor a '#' comment.
  bool found = false;
  while (reader.next(rec))
    if (!blank_record(rec) && !(rec.error.empty() && trim(rec.fields[0]).substr(0, 1) == "#")) {
      found = true;
      break;
    }
  if (!found) return tl::unexpected(std::string("empty body: a CSV feed needs a header row"));
  if (!rec.error.empty()) return tl::unexpected("line " + std::to_string(rec.line) + ": header row: " + rec.error);
  std::vector<std::string> header;
  for (const auto& f : rec.fields) header.push_back(detail::lower(trim(f)));
  CsvColumns cols;
  const auto value = column(header, {"indicator", "value", "ioc", "ioc_value"});
  if (!value)
    return tl::unexpected("line " + std::to_string(rec.line) +
                          ": no header row naming the value column (indicator, value, ioc or ioc_value)");
  cols.value = *value;
  cols.type = column(header, {"type", "indicator_type", "ioc_type"});
  cols.description = column(header, {"description", "classification", "comment"});
  cols.first_seen = column(header, {"first_seen", "detected_date", "date"});
  cols.tlp = column(header, {"tlp"});
  cols.confidence = column(header, {"confidence"});

  std::vector<Indicator> out;
  while (reader.next(rec)) {
    if (rec.error.empty() && blank_record(rec)) continue;
    ++report.records;
    if (!rec.error.empty()) {
      count_invalid(report, rec.line, rec.error);
      continue;
    }
    if (rec.fields.size() != header.size()) {
      count_invalid(report, rec.line,
                    std::to_string(rec.fields.size()) + " fields, the header has " + std::to_string(header.size()));
      continue;
    }
    std::string v = refang(trim(rec.fields[cols.value]));
    std::optional<IocType> type;
    const auto type_name = cols.type ? trim(rec.fields[*cols.type]) : std::string_view{};
    if (!type_name.empty()) {
      type = detail::type_from_name(type_name, v);
      if (!type) {
        ++report.unsupported;
        continue;
      }
    } else if (v.empty()) {
      count_invalid(report, rec.line, "empty value");
      continue;
    } else if (type = guess_type(v); !type) {
      count_invalid(report, rec.line, detail::quoted(v) + ": not an address, hash, URL, e-mail or domain");
      continue;
    }
    if (!check_value(report, rec.line, *type, v)) continue;
    auto ind = detail::make_indicator(*type, std::move(v), opts);
    csv_optional_fields(rec, cols, ind, report);
    out.push_back(std::move(ind));
  }
  return out;
}

namespace {

// ---- Zeek intel ----------------------------------------------------------------------------

// Zeek's header directives write the separator as "\x09".
std::string unescape_zeek(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned v = 0;
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' &&
        std::from_chars(s.data() + i + 2, s.data() + i + 4, v, 16).ptr == s.data() + i + 4) {
      out += static_cast<char>(v);
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

// Zeek's intel types → IocType; `unsupported` when Vigie does not index that kind.
enum class ZeekType { ok, unsupported, unknown };
ZeekType zeek_type(std::string_view name, std::string_view value, IocType& type) {
  if (name.substr(0, 7) != "Intel::") return ZeekType::unknown;
  name.remove_prefix(7);
  if (name == "ADDR" || name == "SUBNET")
    type = IocType::ip;
  else if (name == "DOMAIN")
    type = IocType::domain;
  else if (name == "URL")
    type = IocType::url;
  else if (name == "EMAIL")
    type = IocType::email;
  else if (name == "FILE_HASH")
    type = detail::hash_type(value).value_or(IocType::sha256);
  else
    return ZeekType::unsupported;  // USER_NAME, CERT_HASH, PUBKEY_HASH, SOFTWARE, FILE_NAME, JA3, ...
  return ZeekType::ok;
}

}  // namespace

Parsed parse_zeek_intel(std::string_view body, const FormatOptions& opts, ParseReport& report) {
  if (auto why = binary_reason(body)) return tl::unexpected(*why);
  char sep = '\t';
  std::string unset = "-", empty = "(empty)";
  std::vector<std::string> fields;
  std::optional<std::size_t> c_value, c_type, c_desc, c_source, c_url;
  std::optional<std::string> fatal;
  std::vector<Indicator> out;
  for_each_line(strip_bom(body), [&](std::size_t line, std::string_view text) {
    if (fatal) return;
    if (!text.empty() && text[0] == '#') {
      const auto parts = split(text, sep);
      if (text.substr(0, 11) == "#separator ") {
        const auto s = unescape_zeek(trim(text.substr(11)));
        if (s.size() == 1) sep = s[0];
      } else if (parts[0] == "#unset_field" && parts.size() == 2) {
        unset = parts[1];
      } else if (parts[0] == "#empty_field" && parts.size() == 2) {
        empty = parts[1];
      } else if (parts[0] == "#fields") {
        fields.assign(parts.begin() + 1, parts.end());
        const auto at = [&](std::string_view name) -> std::optional<std::size_t> {
          for (std::size_t i = 0; i < fields.size(); ++i)
            if (fields[i] == name) return i;
          return std::nullopt;
        };
        c_value = at("indicator");
        c_type = at("indicator_type");
        c_desc = at("meta.desc");
        c_source = at("meta.source");
        c_url = at("meta.url");
        if (!c_value || !c_type)
          fatal = "line " + std::to_string(line) + ": #fields names no indicator and indicator_type columns";
      }
      return;  // other '#' lines are comments
    }
    if (trim(text).empty()) return;
    if (fields.empty()) {
      fatal = "line " + std::to_string(line) + ": data before the #fields header";
      return;
    }
    ++report.records;
    const auto cols = split(text, sep);
    if (cols.size() != fields.size()) {
      count_invalid(report, line,
                    std::to_string(cols.size()) + " fields, #fields names " + std::to_string(fields.size()));
      return;
    }
    const auto cell = [&](std::optional<std::size_t> c) {
      if (!c) return std::string_view{};
      const auto v = trim(cols[*c]);
      return v == unset || v == empty ? std::string_view{} : v;
    };
    std::string v = refang(cell(c_value));
    const auto type_name = cell(c_type);
    IocType type{};
    switch (zeek_type(type_name, v, type)) {
      case ZeekType::unsupported:
        ++report.unsupported;
        return;
      case ZeekType::unknown:
        count_invalid(report, line, "unknown indicator_type " + detail::quoted(type_name));
        return;
      case ZeekType::ok:
        break;
    }
    if (type_name == "Intel::FILE_HASH" && !detail::hash_type(v)) {
      count_invalid(report, line, detail::quoted(v) + ": not an MD5, SHA-1 or SHA-256");
      return;
    }
    // ADDR is one address, SUBNET a network: Zeek itself refuses the other shape.
    const bool subnet = type_name == "Intel::SUBNET";
    if (type == IocType::ip && !v.empty() && (v.find('/') != std::string::npos) != subnet) {
      count_invalid(report, line, detail::quoted(v) + (subnet ? ": not a subnet" : ": not a single address"));
      return;
    }
    if (!check_value(report, line, type, v)) return;
    auto ind = detail::make_indicator(type, std::move(v), opts);
    const auto desc = cell(c_desc), source = cell(c_source);
    ind.description = desc;
    if (!source.empty())
      ind.description = desc.empty() ? std::string(source) : ind.description + " (" + std::string(source) + ")";
    ind.advisory = cell(c_url);
    out.push_back(std::move(ind));
  });
  if (fatal) return tl::unexpected(*fatal);
  if (fields.empty()) return tl::unexpected(std::string("no #fields header: not a Zeek intel file"));
  return out;
}

Parsed parse_list(std::string_view body, const FormatOptions& opts, ParseReport& report) {
  if (auto why = binary_reason(body)) return tl::unexpected(*why);
  std::vector<Indicator> out;
  for_each_line(strip_bom(body), [&](std::size_t line, std::string_view text) {
    // A comment starts at a '#' opening the line or following a blank (URLs keep their fragments).
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t')) {
        text = text.substr(0, i);
        break;
      }
    text = trim(text);
    if (text.empty()) return;
    ++report.records;
    std::string v = refang(text);
    const auto type = opts.type ? opts.type : guess_type(v);
    if (!type) {
      count_invalid(report, line, detail::quoted(v) + ": not an address, hash, URL, e-mail or domain");
      return;
    }
    if (!check_value(report, line, *type, v)) return;
    out.push_back(detail::make_indicator(*type, std::move(v), opts));
  });
  return out;
}

}  // namespace vigie::intel
