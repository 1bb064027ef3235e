// Rule files → RuleSetBuilder: file discovery, YAML documents, rule metadata and `tests:`.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>

#include "detect/builder.hpp"

namespace vigie::detect {

namespace fs = std::filesystem;

std::string node_line(const YAML::Node& n) {
  const auto m = n.Mark();
  return m.is_null() ? std::string() : std::to_string(m.line + 1);
}

std::optional<std::string> scalar_of(const YAML::Node& n) {
  if (!n.IsScalar()) return std::nullopt;
  return n.Scalar();
}

std::optional<std::vector<std::string>> scalars_of(const YAML::Node& n) {
  if (n.IsScalar()) return std::vector<std::string>{n.Scalar()};
  if (!n.IsSequence()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : n) {
    if (!item.IsScalar()) return std::nullopt;
    out.push_back(item.Scalar());
  }
  return out;
}

RuleSetBuilder::RuleSetBuilder(const config::Detection& detection, const LoadOptions& options)
    : detection_(detection), options_(options), rs_(std::make_unique<RuleSet>()) {
  rs_->detection_ = detection;
}

std::string RuleSetBuilder::at(const Context& c, const YAML::Node& n) const {
  const std::string line = node_line(n);
  return line.empty() ? c.file : c.file + ":" + line;
}

void RuleSetBuilder::add_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error(file.string(), "cannot read rule file");
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  add_text(text.str(), file.string(), file.parent_path());
}

void RuleSetBuilder::add_text(std::string_view yaml, const std::string& name, const fs::path& base_dir) {
  const Context c{name, base_dir};
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& ex) {
    error(name + ":" + std::to_string(ex.mark.line + 1), "YAML syntax error: " + ex.msg);
    return;
  }
  for (const auto& doc : docs) {
    if (doc.IsNull()) continue;  // empty document (e.g. a trailing `---`)
    const DocMark before = mark();
    try {
      report_duplicate_keys(doc, c);
      add_document(doc, c);
    } catch (const YAML::Exception& ex) {
      error(ex.mark.is_null() ? at(c, doc) : name + ":" + std::to_string(ex.mark.line + 1), ex.msg);
    }
    drop_if_skipped(before);
  }
}

// yaml-cpp keeps both entries of a repeated key and lookups see one of them — which one depends
// on the lookup — so a copy-paste slip would silently change a rule: every repeat is an error.
void RuleSetBuilder::report_duplicate_keys(const YAML::Node& n, const Context& c) {
  if (n.IsSequence()) {
    for (const auto& item : n) report_duplicate_keys(item, c);
    return;
  }
  if (!n.IsMap()) return;
  std::vector<std::pair<std::string, std::string>> seen;  // key, line; maps are small
  for (const auto& kv : n) {
    if (kv.first.IsScalar()) {
      const std::string& k = kv.first.Scalar();
      const auto first = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == k; });
      if (first != seen.end())
        error(at(c, kv.first), "duplicate key '" + k + "' (first at line " + first->second + ")");
      else
        seen.emplace_back(k, node_line(kv.first));
    }
    report_duplicate_keys(kv.second, c);
  }
}

namespace {

// The document's content, whatever its layout (block or flow style, quoting, comments).
uint64_t content_hash(const YAML::Node& n, uint64_t h = 14695981039346656037ULL) {
  const auto mix = [&h](std::string_view s) {
    for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;  // end of a piece: "ab","c" differs from "a","bc"
  };
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      mix("s");
      mix(n.Scalar());
      break;
    case YAML::NodeType::Sequence:
      mix("[");
      for (const auto& item : n) h = content_hash(item, h);
      mix("]");
      break;
    case YAML::NodeType::Map:
      mix("{");
      for (const auto& kv : n) h = content_hash(kv.second, content_hash(kv.first, h));
      mix("}");
      break;
    default:
      mix("~");
  }
  return h;
}

}  // namespace

void RuleSetBuilder::add_document(const YAML::Node& doc, const Context& c) {
  if (!doc.IsMap()) {
    error(at(c, doc), "a rule document must be a mapping");
    return;
  }
  const std::size_t rules_before = rs_->rules_.size();
  if (doc["decoder"])
    add_decoder(doc, c);
  else if (doc["correlation"])
    add_correlation(doc, c);
  else if (doc["detection"])
    add_detection(doc, c);
  else
    error(at(c, doc),
          "not a decoder, detection rule or correlation rule (no 'decoder', 'detection' or 'correlation' key)");
  if (rs_->rules_.size() > rules_before) rs_->rules_.back().content = content_hash(doc);
}

void RuleSetBuilder::check_keys(const YAML::Node& map, const Context& c,
                                std::initializer_list<std::string_view> allowed, std::string_view what,
                                bool sigma_metadata) {
  // Sigma rule metadata (https://sigmahq.io/docs/basics/rules.html): accepted, mostly unused.
  static constexpr std::string_view kSigma[] = {
      "title",   "id",       "name",     "status",    "description", "references",           "author",
      "date",    "modified", "tags",     "logsource", "fields",      "falsepositives",       "level",
      "related", "license",  "taxonomy", "scope",     "simulation",  "regression_tests_path"};
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    if (sigma_metadata && std::find(std::begin(kSigma), std::end(kSigma), key) != std::end(kSigma)) continue;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      error(at(c, kv.first), "unknown key '" + key + "' in " + std::string(what));
  }
}

// Sigma metadata shared by detection and correlation rules, plus Vigie's suppress_for and tlp.
// Returns false when the rule cannot be registered (no usable id).
bool RuleSetBuilder::load_metadata(const YAML::Node& doc, const Context& c, CompiledRule& r) {
  r.where = at(c, doc);
  r.suppress_for = detection_.suppress_for;
  const auto title = doc["title"] ? scalar_of(doc["title"]) : std::nullopt;
  if (!title || title->empty())
    error(r.where, "rule has no 'title'");
  else
    r.info.title = *title;
  if (const auto n = doc["name"]) {
    if (auto s = scalar_of(n))
      r.name = *s;
    else
      error(at(c, n), "'name' must be a string");
  }
  const auto id = doc["id"] ? scalar_of(doc["id"]) : std::nullopt;
  if (!id || id->empty()) {
    error(r.where, "rule has no 'id'");
    return false;
  }
  r.info.id = *id;
  if (const auto n = doc["level"]) {
    const auto text = scalar_of(n);
    const auto level = text ? core::parse_level(*text) : std::nullopt;
    if (!level)
      error(at(c, n), "level must be one of informational, low, medium, high, critical");
    else
      r.info.level = *level;
  }
  if (const auto n = doc["tags"]) {
    if (auto tags = scalars_of(n))
      r.info.tags = *tags;
    else
      error(at(c, n), "'tags' must be a list of strings");
  }
  if (const auto n = doc["description"]) r.info.description = scalar_of(n).value_or("");
  if (const auto n = doc["suppress_for"]) {
    const auto text = scalar_of(n);
    const auto d = text ? core::parse_duration(*text) : std::nullopt;
    if (!d || d->count() < 0)
      error(at(c, n), "suppress_for must be a duration such as 30s, 5m, 1h, 1d");
    else
      r.suppress_for = *d;
  }
  if (const auto n = doc["tlp"]) {
    if (const auto tlp = core::parse_tlp(scalar_of(n).value_or("")))
      r.info.tlp = *tlp;
    else
      error(at(c, n), "tlp must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED");
  }
  if (const auto it = rs_->by_id_.find(r.info.id); it != rs_->by_id_.end()) {
    error(r.where, "duplicate rule id '" + r.info.id + "' (first defined at " + rs_->rules_[it->second].where + ")");
    return false;
  }
  if (!r.name.empty() && rs_->by_name_.count(r.name)) error(r.where, "duplicate rule name '" + r.name + "'");
  return true;
}

void RuleSetBuilder::load_tests(const YAML::Node& tests, const Context& c, const std::string& rule_id) {
  if (!tests.IsSequence()) {
    error(at(c, tests), "'tests' must be a list");
    return;
  }
  for (const auto& t : tests) {
    RuleTest rt;
    rt.where = at(c, t);
    rt.rule_id = rule_id;
    if (!t.IsMap()) {
      error(rt.where, "a test must be a mapping with description, logs or logs_file, and expect");
      continue;
    }
    check_keys(t, c, {"description", "logs", "logs_file", "expect"}, "test");
    rt.description = t["description"] ? scalar_of(t["description"]).value_or("") : "";
    const auto logs = t["logs"];
    const auto logs_file = t["logs_file"];
    if (logs && logs_file) error(rt.where, "a test has either 'logs' or 'logs_file', not both");
    if (!logs && !logs_file) error(rt.where, "a test needs 'logs' (a list of lines) or 'logs_file'");
    if (logs) {
      if (auto lines = scalars_of(logs))
        rt.logs = *lines;
      else
        error(at(c, logs), "'logs' must be a list of log lines");
    }
    if (logs_file) {
      const fs::path p = c.base_dir / scalar_of(logs_file).value_or("");
      std::ifstream in(p, std::ios::binary);
      if (!in) error(at(c, logs_file), "cannot read logs_file " + p.string());
      for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) rt.logs.push_back(line);
      }
    }
    const auto expect = t["expect"];
    if (!expect || !expect.IsSequence()) {
      error(rt.where, "a test needs 'expect': a list of {rule, count, key} ([] for no alert)");
      continue;
    }
    for (const auto& x : expect) {
      if (!x.IsMap()) {
        error(at(c, x), "an expectation must be a mapping {rule, count, key}");
        continue;
      }
      check_keys(x, c, {"rule", "count", "key"}, "expectation");
      Expectation e;
      e.rule = x["rule"] ? scalar_of(x["rule"]).value_or("") : rule_id;
      e.count = 1;
      if (x["count"]) {
        try {
          e.count = x["count"].as<uint64_t>();
        } catch (const YAML::Exception&) {
          error(at(c, x["count"]), "'count' must be a non-negative integer");
        }
      }
      if (const auto key = x["key"]) {
        if (!key.IsMap())
          error(at(c, key), "'key' must be a mapping field: value");
        else
          for (const auto& kv : key) e.key.emplace_back(kv.first.Scalar(), scalar_of(kv.second).value_or(""));
      }
      test_refs_.push_back({static_cast<uint32_t>(rs_->tests_.size()), e.rule, at(c, x)});
      rt.expect.push_back(std::move(e));
    }
    rs_->tests_.push_back(std::move(rt));
  }
}

namespace {

// placeholders.yml holds `expand` placeholders for the rules beside it, not rules.
bool is_rule_file(const fs::path& p) {
  return (p.extension() == ".yml" || p.extension() == ".yaml") && p.filename() != kPlaceholdersFile;
}

constexpr const char* kBuiltinLogsources = "the built-in rules/logsources.yml";

// The logsource mapping: a logsources.yml among the rule files (beside the rules it maps), at
// most one; else the copy built into the binary.
void load_logsource_file(RuleSetBuilder& b, const std::vector<fs::path>& found) {
  if (found.size() > 1) {
    b.error(found[1].string(), std::string("a second ") + std::string(kLogsourceFileName) + " (the first is " +
                                   found[0].string() + "): the rule paths must hold at most one");
    return;
  }
  if (found.empty()) {
    b.load_logsources(builtin_logsources(), kBuiltinLogsources);
    return;
  }
  std::ifstream in(found[0], std::ios::binary);
  if (!in) {
    b.error(found[0].string(), "cannot read the logsource mapping");
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  b.load_logsources(text.str(), found[0].string());
}

}  // namespace

LoadResult load_rules(const std::vector<fs::path>& paths, const config::Detection& detection,
                      const LoadOptions& options) {
  RuleSetBuilder b(detection, options);
  std::vector<fs::path> files, mappings;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec))
        if (it->is_regular_file() && is_rule_file(it->path())) found.push_back(it->path());
      if (ec) b.error(path.string(), "cannot list rule directory: " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      if (path.filename() != kPlaceholdersFile) files.push_back(path);  // named in a shell glob: not rules
    } else {
      b.error(path.string(), "no such rule file or directory");
    }
  }
  const auto is_mapping = [](const fs::path& f) { return f.filename() == kLogsourceFileName; };
  std::copy_if(files.begin(), files.end(), std::back_inserter(mappings), is_mapping);
  load_logsource_file(b, mappings);
  for (const auto& f : files)
    if (!is_mapping(f)) b.add_file(f);
  if (options.builtin_rules) b.add_builtin_rules();
  b.drop_dependents_of_skipped();
  return b.finish();
}

LoadResult load_rules_from_string(std::string_view yaml, const std::string& name, const config::Detection& detection,
                                  const LoadOptions& options, const fs::path& base_dir) {
  RuleSetBuilder b(detection, options);
  b.load_logsources(builtin_logsources(), kBuiltinLogsources);
  b.add_text(yaml, name, base_dir);
  b.drop_dependents_of_skipped();
  return b.finish();
}

}  // namespace vigie::detect
