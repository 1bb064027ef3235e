// Renders one alert mail: the RFC 5322 message bytes stored in the outbox and sent as is.
//
// Message-ID (stable, DESIGN.md §7): the first mail of an alert is <{alert_id}@{host}>; a
// follow-up mail is <{alert_id}.{count}@{host}> with In-Reply-To and References pointing at
// the first, so mail clients thread them. A retry re-sends the stored bytes, so the id of a
// retried mail is identical. All targets of one notification share the Message-ID: it is the
// same mail, sent to several lists of recipients.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/alert.hpp"
#include "core/error.hpp"
#include "core/timezone.hpp"
#include "notify/templates.hpp"

namespace vigie::notify {

struct MailParams {
  std::string from;             // From header, "Name <addr>" or addr
  std::string hostname;         // Message-ID domain, shown in the footer
  std::vector<std::string> to;  // the target's recipients
  const config::Site* site = nullptr;
  const core::TimeZone* zone = nullptr;  // the site's zone; nullptr or UTC → UTC times only
  bool update = false;                   // a follow-up of an alert already notified
  core::TimePoint date{};                // Date header
  std::string language = "fr";           // of the templates (a few labels are chosen in code)
  // Set by group mails (notify/group.hpp): this Message-ID instead of the alert's, threaded
  // under `thread_root` when it differs.
  std::string message_id{};
  std::string thread_root{};
};

struct RenderedMail {
  std::string message_id;  // with angle brackets
  std::string subject;     // decoded, one line (for logs and tests)
  std::string bytes;       // headers + quoted-printable body, CRLF, lines ≤ 76 octets
};

[[nodiscard]] std::string first_message_id(const std::string& alert_id, const std::string& hostname);
[[nodiscard]] std::string update_message_id(const std::string& alert_id, uint64_t count, const std::string& hostname);
// Advisory mails (rule vigie-advisory) thread per advisory: <adv-{thread}@{host}> for the
// first, <adv-{thread}.{seq}@{host}> after it.
[[nodiscard]] std::string advisory_message_id(const std::string& thread, uint32_t seq, const std::string& hostname);

[[nodiscard]] core::Result<RenderedMail> render_mail(const Templates& t, const core::Alert& a, const MailParams& p);

// One mail for a notification group (route group_by): the group's alerts, at most
// kGroupListLimit of them listed (`unlisted` more), with the group_subject / group_body
// templates. p.message_id and p.thread_root are required; p.site/p.zone describe the group's
// site when it has one.
inline constexpr std::size_t kGroupListLimit = 200;
struct GroupMailMember {
  const core::Alert* alert = nullptr;
  bool is_new = false;      // in no earlier mail of the group
  bool is_changed = false;  // count grew since the group's last mail
};
enum class GroupMailKind { first, update, reminder };
struct GroupMail {
  core::KeyValues key;  // the group_by values
  std::vector<GroupMailMember> members;
  std::size_t alert_count = 0;  // members + unlisted
  GroupMailKind kind = GroupMailKind::first;
};
[[nodiscard]] core::Result<RenderedMail> render_group_mail(const Templates& t, const GroupMail& g, const MailParams& p);

}  // namespace vigie::notify
