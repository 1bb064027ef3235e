// load_config: file → YAML tree → Config, with every problem reported at once (DESIGN.md §6).
// yaml-cpp throws; its exceptions stop here and become errors with the file and line.
#include <cerrno>
#include <cstring>
#include <fstream>

#include "config/load.hpp"
#include "config/syntax.hpp"

namespace vigie::config {

namespace fs = std::filesystem;
using detail::LoadContext;
using detail::Value;

namespace {

void load_storage(const Value& v, LoadContext& ctx, Config& cfg) {
  auto m = v.map({"path"});
  if (!m) return;
  if (auto p = m->get("path")) {
    if (auto path = detail::read_path(*p, ctx)) {
      std::error_code ec;
      if (fs::is_directory(*path, ec))
        p->error("names a directory; give the database file, e.g. " + (*path / "vigie.db").string());
      cfg.storage.path = *path;
    }
  }
}

void load_rules(const Value& v, LoadContext& ctx, Config& cfg) {
  auto m = v.map({"paths"});
  if (!m) return;
  auto paths = m->get("paths");
  if (!paths) return;
  for (const auto& item : paths->sequence().value_or(std::vector<Value>{})) {
    auto p = detail::read_path(item, ctx);
    if (!p) continue;
    std::error_code ec;
    if (!fs::exists(*p, ec)) item.error("no such file or directory: " + p->string());
    cfg.rules.paths.push_back(*p);
  }
}

// Evidence below a few hundred bytes would not hold one syslog line; above 1 MiB per alert,
// the store and the mails would carry megabytes per alert.
constexpr std::size_t kMinEvidenceBytes = 256;
constexpr std::size_t kMaxEvidenceBytes = std::size_t{1} << 20;
constexpr int64_t kMaxKeys = 100'000'000;

void load_detection(const Value& v, Config& cfg) {
  auto m =
      v.map({"suppress_for", "lateness", "max_keys_per_rule", "max_keys", "max_evidence_bytes", "prefilter", "ioc"});
  if (!m) return;
  if (auto s = m->get("ioc")) detail::load_ioc(*s, cfg);
  if (auto s = m->get("prefilter")) {
    if (auto text = s->string()) {
      if (*text == "vectorscan" || *text == "none")
        cfg.detection.prefilter = *text == "vectorscan";
      else
        s->error("must be 'vectorscan' or 'none', found '" + *text + "'");
    }
  }
  if (auto s = m->get("max_keys_per_rule"))
    if (auto n = s->integer(1, kMaxKeys)) cfg.detection.max_keys_per_rule = static_cast<std::size_t>(*n);
  if (auto s = m->get("max_keys"))
    if (auto n = s->integer(1, kMaxKeys)) cfg.detection.max_keys = static_cast<std::size_t>(*n);
  if (auto s = m->get("max_evidence_bytes")) {
    if (auto text = s->string()) {
      const auto n = parse_size(*text);
      if (!n)
        s->error("invalid size '" + *text + "' (bytes, or with a suffix: 4096, 16KiB, 1MiB)");
      else if (*n < kMinEvidenceBytes || *n > kMaxEvidenceBytes)
        s->error("must be between 256 and 1MiB, found " + *text);
      else
        cfg.detection.max_evidence_bytes = *n;
    }
  }
  // Zero is meaningful for both: no deduplication window, no waiting for late events.
  if (auto s = m->get("suppress_for"))
    if (auto d = s->duration(true)) cfg.detection.suppress_for = *d;
  if (auto s = m->get("lateness"))
    if (auto d = s->duration(true)) cfg.detection.lateness = *d;
}

void load_root(const Value& root, LoadContext& ctx, Config& cfg) {
  auto m = root.map({"storage", "sites", "inputs", "rules", "detection", "workers", "notify", "feeds",
                     "advisories", "http"});
  if (!m) return;
  m->reject_unsupported("http");
  if (auto v = m->get("storage")) load_storage(*v, ctx, cfg);
  // Order matters: sites default to inputs.default_timezone; routes check site ids.
  if (auto v = m->get("inputs")) detail::load_inputs(*v, ctx, cfg);
  if (auto v = m->get("sites")) detail::load_sites(*v, ctx, cfg);
  if (auto v = m->get("rules")) load_rules(*v, ctx, cfg);
  if (auto v = m->get("detection")) load_detection(*v, cfg);
  if (auto v = m->get("workers"))
    if (auto n = v->integer(0, 256)) cfg.workers = static_cast<int>(*n);
  if (auto v = m->get("notify")) detail::load_notify(*v, ctx, cfg);
  if (auto v = m->get("feeds")) detail::load_feeds(*v, ctx, cfg);
  if (auto v = m->get("advisories")) detail::load_advisories(*v, cfg);
  detail::apply_notify_defaults(cfg.notify);
}

}  // namespace

tl::expected<std::shared_ptr<const Config>, std::vector<core::Error>> load_config(const fs::path& file) {
  std::error_code ec;
  fs::path abs = fs::absolute(file, ec);
  if (ec) abs = file;
  abs = abs.lexically_normal();
  LoadContext ctx{detail::Diagnostics(file.string()), abs.parent_path()};
  auto fail = [&] { return tl::unexpected(ctx.diag.take()); };

  if (fs::is_directory(abs, ec)) {
    ctx.diag.error(0, "is a directory, not a configuration file");
    return fail();
  }
  std::ifstream in(abs);
  if (!in) {
    ctx.diag.error(0, std::string("cannot read the configuration: ") + std::strerror(errno));
    return fail();
  }

  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(in);
  } catch (const YAML::Exception& e) {
    // One syntax error makes the rest of the tree unknowable: report it alone, with its line.
    ctx.diag.error(e.mark.is_null() ? 0 : e.mark.line + 1, "YAML syntax error: " + e.msg);
    return fail();
  }
  if (docs.size() > 1) {
    ctx.diag.error(detail::line_of(docs[1]), "a configuration is one YAML document; found a second one ('---')");
    return fail();
  }

  auto cfg = std::make_shared<Config>();
  cfg->source = abs;
  const YAML::Node root = docs.empty() ? YAML::Node() : docs.front();
  try {
    load_root(Value(ctx.diag, root, "", 1), ctx, *cfg);
  } catch (const YAML::Exception& e) {
    // Accessors check node types before converting, so this is a gap in those checks; still
    // an error report, never a crash of `vigie check`.
    ctx.diag.error(e.mark.is_null() ? 0 : e.mark.line + 1, std::string("cannot read value: ") + e.what());
  }
  if (!ctx.diag.empty()) return fail();
  cfg->index_sites();
  return std::shared_ptr<const Config>(std::move(cfg));
}

}  // namespace vigie::config
