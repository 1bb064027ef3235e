// Shared pieces of the feed formats: re-fanging, type guessing and type names, TLP levels, times,
// and read_feed_path, which reads a file or a MISP feed directory and dispatches on the format.
#include "intel/formats.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <memory>
#include <system_error>
#include <utility>

#include "core/alert.hpp"
#include "core/net.hpp"
#include "core/time.hpp"

namespace vigie::intel {

namespace detail {

void add_error(ParseReport& report, std::string message) {
  if (report.errors.size() < kMaxErrors) report.errors.push_back(std::move(message));
}

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

namespace {
char lower_char(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}
bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// A byte that may appear in a URL or an e-mail address as feeds write them: no blanks, no controls.
bool is_graphic(char c) { return static_cast<unsigned char>(c) > 0x20 && c != 0x7f; }

bool valid_domain(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty() || s.size() > 253) return false;
  std::size_t labels = 0;
  std::string_view last;
  while (true) {
    const auto dot = s.find('.');
    const auto label = s.substr(0, dot);
    if (label.empty() || label.size() > 63) return false;
    for (char c : label) {
      const bool ok = is_digit(c) || (lower_char(c) >= 'a' && lower_char(c) <= 'z') || c == '-' || c == '_' ||
                      static_cast<unsigned char>(c) >= 0x80;  // IDN written in UTF-8
      if (!ok) return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  // One label is a host name, not a domain; an all-digit top label is a malformed address.
  return labels >= 2 && !std::all_of(last.begin(), last.end(), is_digit);
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower_char(x) == lower_char(y); });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower_char(c);
  return out;
}

std::string quoted(std::string_view value) {
  constexpr std::size_t kMax = 80;
  if (value.size() <= kMax) return "'" + std::string(value) + "'";
  return "'" + std::string(value.substr(0, kMax)) + "...'";
}

std::optional<IocType> hash_type(std::string_view value) {
  if (!std::all_of(value.begin(), value.end(), is_hex)) return std::nullopt;
  switch (value.size()) {
    case 32:
      return IocType::md5;
    case 40:
      return IocType::sha1;
    case 64:
      return IocType::sha256;
    default:
      return std::nullopt;
  }
}

std::string_view invalid_reason(IocType t, std::string_view value) {
  if (value.empty()) return "empty value";
  switch (t) {
    case IocType::ip:
      return core::Cidr::parse(value) ? "" : "not an IP address or CIDR";
    case IocType::domain:
      return valid_domain(value) ? "" : "not a domain name";
    case IocType::url:
      return std::all_of(value.begin(), value.end(), is_graphic) ? "" : "blank or control byte in URL";
    case IocType::md5:
      return hash_type(value) == IocType::md5 ? "" : "not an MD5 (32 hex digits)";
    case IocType::sha1:
      return hash_type(value) == IocType::sha1 ? "" : "not a SHA-1 (40 hex digits)";
    case IocType::sha256:
      return hash_type(value) == IocType::sha256 ? "" : "not a SHA-256 (64 hex digits)";
    case IocType::email: {
      const auto at = value.rfind('@');
      if (at == std::string_view::npos || at == 0 || !std::all_of(value.begin(), value.end(), is_graphic) ||
          !valid_domain(value.substr(at + 1)))
        return "not an e-mail address";
      return "";
    }
  }
  return "unknown type";
}

std::optional<IocType> type_from_name(std::string_view name, std::string_view value) {
  struct Name {
    std::string_view name;
    IocType type;
  };
  static constexpr std::array<Name, 26> kNames{{
      {"ip", IocType::ip},
      {"ipv4", IocType::ip},
      {"ipv6", IocType::ip},
      {"ip-src", IocType::ip},
      {"ip-dst", IocType::ip},
      {"cidr", IocType::ip},
      {"ipv4-addr", IocType::ip},
      {"ipv6-addr", IocType::ip},
      {"ip_address", IocType::ip},
      {"domain", IocType::domain},
      {"hostname", IocType::domain},
      {"fqdn", IocType::domain},
      {"domain-name", IocType::domain},
      {"domain_name", IocType::domain},
      {"url", IocType::url},
      {"uri", IocType::url},
      {"md5", IocType::md5},
      {"sha1", IocType::sha1},
      {"sha-1", IocType::sha1},
      {"sha256", IocType::sha256},
      {"sha-256", IocType::sha256},
      {"email", IocType::email},
      {"email-addr", IocType::email},
      {"email-src", IocType::email},
      {"email-dst", IocType::email},
      {"e-mail", IocType::email},
  }};
  name = trim(name);
  for (const auto& n : kNames)
    if (iequals(n.name, name)) return n.type;
  // A generic hash column: the length tells; a bad length makes the value invalid, so say md5 and
  // let invalid_reason reject it.
  if (iequals(name, "hash") || iequals(name, "filehash") || iequals(name, "file_hash"))
    return hash_type(value).value_or(IocType::md5);
  return std::nullopt;
}

std::optional<std::string> tlp_level(std::string_view text) { return core::parse_tlp(trim(text)); }

std::string stricter_tlp(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return core::tlp_rank(b) > core::tlp_rank(a) ? b : a;
}

std::optional<int64_t> parse_time(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (text.size() <= 12 && std::all_of(text.begin(), text.end(), is_digit)) {
    int64_t s = 0;
    std::from_chars(text.data(), text.data() + text.size(), s);
    return s;
  }
  std::optional<core::TimePoint> t;
  if (text.size() == 10) {
    t = core::parse_rfc3339(std::string(text) + "T00:00:00Z");
  } else {
    t = core::parse_rfc3339(text);
    if (!t && text.size() >= 19) t = core::parse_rfc3339(std::string(text) + "Z");  // no zone: UTC
  }
  if (!t) return std::nullopt;
  return std::chrono::floor<std::chrono::seconds>(t->time_since_epoch()).count();
}

Indicator make_indicator(IocType type, std::string value, const FormatOptions& opts) {
  Indicator ind;
  ind.type = type;
  ind.value = std::move(value);
  ind.feed = opts.feed;
  ind.tlp = opts.tlp;
  ind.confidence = opts.confidence;
  return ind;
}

}  // namespace detail

std::string refang(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  if (detail::istarts_with(in, "hxxp")) {  // hxxp://, hXXps://
    out += "http";
    i = 4;
  } else if (detail::istarts_with(in, "fxp") && in.size() > 3 && (in[3] == ':' || in[3] == '[' || in[3] == 's')) {
    out += "ftp";
    i = 3;
  }
  // Bracketed separators: [.] (.) {.} [dot] [@] (at) [:] [/] [://], any case, blanks inside allowed.
  struct Fang {
    std::string_view inner, plain;
  };
  static constexpr std::array<Fang, 7> kFangs{
      {{".", "."}, {"dot", "."}, {"@", "@"}, {"at", "@"}, {":", ":"}, {"/", "/"}, {"://", "://"}}};
  while (i < in.size()) {
    const char c = in[i];
    if (c == '[' || c == '(' || c == '{') {
      const char close = c == '[' ? ']' : c == '(' ? ')' : '}';
      const auto end = in.find(close, i + 1);
      if (end != std::string_view::npos && end - i <= 8) {
        const auto inner = detail::trim(in.substr(i + 1, end - i - 1));
        const auto it =
            std::find_if(kFangs.begin(), kFangs.end(), [&](const Fang& f) { return detail::iequals(f.inner, inner); });
        if (it != kFangs.end()) {
          out += it->plain;
          i = end + 1;
          continue;
        }
      }
    } else if (c == '\\' && i + 1 < in.size() && in[i + 1] == '.') {  // example\.com
      out += '.';
      i += 2;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

std::optional<IocType> guess_type(std::string_view value) {
  using detail::invalid_reason;
  if (value.empty()) return std::nullopt;
  if (core::Cidr::parse(value)) return IocType::ip;
  if (auto h = detail::hash_type(value)) return h;
  if (value.find("://") != std::string_view::npos)
    return invalid_reason(IocType::url, value).empty() ? std::optional(IocType::url) : std::nullopt;
  if (value.find('@') != std::string_view::npos)
    return invalid_reason(IocType::email, value).empty() ? std::optional(IocType::email) : std::nullopt;
  if (invalid_reason(IocType::domain, value).empty()) return IocType::domain;
  return std::nullopt;
}

std::vector<std::string_view> feed_formats() { return {"csv", "zeek-intel", "list", "stix", "misp"}; }

namespace {

// Feed files are read whole; past this a file is refused rather than filling memory.
constexpr std::size_t kMaxFeedBytes = std::size_t{512} << 20;

}  // namespace

tl::expected<std::string, std::string> detail::read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return tl::unexpected(path.string() + ": is a directory");
  errno = 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return tl::unexpected(path.string() + ": " + std::error_code(errno, std::generic_category()).message());
  std::string out;
  std::array<char, 65536> buf;
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) {
    out.append(buf.data(), n);
    if (out.size() > kMaxFeedBytes) return tl::unexpected(path.string() + ": larger than 512 MiB, refused");
  }
  if (std::ferror(f.get()))
    return tl::unexpected(path.string() + ": " + std::error_code(errno, std::generic_category()).message());
  return out;
}

namespace {

// Adds `sub` to `report`, prefixing its messages (the event they came from).
void merge(ParseReport& report, const ParseReport& sub, const std::string& prefix) {
  report.records += sub.records;
  report.unsupported += sub.unsupported;
  report.invalid += sub.invalid;
  report.withdrawn += sub.withdrawn;
  for (const auto& e : sub.errors) detail::add_error(report, prefix + e);
}

void count_bad_event(ParseReport& report, const MispEventRef& ref, const std::string& why) {
  ++report.records;
  ++report.invalid;
  detail::add_error(report, "event " + ref.uuid + (ref.info.empty() ? "" : " (" + ref.info + ")") + ": " + why);
}

Parsed read_misp_dir(const std::filesystem::path& dir, const FormatOptions& opts, ParseReport& report) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    if (!std::filesystem::exists(dir, ec))
      return tl::unexpected(dir.string() + ": " + std::make_error_code(std::errc::no_such_file_or_directory).message());
    return tl::unexpected(dir.string() + ": a misp feed is a directory holding manifest.json");
  }
  const auto manifest_path = dir / "manifest.json";
  auto manifest = detail::read_file(manifest_path);
  if (!manifest) return tl::unexpected(manifest.error());
  ParseReport mreport;
  auto refs = parse_misp_manifest(*manifest, mreport);
  if (!refs) return tl::unexpected(manifest_path.string() + ": " + refs.error());
  // Manifest entries that name no event are records of the feed, invalid ones.
  report.records += mreport.invalid;
  report.invalid += mreport.invalid;
  for (const auto& e : mreport.errors) detail::add_error(report, "manifest.json: " + e);

  std::vector<Indicator> out;
  for (const auto& ref : *refs) {
    auto body = detail::read_file(dir / (ref.uuid + ".json"));
    if (!body) {
      count_bad_event(report, ref, body.error());
      continue;
    }
    FormatOptions event_opts = opts;
    if (!ref.tlp.empty()) event_opts.tlp = ref.tlp;  // the manifest's tag, when the event file has none
    ParseReport sub;
    auto got = parse_misp_event(*body, event_opts, sub);
    if (!got) {
      count_bad_event(report, ref, got.error());
      continue;
    }
    merge(report, sub, "event " + ref.uuid + ": ");
    std::move(got->begin(), got->end(), std::back_inserter(out));
  }
  return out;
}

}  // namespace

Parsed read_feed_path(const std::filesystem::path& path, std::string_view format, const FormatOptions& opts,
                      ParseReport& report) {
  if (format == "misp") return read_misp_dir(path, opts, report);
  using Reader = Parsed (*)(std::string_view, const FormatOptions&, ParseReport&);
  Reader reader = nullptr;
  if (format == "csv") reader = &parse_csv;
  if (format == "zeek-intel") reader = &parse_zeek_intel;
  if (format == "list") reader = &parse_list;
  if (format == "stix") reader = &parse_stix;
  if (reader == nullptr)
    return tl::unexpected("unknown feed format '" + std::string(format) + "' (csv, zeek-intel, list, stix, misp)");
  auto body = detail::read_file(path);
  if (!body) return tl::unexpected(body.error());
  auto got = reader(*body, opts, report);
  if (!got) return tl::unexpected(path.string() + ": " + got.error());
  return got;
}

}  // namespace vigie::intel
