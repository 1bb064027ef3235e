#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include "notify/mime.hpp"
#include "notify/sink.hpp"

namespace vigie::notify {
namespace {

// curl_global_init is not thread-safe; the first SmtpSink does it, before any transfer.
void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
  std::string_view data;
  std::size_t pos = 0;
};

std::size_t read_cb(char* buf, std::size_t size, std::size_t nitems, void* user) {
  auto* u = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * nitems, u->data.size() - u->pos);
  std::memcpy(buf, u->data.data() + u->pos, n);
  u->pos += n;
  return n;
}

// Progress callback: a non-zero return aborts the transfer (CURLE_ABORTED_BY_CALLBACK). libcurl
// calls it about once a second even while waiting for the server, so shutdown never waits for
// `notify.smtp.timeout` on a stalled relay.
int progress_cb(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::stop_token*>(user)->stop_requested() ? 1 : 0;
}

struct Slist {
  curl_slist* list = nullptr;
  ~Slist() { curl_slist_free_all(list); }
};

core::Result<std::string> read_password(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return core::fail(file.string(), "cannot read SMTP password file");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string p = ss.str();
  while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
  return p;
}

}  // namespace

SmtpSink::SmtpSink(config::Smtp smtp) : smtp_(std::move(smtp)) {
  global_init();
  curl_ = curl_easy_init();
}

SmtpSink::~SmtpSink() {
  // After a transfer interrupted by shutdown the connection may still be open mid-dialogue, and
  // curl_easy_cleanup would say QUIT and wait for the reply (up to 120 s on a hung relay, past
  // systemd's stop timeout). The process is exiting: the kernel closes the socket.
  if (curl_ && !interrupted_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

namespace {

// The SMTP dialogue as libcurl logs it (CURLOPT_DEBUGFUNCTION): commands go out one at a time
// and curl waits for each reply, so a reply belongs to the last command sent. What we keep:
// the verb of that command (is a final 5xx about the message, or about the session?) and each
// recipient a RCPT TO reply refused.
struct Dialogue {
  std::string command;  // verb of the last command sent: EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA...
  std::string rcpt;     // address of the last RCPT TO
  std::vector<std::pair<std::string, std::string>> refused;  // address, reply (final line)
};

int debug_cb(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  auto* d = static_cast<Dialogue*>(user);
  std::string_view line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (type == CURLINFO_HEADER_OUT) {
    d->command.assign(line.substr(0, line.find_first_of(" :")));
    for (auto& ch : d->command) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (d->command == "RCPT") {
      const auto lt = line.find('<');
      const auto gt = line.rfind('>');
      d->rcpt = lt != std::string_view::npos && gt != std::string_view::npos && gt > lt
                    ? std::string(line.substr(lt + 1, gt - lt - 1))
                    : std::string();
    }
  } else if (type == CURLINFO_HEADER_IN && d->command == "RCPT" && !line.empty()) {
    const bool last_line = line.size() < 4 || line[3] != '-';  // "550-5.1.1 ..." continues
    if (last_line && line.front() != '2') d->refused.emplace_back(d->rcpt, clean_line(line));
  }
  return 0;
}

}  // namespace

SendResult SmtpSink::send(const store::OutboxItem& item, const std::stop_token& stop) {
  const std::string& where = smtp_.url;
  const auto failed = [&](std::string what, bool permanent = false) {
    return send_failed(core::Error{where, std::move(what)}, permanent);
  };
  auto* c = static_cast<CURL*>(curl_);
  if (!c) return failed("curl_easy_init failed");
  const std::string from = bare_address(smtp_.from);
  if (from.empty()) return failed("no usable address in notify.smtp.from '" + smtp_.from + "'");
  Slist rcpt;
  for (const auto& r : item.recipients) {
    const std::string addr = bare_address(r);
    if (addr.empty()) return failed("invalid recipient address '" + clean_line(r) + "'", true);
    rcpt.list = curl_slist_append(rcpt.list, ("<" + addr + ">").c_str());
  }
  if (!rcpt.list) return failed("no recipients", true);

  std::string password;
  if (!smtp_.username.empty() && !smtp_.password_file.empty()) {
    auto p = read_password(smtp_.password_file);
    if (!p) return send_failed(p.error());
    password = std::move(*p);
  }

  curl_easy_reset(c);
  char errbuf[CURL_ERROR_SIZE] = {};
  Upload up{item.message, 0};
  Dialogue dialogue;
  const long timeout_ms =
      static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(smtp_.timeout).count());
  const bool implicit_tls = smtp_.url.rfind("smtps://", 0) == 0;
  long use_ssl = CURLUSESSL_ALL;
  if (!implicit_tls) {
    if (smtp_.starttls == config::StartTls::opportunistic)
      use_ssl = CURLUSESSL_TRY;
    else if (smtp_.starttls == config::StartTls::never)
      use_ssl = CURLUSESSL_NONE;
  }
  curl_easy_setopt(c, CURLOPT_URL, smtp_.url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // we run in a worker thread: no SIGALRM
  curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl);
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, ("<" + from + ">").c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.list);
  // One refused address (a mailbox that left, a typo in a site's contacts) must not keep the
  // alert from everyone else: the transfer goes on if at least one recipient is accepted.
  // (curl 7.88, Debian 12, spells it ALLLOWFAILS; 8.2 renamed it ALLOWFAILS, same option.)
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);  // only to feed debug_cb; nothing is printed
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &dialogue);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(c, CURLOPT_READDATA, &up);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(item.message.size()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  if (!smtp_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, smtp_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
  }
  if (!smtp_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, smtp_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &stop);

  const CURLcode rc = curl_easy_perform(c);
  // A 4xx to one RCPT is "not now" (greylisting, a full mailbox): that address is retried on
  // its own; a 5xx is the relay's final word on that address.
  Delivered done;
  for (auto& [address, reply] : dialogue.refused) {
    if (!reply.empty() && reply.front() == '4')
      done.retry.push_back(address);
    else
      done.refused.push_back(address + ": " += reply);
  }
  if (rc == CURLE_OK) return done;
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    interrupted_ = true;
    return failed("interrupted by shutdown; the mail stays queued");
  }
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  std::string what = curl_easy_strerror(rc);
  if (errbuf[0] != '\0' && what != errbuf) what.append(" (").append(errbuf).append(")");
  if (code != 0) what.append(", SMTP response ").append(std::to_string(code));
  for (const auto& [address, reply] : dialogue.refused)
    what.append("; refused ").append(address).append(": ").append(reply);
  // Permanent only when the relay refused this message (RFC 5321 §4.2.1): a 5xx at the end of
  // DATA, or every recipient refused with a 5xx. A 5xx to the session (relay access, MAIL FROM,
  // STARTTLS, AUTH) is a configuration to fix, after which the queued alerts must still go.
  const bool message_refused =
      code >= 500 && code < 600 &&
      (dialogue.command == "DATA" || (dialogue.command == "RCPT" && done.retry.empty() && !done.refused.empty()));
  return failed(what, message_refused);
}

std::unique_ptr<Sink> make_sink(const config::Config& cfg) {
  if (cfg.notify.smtp) return std::make_unique<SmtpSink>(*cfg.notify.smtp);
  return std::make_unique<MaildirSink>(cfg.maildir());
}

}  // namespace vigie::notify
