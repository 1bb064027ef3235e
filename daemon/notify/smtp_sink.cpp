#include <curl/curl.h>

#include <algorithm>
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
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

core::Result<void> SmtpSink::send(const store::OutboxItem& item, const std::stop_token& stop) {
  const std::string& where = smtp_.url;
  auto* c = static_cast<CURL*>(curl_);
  if (!c) return core::fail(where, "curl_easy_init failed");
  const std::string from = bare_address(smtp_.from);
  if (from.empty()) return core::fail(where, "no usable address in notify.smtp.from '" + smtp_.from + "'");
  Slist rcpt;
  for (const auto& r : item.recipients) {
    const std::string addr = bare_address(r);
    if (addr.empty()) return core::fail(where, "invalid recipient address '" + clean_line(r) + "'");
    rcpt.list = curl_slist_append(rcpt.list, ("<" + addr + ">").c_str());
  }
  if (!rcpt.list) return core::fail(where, "no recipients");

  std::string password;
  if (!smtp_.username.empty() && !smtp_.password_file.empty()) {
    auto p = read_password(smtp_.password_file);
    if (!p) return tl::unexpected(p.error());
    password = std::move(*p);
  }

  curl_easy_reset(c);
  char errbuf[CURL_ERROR_SIZE] = {};
  Upload up{item.message, 0};
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
  if (rc == CURLE_OK) return {};
  if (rc == CURLE_ABORTED_BY_CALLBACK) return core::fail(where, "interrupted by shutdown; the mail stays queued");
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  std::string what = curl_easy_strerror(rc);
  if (errbuf[0] != '\0' && what != errbuf) what += " (" + std::string(errbuf) + ")";
  if (code != 0) what += ", SMTP response " + std::to_string(code);
  return core::fail(where, what);
}

std::unique_ptr<Sink> make_sink(const config::Config& cfg) {
  if (cfg.notify.smtp) return std::make_unique<SmtpSink>(*cfg.notify.smtp);
  return std::make_unique<MaildirSink>(cfg.maildir());
}

}  // namespace vigie::notify
