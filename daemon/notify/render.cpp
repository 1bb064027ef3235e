#include "notify/render.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>

#include "notify/mime.hpp"

namespace vigie::notify {
namespace {

namespace mu = kainjow::mustache;

std::string format_wall(int64_t seconds_since_epoch) {
  const core::TimePoint t{std::chrono::seconds(seconds_since_epoch)};
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(t - days)};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

int64_t seconds(core::TimePoint t) { return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count(); }

std::string utc_text(core::TimePoint t) { return format_wall(seconds(t)) + " UTC"; }

// "2026-11-22 09:12:31 UTC+01:00"
std::string local_text(core::TimePoint t, const core::TimeZone& z) {
  const int64_t off = std::chrono::duration_cast<std::chrono::seconds>(z.offset_at(t)).count();
  const int64_t a = off < 0 ? -off : off;
  char buf[16];
  std::snprintf(buf, sizeof buf, "UTC%c%02d:%02d", off < 0 ? '-' : '+', static_cast<int>(a / 3600),
                static_cast<int>((a % 3600) / 60));
  return format_wall(seconds(t) + off) + " " + buf;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Rule descriptions are YAML block scalars: folded (`>`) ones end with a newline, literal (`|`)
// ones keep the author's line breaks. Each source line is cleaned and word-wrapped at `width`
// columns; continuation lines start with `indent`, the template's own indentation, so the
// paragraph stays aligned. Blank lines are kept as paragraph breaks; trailing ones dropped.
std::string wrap_text(std::string_view text, std::size_t width, std::string_view indent) {
  std::string out;
  std::size_t col = 0;
  std::size_t blank = 0;  // pending paragraph breaks
  auto newline = [&] {
    out += '\n';
    out += indent;
    col = indent.size();
  };
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto nl = text.find('\n', pos);
    const std::string line =
        clean_line(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    if (line.find_first_not_of(' ') == std::string::npos) {
      if (!out.empty()) ++blank;
      continue;
    }
    if (!out.empty()) {
      if (blank > 0) out += '\n';  // one empty line between paragraphs, however many there were
      blank = 0;
      newline();
    } else {
      col = indent.size();
    }
    bool first_word = true;
    std::size_t w = 0;
    while ((w = line.find_first_not_of(' ', w)) != std::string::npos) {
      const auto end = std::min(line.find(' ', w), line.size());
      const std::string_view word = std::string_view(line).substr(w, end - w);
      if (!first_word && col + 1 + word.size() > width)
        newline();
      else if (!first_word) {
        out += ' ';
        ++col;
      }
      out += word;
      col += word.size();  // bytes, not columns: close enough to keep lines under 80 in practice
      first_word = false;
      w = end;
    }
  }
  return out;
}

mu::data view(const core::Alert& a, const MailParams& p) {
  mu::data d;
  auto put = [&](const char* name, std::string_view v) { d.set(name, clean_line(v)); };
  put("alert_id", a.id);
  put("rule_id", a.rule.id);
  put("rule_title", a.rule.title);
  const std::string description = wrap_text(a.rule.description, 76, "  ");
  d.set("rule_description", description);
  d.set("has_description", !description.empty());
  put("level", core::level_name(a.rule.level));
  put("level_upper", upper(core::level_name(a.rule.level)));
  put("tlp", a.rule.tlp.empty() ? "AMBER" : a.rule.tlp);
  std::string tags;
  for (const auto& t : a.rule.tags) tags += (tags.empty() ? "" : ", ") + t;
  put("tags", tags);
  d.set("has_tags", !tags.empty());
  put("site_label", a.site.empty() ? "?" : a.site);
  put("site_name", p.site ? p.site->name : "");
  d.set("has_site_name", p.site != nullptr && !p.site->name.empty());
  put("count", std::to_string(a.count));
  put("first_seen_utc", utc_text(a.first_seen));
  put("last_seen_utc", utc_text(a.last_seen));
  const bool local = p.zone != nullptr && p.zone->name() != "UTC" && p.zone->name() != "Etc/UTC";
  d.set("has_local", local);
  if (local) {
    put("first_seen_local", local_text(a.first_seen, *p.zone));
    put("last_seen_local", local_text(a.last_seen, *p.zone));
    put("timezone", p.zone->name());
  }
  put("summary", a.summary);
  d.set("has_summary", !a.summary.empty());
  mu::data key{mu::data::type::list};
  std::string source_ip;
  for (const auto& [k, v] : a.key) {
    mu::data kv;
    kv.set("field", clean_line(k));
    kv.set("value", clean_line(v));
    key.push_back(kv);
    if (k == "source.ip") source_ip = v;
  }
  d.set("key", key);
  d.set("has_key", !a.key.empty());
  put("source_ip", source_ip);
  d.set("has_source_ip", !source_ip.empty());
  mu::data evidence{mu::data::type::list};
  for (const auto& line : a.evidence) {
    mu::data e;
    e.set("line", clean_line(line));
    evidence.push_back(e);
  }
  d.set("evidence", evidence);
  d.set("has_evidence", !a.evidence.empty());
  put("evidence_count", std::to_string(a.evidence.size()));
  d.set("has_ioc", a.ioc.has_value());
  if (a.ioc) {
    const core::IocRef& i = *a.ioc;
    put("ioc_type", i.type);
    put("ioc_value", i.value);
    put("ioc_field", i.field);
    put("ioc_observed", i.observed);
    put("ioc_feed", i.feed);
    put("ioc_reference", i.reference);
    d.set("has_ioc_reference", !i.reference.empty());
    put("ioc_description", i.description);
    d.set("has_ioc_description", !i.description.empty());
    put("ioc_tlp", i.tlp.empty() ? "AMBER" : i.tlp);
    put("ioc_confidence", i.confidence >= 0 ? std::to_string(i.confidence) : "?");
  }
  d.set("is_update", p.update);
  put("hostname", p.hostname);
  return d;
}

// CERT-FR writes its solution section in Markdown ("## Solutions"): headings are dropped.
std::string without_headings(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    if (line.rfind('#', 0) != 0) out.append(line).append("\n");
    pos = nl + 1;
  }
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

mu::data lines(const std::vector<std::string>& v) {
  mu::data list{mu::data::type::list};
  for (const auto& s : v) {
    mu::data e;
    e.set("line", clean_line(s));
    list.push_back(e);
  }
  return list;
}

// AdvisoryRef::exposed lines in the mail's language: "ch-quimper : OpenSSH 8.4p1 sur
// 10.29.1.5, vu le 2026-12-03" — and, for a version a banner cannot settle, what to check.
std::vector<std::string> exposure_text(const std::vector<std::string>& exposed, bool fr) {
  // The reasons come from intel/software.cpp in French; the English mail says them in English.
  static constexpr std::array<std::array<std::string_view, 2>, 4> kReasons = {{
      {"version non déterminée", "version not determined"},
      {"correctif non visible dans la bannière", "a fix the banner cannot show"},
      {"paquet ", ""},
      {" : correctifs rétroportés possibles", " build: fixes may be backported"},
  }};
  std::vector<std::string> out;
  for (const auto& line : exposed) {
    std::vector<std::string_view> f;
    std::string_view rest = line;
    for (std::size_t tab; (tab = rest.find('\t')) != std::string_view::npos; rest.remove_prefix(tab + 1))
      f.push_back(rest.substr(0, tab));
    f.push_back(rest);
    if (f.size() == 2 && f[0] == "+") {
      out.push_back(std::string(fr ? "… et " : "… and ") + std::string(f[1]) + (fr ? " autre(s)" : " more"));
      continue;
    }
    if (f.size() != 5) continue;
    int64_t secs = 0;
    std::from_chars(f[3].data(), f[3].data() + f[3].size(), secs);
    const std::string day = core::format_rfc3339(core::TimePoint{std::chrono::seconds(secs)}).substr(0, 10);
    std::string t = std::string(f[0]) + (fr ? " : " : ": ") + std::string(f[1]);
    if (!f[2].empty()) t.append(fr ? " sur " : " on ").append(f[2]);
    t.append(fr ? ", vu le " : ", seen ").append(day);
    if (!f[4].empty()) {
      std::string reason(f[4]);
      if (!fr)
        for (const auto& [from, to] : kReasons)
          if (const auto at = reason.find(from); at != std::string::npos) reason.replace(at, from.size(), to);
      t.append(fr ? " — à vérifier : " : " — to check: ").append(reason);
    }
    out.push_back(std::move(t));
  }
  return out;
}

// The variables of advisory_subject / advisory_body (deploy/templates/README.md).
mu::data advisory_view(const core::Alert& a, const MailParams& p) {
  const core::AdvisoryRef& r = *a.advisory;
  mu::data d;
  auto put = [&](const char* name, std::string_view v) { d.set(name, clean_line(v)); };
  put("alert_id", a.id);
  put("level_upper", upper(core::level_name(a.rule.level)));
  put("tlp", a.rule.tlp.empty() ? "AMBER" : a.rule.tlp);
  put("feed", r.feed);
  put("reference", r.reference);
  // CERT-FR references are what readers quote; an RSS guid is not worth a subject's space.
  d.set("has_cert_reference", r.reference.rfind("CERTFR-", 0) == 0);
  put("title", r.title);
  put("link", r.link);
  d.set("has_link", !r.link.empty());
  d.set("is_alert", r.alert);
  d.set("exploited", r.exploited);
  const std::string summary = wrap_text(r.summary, 76, "  ");
  d.set("summary", summary);
  d.set("has_summary", !summary.empty());
  const std::string solution = wrap_text(without_headings(r.solution), 76, "  ");
  d.set("solution", solution);
  d.set("has_solution", !solution.empty());
  const auto time = [&](const char* name, const char* has, core::TimePoint t) {
    d.set(has, t != core::TimePoint{});
    if (t != core::TimePoint{}) put(name, utc_text(t));
  };
  time("published_utc", "has_published", r.published);
  time("revised_utc", "has_revised", r.revised != r.published ? r.revised : core::TimePoint{});
  time("closed_utc", "has_closed", r.closed);
  put("cves", joined(r.cves));
  d.set("has_cves", !r.cves.empty());
  put("new_cves", joined(r.new_cves));
  d.set("has_new_cves", !r.new_cves.empty() && r.seq > 0);
  d.set("affected", lines(r.affected));
  d.set("has_affected", !r.affected.empty());
  d.set("risks", lines(r.risks));
  d.set("has_risks", !r.risks.empty());
  d.set("fixes", lines(r.fixes));
  d.set("has_fixes", !r.fixes.empty());
  const bool fr = p.language != "en";
  const auto exposed = exposure_text(r.exposed, fr);
  d.set("exposed", lines(exposed));
  d.set("has_exposed", !exposed.empty());
  d.set("none_exposed", exposed.empty() && r.exposure_known);
  static constexpr std::array<std::array<std::string_view, 3>, 6> kChanges = {{
      {"new", "", ""},
      {"cves", "Nouvelles CVE", "New CVEs"},
      {"exploited", "Exploitation active", "Actively exploited"},
      {"closed", "Clôturé", "Closed"},
      {"revised", "Mise à jour", "Update"},
      {"also", "Aussi publié", "Also published"},
  }};
  std::string label = fr ? "Mise à jour" : "Update";
  for (const auto& c : kChanges) {
    d.set("is_" + std::string(c[0]), r.change == c[0]);
    if (r.change == c[0] && !c[1].empty()) label = std::string(fr ? c[1] : c[2]);
  }
  put("change_label", label);
  d.set("is_update", r.seq > 0);
  put("hostname", p.hostname);
  return d;
}

// One-line subject: whatever a custom template does, newlines become spaces.
std::string one_line(std::string s) {
  for (auto& c : s)
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  const auto b = s.find_first_not_of(' ');
  const auto e = s.find_last_not_of(' ');
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// At most one empty line in a row.
std::string single_blank_lines(std::string s) {
  std::string out;
  std::size_t newlines = 0;
  for (char c : s) {
    newlines = c == '\n' ? newlines + 1 : 0;
    if (newlines <= 2) out += c;
  }
  return out;
}

// Body text: valid UTF-8, no control characters other than LF (values were cleaned already;
// this covers the template's own text).
std::string clean_body(const std::string& s) {
  std::string out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    const auto nl = s.find('\n', pos);
    out += clean_line(std::string_view(s).substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    if (nl == std::string::npos) break;
    out += '\n';
    pos = nl + 1;
  }
  return out;
}

void header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

std::string address_list(const std::vector<std::string>& to) {
  std::string out;
  std::size_t col = 4;  // "To: "
  for (const auto& addr : to) {
    const std::string a = format_address(addr);
    if (!out.empty()) {
      out += ',';
      if (col + a.size() + 2 > 76) {
        out += "\r\n";
        col = 0;
      }
      out += ' ';
      col += 2;
    }
    out += a;
    col += a.size();
  }
  return out;
}

// Headers + quoted-printable body into m.bytes; In-Reply-To/References when `root` is not
// the mail's own Message-ID.
void write_message(RenderedMail& m, const MailParams& p, const std::string& root, const std::string& body,
                   const std::string& alert_id, core::Level level) {
  std::string& out = m.bytes;
  header(out, "From", format_address(p.from));
  header(out, "To", address_list(p.to));
  header(out, "Subject", encode_unstructured(m.subject, 9));
  header(out, "Date", rfc5322_date(p.date));
  header(out, "Message-ID", m.message_id);
  if (!root.empty() && root != m.message_id) {
    header(out, "In-Reply-To", root);
    header(out, "References", root);
  }
  header(out, "MIME-Version", "1.0");
  header(out, "Content-Type", "text/plain; charset=utf-8");
  header(out, "Content-Transfer-Encoding", "quoted-printable");
  header(out, "Auto-Submitted", "auto-generated");
  header(out, "X-Vigie-Alert-Id", msgid_atom(alert_id));
  header(out, "X-Vigie-Level", core::level_name(level));
  out += "\r\n";
  out += quoted_printable(body);
}

}  // namespace

std::string first_message_id(const std::string& alert_id, const std::string& hostname) {
  return "<" + msgid_atom(alert_id) + "@" + msgid_atom(hostname) + ">";
}

std::string update_message_id(const std::string& alert_id, uint64_t count, const std::string& hostname) {
  return "<" + msgid_atom(alert_id) + "." + std::to_string(count) + "@" + msgid_atom(hostname) + ">";
}

std::string advisory_message_id(const std::string& thread, uint32_t seq, const std::string& hostname) {
  return "<adv-" + msgid_atom(thread) + (seq == 0 ? "" : "." + std::to_string(seq)) + "@" + msgid_atom(hostname) + ">";
}

core::Result<RenderedMail> render_mail(const Templates& t, const core::Alert& a, const MailParams& p) {
  const bool adv = a.advisory.has_value();
  const mu::data d = adv ? advisory_view(a, p) : view(a, p);
  auto& subject = adv ? *t.advisory_subject : *t.subject;
  auto& body_tpl = adv ? *t.advisory_body : *t.body;
  RenderedMail m;
  m.subject = one_line(clean_body(subject.render(d)));
  if (!subject.is_valid()) return core::fail("subject template", subject.error_message());
  std::string body = clean_body(body_tpl.render(d));
  if (adv) body = single_blank_lines(std::move(body));  // its sections are optional, one blank line between
  if (!body_tpl.is_valid()) return core::fail("body template", body_tpl.error_message());

  std::string first = first_message_id(a.id, p.hostname);
  m.message_id = p.update ? update_message_id(a.id, a.count, p.hostname) : first;
  if (!p.message_id.empty()) {
    m.message_id = p.message_id;
    first = p.thread_root;
  }
  write_message(m, p, first, body, a.id, a.rule.level);
  return m;
}

}  // namespace vigie::notify

namespace vigie::notify {
namespace {

mu::data group_view(const GroupMail& g, const MailParams& p) {
  mu::data d;
  auto put = [&](const char* name, std::string_view v) { d.set(name, clean_line(v)); };
  core::Level level = core::Level::informational;
  std::string tlp = "CLEAR";
  uint64_t events = 0;
  std::size_t fresh = 0, changed = 0;
  std::vector<std::string> rules, sites;
  mu::data list{mu::data::type::list};
  for (const auto& m : g.members) {
    const core::Alert& a = *m.alert;
    level = std::max(level, a.rule.level);
    const std::string t = a.rule.tlp.empty() ? "AMBER" : a.rule.tlp;
    if (core::tlp_rank(t) > core::tlp_rank(tlp)) tlp = t;  // a group mail carries the strictest
    events += a.count;
    fresh += m.is_new ? 1 : 0;
    changed += m.is_changed && !m.is_new ? 1 : 0;
    if (std::find(rules.begin(), rules.end(), a.rule.title) == rules.end()) rules.push_back(a.rule.title);
    if (std::find(sites.begin(), sites.end(), a.site) == sites.end()) sites.push_back(a.site);
    mu::data e;
    e.set("alert_id", clean_line(a.id));
    e.set("rule_id", clean_line(a.rule.id));
    e.set("rule_title", clean_line(a.rule.title));
    e.set("site_label", clean_line(a.site.empty() ? "?" : a.site));
    e.set("level_upper", clean_line(upper(core::level_name(a.rule.level))));
    e.set("count", std::to_string(a.count));
    std::string key;
    for (const auto& [k, v] : a.key) key += (key.empty() ? "" : ", ") + k + "=" + v;
    e.set("key", clean_line(key));
    e.set("has_key", !a.key.empty());
    e.set("first_seen_utc", utc_text(a.first_seen));
    e.set("last_seen_utc", utc_text(a.last_seen));
    e.set("is_new", m.is_new);
    e.set("is_changed", m.is_changed && !m.is_new);
    list.push_back(e);
  }
  d.set("alerts", list);
  put("alert_count", std::to_string(g.alert_count));
  put("listed_count", std::to_string(g.members.size()));
  const std::size_t unlisted = g.alert_count > g.members.size() ? g.alert_count - g.members.size() : 0;
  d.set("has_unlisted", unlisted > 0);
  put("unlisted_count", std::to_string(unlisted));
  put("event_count", std::to_string(events));
  put("new_count", std::to_string(fresh));
  d.set("has_new", fresh > 0);
  put("changed_count", std::to_string(changed));
  d.set("has_changed", changed > 0);
  put("level", core::level_name(level));
  put("level_upper", upper(core::level_name(level)));
  put("tlp", tlp);
  d.set("has_one_rule", rules.size() == 1);
  put("rule_title", rules.size() == 1 ? rules.front() : "");
  put("rule_count", std::to_string(rules.size()));
  d.set("has_one_site", sites.size() == 1);
  put("site_label", sites.size() == 1 ? (sites.front().empty() ? "?" : sites.front()) : "");
  put("site_name", sites.size() == 1 && p.site ? p.site->name : "");
  d.set("has_site_name", sites.size() == 1 && p.site != nullptr && !p.site->name.empty());
  put("site_count", std::to_string(sites.size()));
  mu::data key{mu::data::type::list};
  for (const auto& [k, v] : g.key) {
    mu::data kv;
    kv.set("field", clean_line(k));
    kv.set("value", clean_line(v.empty() ? "(absent)" : v));
    key.push_back(kv);
  }
  d.set("group_key", key);
  d.set("is_update", g.kind == GroupMailKind::update);
  d.set("is_reminder", g.kind == GroupMailKind::reminder);
  put("hostname", p.hostname);
  return d;
}

}  // namespace

core::Result<RenderedMail> render_group_mail(const Templates& t, const GroupMail& g, const MailParams& p) {
  if (g.members.empty()) return core::fail("group mail", "no alert to list");
  if (!t.group_subject || !t.group_body) return core::fail("group mail", "group templates not loaded");
  const mu::data d = group_view(g, p);
  RenderedMail m;
  m.subject = one_line(clean_body(t.group_subject->render(d)));
  if (!t.group_subject->is_valid()) return core::fail("group subject template", t.group_subject->error_message());
  const std::string body = clean_body(t.group_body->render(d));
  if (!t.group_body->is_valid()) return core::fail("group body template", t.group_body->error_message());
  m.message_id = p.message_id;
  core::Level level = core::Level::informational;
  for (const auto& mem : g.members) level = std::max(level, mem.alert->rule.level);
  write_message(m, p, p.thread_root, body, g.members.front().alert->id, level);
  return m;
}

}  // namespace vigie::notify
