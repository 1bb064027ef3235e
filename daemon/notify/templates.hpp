// Mail templates: built-in (embedded from deploy/templates at build time) or read from
// notify.templates_dir. Parsed once at start; rendering never throws.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <kainjow/mustache.hpp>

#include "core/error.hpp"

namespace vigie::notify {

struct Templates {
  std::string language;  // "fr" | "en"
  std::shared_ptr<kainjow::mustache::mustache> subject;
  std::shared_ptr<kainjow::mustache::mustache> body;
  // Mails of notification groups (route group_by): group_subject / group_body.mustache.
  std::shared_ptr<kainjow::mustache::mustache> group_subject;
  std::shared_ptr<kainjow::mustache::mustache> group_body;
  // Mails relaying an advisory (rule vigie-advisory): advisory_subject / advisory_body.mustache.
  std::shared_ptr<kainjow::mustache::mustache> advisory_subject;
  std::shared_ptr<kainjow::mustache::mustache> advisory_body;
};

// The embedded text of one template, "" if there is none for (language, part).
[[nodiscard]] std::string_view builtin_template(std::string_view language, std::string_view part);

// `dir` empty → built-in templates; otherwise <dir>/<language>/{subject,body,group_subject,
// group_body,advisory_subject,advisory_body}.mustache, each
// falling back to the built-in one when the file is absent. An unknown language or a
// template that does not parse is an error naming the file.
[[nodiscard]] core::Result<Templates> load_templates(std::string_view language, const std::filesystem::path& dir);

namespace detail {
struct BuiltinTemplate {
  const char* language;
  const char* part;
  const char* text;
};
extern const BuiltinTemplate kBuiltinTemplates[];
extern const std::size_t kBuiltinTemplateCount;
}  // namespace detail

}  // namespace vigie::notify
