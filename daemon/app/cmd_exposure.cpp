// `vigie exposure list`: the software inventory (daemon/intel/README.md, "Exposure") — per site,
// what its hosts showed, read from the store that `serve` fills.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "app/commands.hpp"
#include "core/json.hpp"
#include "core/time.hpp"
#include "store/software.hpp"
#include "store/store.hpp"

namespace vigie::app {
namespace {

std::string seconds_text(int64_t us) {
  return core::format_rfc3339(core::TimePoint{std::chrono::microseconds(us)}).substr(0, 19) + "Z";
}

// A cell as printed: the strings come from the network (a banner, a Server header), so every
// byte outside printable ASCII is shown as \xHH — no terminal escapes, and one byte one column.
std::string cell(std::string_view s, const char* if_empty = "-") {
  if (s.empty()) return if_empty;
  std::string out;
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f && b != '\\') {
      out += c;
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", b);
      out += hex;
    }
  }
  return out;
}

void print_table(const std::vector<store::SoftwareRow>& rows) {
  const char* head[] = {"SITE", "PRODUCT", "VERSION", "DISTRO", "HOST", "SOURCE", "FIRST SEEN", "LAST SEEN", "COUNT"};
  std::vector<std::vector<std::string>> table;
  table.emplace_back(std::begin(head), std::end(head));
  for (const auto& r : rows)
    table.push_back({cell(r.site), r.product.empty() ? "(" + cell(r.raw) + ")" : cell(r.product),
                     cell(r.version, "(no version)"), cell(r.distro), cell(r.host), cell(r.source),
                     seconds_text(r.first_seen), seconds_text(r.last_seen), std::to_string(r.count)});
  std::vector<std::size_t> width(std::size(head), 0);
  for (const auto& row : table)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : table) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

void print_json(const std::vector<store::SoftwareRow>& rows) {
  for (const auto& r : rows) {
    core::JsonWriter w;
    w.begin_object();
    w.key("site").value(r.site).key("host").value(r.host).key("source").value(r.source).key("raw").value(r.raw);
    w.key("product").value(r.product).key("version").value(r.version).key("distro").value(r.distro);
    w.key("first_seen").value(seconds_text(r.first_seen)).key("last_seen").value(seconds_text(r.last_seen));
    w.key("count").value(r.count);
    w.end_object();
    std::printf("%s\n", w.str().c_str());
  }
}

}  // namespace

int run_exposure_list(const ExposureOptions& opts) {
  const auto cfg = load_config_or_report(opts.config);
  if (!cfg) return kExitFailed;
  if (!opts.site.empty() && cfg->site(opts.site) == nullptr) {
    std::fprintf(stderr, "vigie: no site with id '%s' in %s\n", opts.site.c_str(), opts.config.c_str());
    return kExitUsage;
  }
  auto st = store::Store::open(cfg->storage.path);
  if (!st) {
    std::fprintf(stderr, "vigie: %s\n", st.error().to_string().c_str());
    return kExitFailed;
  }
  store::SoftwareFilter filter;
  filter.site = opts.site;
  filter.product = opts.product;
  auto rows = store::list_software((*st)->db(), filter);
  if (!rows) {
    std::fprintf(stderr, "vigie: %s\n", rows.error().to_string().c_str());
    return kExitFailed;
  }
  if (opts.json) {
    print_json(*rows);
  } else if (rows->empty()) {
    std::printf("no software seen yet%s\n", opts.site.empty() && opts.product.empty() ? "" : " (with these filters)");
  } else {
    print_table(*rows);
  }
  return kExitOk;
}

}  // namespace vigie::app
