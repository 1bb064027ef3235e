// Placeholders for Sigma's `expand` modifier: `%name%` in a value stands for every value of a
// list. Vigie's config has no place for them, so they live beside the rules that use them: the
// `placeholders:` mapping of `placeholders.yml` in the rule file's own directory (read once per
// directory, never loaded as a rule file). An unknown name is a load error of the rule.
//
//   placeholders:
//     Admins_Workstations: [ws-admin-01, ws-admin-02]
//     Domain_Controllers: dc01   # a single value
#include <fstream>
#include <sstream>

#include "detect/builder.hpp"

namespace vigie::detect {

namespace fs = std::filesystem;

std::string RuleSetBuilder::placeholders_name(const Context& c) const {
  return (c.base_dir / kPlaceholdersFile).string();
}

const Placeholders& RuleSetBuilder::placeholders_for(const Context& c) {
  const std::string file = placeholders_name(c);
  if (auto it = placeholders_.find(file); it != placeholders_.end()) return it->second;
  Placeholders& table = placeholders_[file];  // empty when the file is absent or invalid
  std::ifstream in(file, std::ios::binary);
  if (!in) return table;
  std::ostringstream text;
  text << in.rdbuf();
  const Context pc{file, c.base_dir};
  try {
    const YAML::Node doc = YAML::Load(text.str());
    report_duplicate_keys(doc, pc);
    const YAML::Node map = doc.IsMap() ? doc["placeholders"] : YAML::Node();
    if (!doc.IsMap() || doc.size() != 1 || !map || !map.IsMap()) {
      error(at(pc, doc), "a placeholders file holds one key, 'placeholders:', mapping names to lists of values");
      return table;
    }
    for (const auto& kv : map) {
      const auto values = scalars_of(kv.second);
      if (!values || values->empty()) {
        error(at(pc, kv.second), "placeholder '" + kv.first.Scalar() +
                                     "' must be a string or a non-empty list of "
                                     "strings");
        continue;
      }
      table[kv.first.Scalar()] = *values;
    }
  } catch (const YAML::Exception& ex) {
    error(file + ":" + std::to_string(ex.mark.line + 1), "YAML syntax error: " + ex.msg);
  }
  return table;
}

}  // namespace vigie::detect
