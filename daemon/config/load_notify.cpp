// notify: section — SMTP submission, receivers, routes — and the embedded defaults.
#include <algorithm>
#include <map>
#include <set>

#include "config/load.hpp"
#include "config/syntax.hpp"
#include "core/alert.hpp"
#include "core/event.hpp"

namespace vigie::config::detail {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kDefaultReceiver = "default";

// smtp://127.0.0.1…, smtp://[::1]…, smtp://localhost…: the relay runs on this machine.
bool loopback_url(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return false;
  std::string_view host = url.substr(scheme + 3);
  if (host.starts_with("[")) {
    host = host.substr(1, host.find(']') == std::string_view::npos ? 0 : host.find(']') - 1);
  } else {
    host = host.substr(0, host.find_first_of(":/"));
  }
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

// Route group_by names (notify/README.md "Grouping"): fields of the alert itself, or a field
// of the alert's correlation key — an ECS event field name, or any name written key.NAME.
bool known_group_field(std::string_view f) {
  static constexpr std::string_view kAlertFields[] = {"rule.id", "rule.title", "level", "tlp", "observer.site", "site"};
  for (auto a : kAlertFields)
    if (f == a) return true;
  if (f.starts_with("key.") && f.size() > 4) return true;
  return core::fixed_field(f).has_value();
}

std::optional<Smtp> load_smtp(const Value& v, const LoadContext& ctx) {
  auto m = v.map({"url", "starttls", "username", "password_file", "from", "ca_file", "timeout"});
  if (!m) return std::nullopt;
  Smtp smtp;
  bool implicit_tls = false;
  if (auto url = m->get("url")) {
    if (auto s = url->string()) {
      smtp.url = *s;
      const bool plain = s->starts_with("smtp://"), tls = s->starts_with("smtps://");
      implicit_tls = tls;
      const std::size_t host_at = plain ? 7 : 8;
      if (!plain && !tls)
        url->error("'" + *s + "' must start with smtp:// (STARTTLS) or smtps:// (implicit TLS)");
      else if (s->size() <= host_at || (*s)[host_at] == ':' || (*s)[host_at] == '/')
        url->error("no host in '" + *s + "'");
    }
  } else {
    v.error("missing required key 'url' (e.g. smtp://relay.example:587)");
  }
  if (auto st = m->get("starttls")) {
    if (auto s = st->string()) {
      if (*s == "required")
        smtp.starttls = StartTls::required;
      else if (*s == "opportunistic")
        smtp.starttls = StartTls::opportunistic;
      else if (*s == "never")
        smtp.starttls = StartTls::never;
      else
        st->error("'" + *s + "' is not one of required, opportunistic, never");
      if (implicit_tls && smtp.starttls != StartTls::required)
        st->error("smtps:// always uses TLS; starttls: " + *s + " would not apply (use smtp:// or remove starttls)");
    }
  }
  if (auto u = m->get("username")) {
    if (auto s = u->string()) {
      smtp.username = *s;
      // AUTH PLAIN/LOGIN carry the password in the clear inside the session: only over TLS.
      // opportunistic falls back to plain text when the relay offers no STARTTLS (or a
      // man in the middle strips it), so it is refused too; never is allowed to a loopback
      // relay only, where the password does not leave the machine.
      if (!implicit_tls && smtp.starttls == StartTls::opportunistic)
        u->error(
            "'username' with starttls: opportunistic could send the password in clear text; use "
            "starttls: required or smtps://");
      else if (!implicit_tls && smtp.starttls == StartTls::never && !loopback_url(smtp.url))
        u->error(
            "'username' with starttls: never sends the password in clear text to a remote relay; use "
            "starttls: required or smtps://");
    }
  }
  if (auto p = m->get("password_file"))
    if (auto path = read_readable_file(*p, ctx)) smtp.password_file = *path;
  if (!smtp.username.empty() && smtp.password_file.empty() && !m->has("password_file"))
    v.error("'username' needs 'password_file' (a file holding the SMTP password)");
  if (smtp.username.empty() && m->has("password_file") && !m->has("username"))
    v.error("'password_file' needs 'username' (SMTP AUTH takes both)");
  if (auto f = m->get("from")) {
    if (auto s = f->string()) {
      if (mailbox_address(*s))
        smtp.from = *s;
      else
        f->error("'" + *s + "' is not a mailbox (e.g. \"Vigie <vigie@example.org>\" or vigie@example.org)");
    }
  }
  if (auto ca = m->get("ca_file")) {
    if (auto path = read_readable_file(*ca, ctx)) smtp.ca_file = *path;
    if (!implicit_tls && smtp.starttls == StartTls::never)
      ca->error("unused with starttls: never (no TLS, nothing to verify); remove it or enable STARTTLS");
  }
  if (auto t = m->get("timeout"))
    if (auto d = t->duration(false)) smtp.timeout = *d;
  return smtp;
}

std::optional<Receiver> load_receiver(const Value& item) {
  auto m = item.map({"name", "email"});
  if (!m) return std::nullopt;
  Receiver r;
  if (auto n = m->get("name")) {
    if (auto s = n->string()) {
      if (s->empty()) n->error("empty receiver name");
      r.name = *s;
    }
  } else {
    item.error("missing required key 'name'");
  }
  if (auto email = m->get("email")) {
    if (auto em = email->map({"to", "to_site_contacts"})) {
      std::size_t listed = 0;  // addresses written, valid or not: an invalid one is reported already
      if (auto to = em->get("to")) {
        auto addrs = to->sequence();
        if (!addrs) ++listed;
        for (const auto& addr : addrs.value_or(std::vector<Value>{})) {
          ++listed;
          auto s = addr.string();
          if (!s) continue;
          if (is_email_address(*s))
            r.to.push_back(*s);
          else
            addr.error("'" + *s + "' is not an e-mail address");
        }
      }
      bool bad_flag = false;  // already reported; "no recipients" would only repeat it
      if (auto tsc = em->get("to_site_contacts")) {
        auto b = tsc->boolean();
        bad_flag = !b;
        r.to_site_contacts = b.value_or(false);
      }
      if (listed == 0 && !r.to_site_contacts && !bad_flag)
        email->error("no recipients: set 'to' and/or 'to_site_contacts: true'");
    }
  } else {
    item.error("missing required key 'email' (a receiver without recipients would drop alerts)");
  }
  return r;
}

// Match values are checked against what they can ever equal, so a typo is an error at load
// time rather than a route that silently never matches.
void load_match(const Value& v, const std::set<std::string>& sites, Route& route) {
  auto m = v.map({"level", "rule.id", "observer.site", "tags"});
  if (!m) return;
  for (const char* field : {"level", "rule.id", "observer.site", "tags"}) {
    auto values = m->get(field);
    if (!values) continue;
    auto list = values->strings(/*scalar_is_list=*/true);
    if (!list) continue;
    if (list->empty()) {
      values->error("an empty list matches nothing; remove the key to match every alert");
      continue;
    }
    bool ok = true;
    for (const auto& s : *list) {
      if (std::string_view(field) == "level" && !core::parse_level(s)) {
        values->error("'" + s + "' is not a level (informational, low, medium, high, critical)");
        ok = false;
      } else if (std::string_view(field) == "observer.site" && !sites.contains(s)) {
        values->error("unknown site '" + s + "' (not in sites)");
        ok = false;
      }
    }
    if (ok) route.match.emplace(field, std::move(*list));
  }
}

std::optional<Route> load_route(const Value& item, const std::set<std::string>& receivers,
                                const std::set<std::string>& sites) {
  auto m = item.map({"match", "receivers", "group_by", "group_wait", "group_interval", "repeat_interval", "continue"});
  if (!m) return std::nullopt;
  Route r;
  if (auto match = m->get("match")) load_match(*match, sites, r);
  if (auto recv = m->get("receivers")) {
    auto names = recv->sequence();
    if (names && names->empty()) recv->error("a route needs at least one receiver");
    for (const auto& name : names.value_or(std::vector<Value>{})) {
      auto s = name.string();
      if (!s) continue;
      if (receivers.contains(*s))
        r.receivers.push_back(*s);
      else
        name.error("unknown receiver '" + *s + "' (not in notify.receivers)");
    }
  } else {
    item.error("missing required key 'receivers'");
  }
  if (auto g = m->get("group_by")) {
    for (const auto& field : g->sequence().value_or(std::vector<Value>{})) {
      auto s = field.string();
      if (!s) continue;
      // "site" is an alias: the stored name is the canonical one, so both spellings group alike.
      const std::string name = *s == "site" ? std::string("observer.site") : *s;
      if (!known_group_field(name))
        field.error("unknown group_by field '" + *s +
                    "' (rule.id, rule.title, level, tlp, observer.site, an event field of the alert's key such as "
                    "source.ip, or key.NAME)");
      else if (std::find(r.group_by.begin(), r.group_by.end(), name) != r.group_by.end())
        field.error("'" + *s + "' is listed twice");
      else
        r.group_by.push_back(name);
    }
  }
  if (auto d = m->get("group_wait"))
    if (auto x = d->duration(true)) r.group_wait = *x;
  if (auto d = m->get("group_interval")) {
    if (auto x = d->duration(false)) {
      r.group_interval = *x;
      // Only groups have an interval between their mails; a route mailing each alert on its
      // own would ignore it.
      if (r.group_by.empty() && !m->has("group_by"))
        d->error("applies to grouped routes only: set group_by (e.g. [rule.id]) or remove group_interval");
    }
  }
  if (auto d = m->get("repeat_interval"))
    if (auto x = d->duration(false)) r.repeat_interval = *x;
  if (auto c = m->get("continue")) r.continue_matching = c->boolean().value_or(false);
  return r;
}

}  // namespace

void load_notify(const Value& v, LoadContext& ctx, Config& cfg) {
  auto m = v.map({"smtp", "maildir", "language", "templates_dir", "hostname", "receivers", "routes", "retry_initial",
                  "retry_max"});
  if (!m) return;
  Notify& n = cfg.notify;
  if (auto s = m->get("smtp")) {
    if (s->is_null())
      s->error("empty section; remove it to deliver to the maildir, or set at least 'url'");
    else
      n.smtp = load_smtp(*s, ctx);
  }
  if (auto s = m->get("maildir")) {
    if (auto p = read_path(*s, ctx)) n.maildir = *p;
    // The maildir is the sink only when there is no relay (make_sink): accepting both would
    // be a key that serve ignores.
    if (n.smtp || m->has("smtp"))
      s->error("not used when notify.smtp is set (mail goes to the SMTP relay); remove one of them");
  }
  if (auto s = m->get("language")) {
    if (auto lang = s->string()) {
      if (*lang == "fr" || *lang == "en")
        n.language = *lang;
      else
        s->error("'" + *lang + "' is not a supported language (fr, en)");
    }
  }
  if (auto s = m->get("templates_dir")) {
    if (auto p = read_path(*s, ctx)) {
      std::error_code ec;
      if (!fs::is_directory(*p, ec)) s->error("not a directory: " + p->string());
      n.templates_dir = *p;
    }
  }
  if (auto s = m->get("hostname")) {
    if (auto h = s->string()) {
      if (is_host_name(*h))
        n.hostname = *h;
      else
        s->error("'" + *h + "' is not a host name (letters, digits, '-' and dots)");
    }
  }

  std::set<std::string> names;
  if (auto s = m->get("receivers")) {
    for (const auto& item : s->sequence().value_or(std::vector<Value>{})) {
      auto r = load_receiver(item);
      if (!r || r->name.empty()) continue;
      if (!names.insert(r->name).second) {
        item.error("duplicate receiver name '" + r->name + "'");
        continue;
      }
      n.receivers.push_back(std::move(*r));
    }
  }
  // Routes may name the embedded default receiver when none is configured.
  if (n.receivers.empty()) names.insert(std::string(kDefaultReceiver));

  std::set<std::string> sites;
  for (const auto& site : cfg.sites) sites.insert(site.id);
  if (auto s = m->get("routes")) {
    for (const auto& item : s->sequence().value_or(std::vector<Value>{}))
      if (auto r = load_route(item, names, sites)) n.routes.push_back(std::move(*r));
  }

  if (auto s = m->get("retry_initial"))
    if (auto d = s->duration(false)) n.retry_initial = *d;
  if (auto s = m->get("retry_max")) {
    if (auto d = s->duration(false)) {
      n.retry_max = *d;
      if (n.retry_max < n.retry_initial) s->error("must not be shorter than retry_initial");
    }
  }
}

void apply_notify_defaults(Notify& notify) {
  if (notify.receivers.empty()) {
    Receiver r;
    r.name = std::string(kDefaultReceiver);
    r.to = {"root@localhost"};
    r.to_site_contacts = true;
    notify.receivers.push_back(std::move(r));
  }
  if (notify.routes.empty()) {
    Route all;
    for (const auto& r : notify.receivers) all.receivers.push_back(r.name);
    notify.routes.push_back(std::move(all));
  }
}

}  // namespace vigie::config::detail
