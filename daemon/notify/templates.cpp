#include "notify/templates.hpp"

#include <fstream>
#include <sstream>
#include <system_error>

namespace vigie::notify {

std::string_view builtin_template(std::string_view language, std::string_view part) {
  for (std::size_t i = 0; i < detail::kBuiltinTemplateCount; ++i) {
    const auto& t = detail::kBuiltinTemplates[i];
    if (language == t.language && part == t.part) return t.text;
  }
  return {};
}

namespace {

core::Result<std::shared_ptr<kainjow::mustache::mustache>> load_part(std::string_view language,
                                                                     const std::filesystem::path& dir,
                                                                     std::string_view part) {
  std::string text(builtin_template(language, part));
  std::string where = "built-in " + std::string(language) + "/" + std::string(part) + ".mustache";
  if (!dir.empty()) {
    const auto file = dir / std::string(language) / (std::string(part) + ".mustache");
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
      std::ifstream in(file, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      if (!in) return core::fail(file.string(), "cannot read template");
      text = ss.str();
      where = file.string();
    }
  }
  auto t = std::make_shared<kainjow::mustache::mustache>(text);
  if (!t->is_valid()) return core::fail(where, "invalid mustache template: " + t->error_message());
  // Plain-text mail: no HTML escaping. Values are cleaned (one line, valid UTF-8) beforehand.
  t->set_custom_escape([](const std::string& s) { return s; });
  return t;
}

}  // namespace

core::Result<Templates> load_templates(std::string_view language, const std::filesystem::path& dir) {
  if (builtin_template(language, "body").empty())
    return core::fail("notify.language", "unknown language '" + std::string(language) + "' (expected fr or en)");
  Templates out;
  out.language = std::string(language);
  auto subject = load_part(language, dir, "subject");
  if (!subject) return tl::unexpected(subject.error());
  auto body = load_part(language, dir, "body");
  if (!body) return tl::unexpected(body.error());
  auto group_subject = load_part(language, dir, "group_subject");
  if (!group_subject) return tl::unexpected(group_subject.error());
  auto group_body = load_part(language, dir, "group_body");
  if (!group_body) return tl::unexpected(group_body.error());
  auto advisory_subject = load_part(language, dir, "advisory_subject");
  if (!advisory_subject) return tl::unexpected(advisory_subject.error());
  auto advisory_body = load_part(language, dir, "advisory_body");
  if (!advisory_body) return tl::unexpected(advisory_body.error());
  out.advisory_subject = std::move(*advisory_subject);
  out.advisory_body = std::move(*advisory_body);
  out.subject = std::move(*subject);
  out.body = std::move(*body);
  out.group_subject = std::move(*group_subject);
  out.group_body = std::move(*group_body);
  return out;
}

}  // namespace vigie::notify
