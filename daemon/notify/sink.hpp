// Delivery sinks. A sink is owned and called by the notifier thread only; send() blocks
// until the destination has accepted the message (or failed) and never throws.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <stop_token>
#include <string>

#include "config/config.hpp"
#include "core/error.hpp"
#include "store/store.hpp"

namespace vigie::notify {

// The destination holds the message, for every recipient but `refused` ("addr: server reply",
// refused for good) and `retry` (addresses refused for now: to send again on their own).
struct Delivered {
  std::vector<std::string> refused;
  std::vector<std::string> retry;
};
// Not delivered. `permanent`: the destination refused this message for good (SMTP 5xx at the
// end of DATA, or to every recipient), so retrying it for days would change nothing.
struct SendError : core::Error {
  bool permanent = false;
};
using SendResult = tl::expected<Delivered, SendError>;

class Sink {
 public:
  virtual ~Sink();
  // Ok only once the destination holds the message durably (maildir: fsync'ed in new/;
  // SMTP: the server answered 250 to the end of DATA). A stop request (shutdown) makes a
  // send that is waiting on the network give up within about a second with an error.
  [[nodiscard]] virtual SendResult send(const store::OutboxItem& item, const std::stop_token& stop) = 0;
};

[[nodiscard]] inline tl::unexpected<SendError> send_failed(const core::Error& e, bool permanent = false) {
  return tl::unexpected<SendError>(SendError{{e.where, e.what}, permanent});
}

// Maildir (https://cr.yp.to/proto/maildir.html): the message is written to tmp/ under a
// unique name, fsync'ed, hard-linked into new/ and removed from tmp/; new/ is fsync'ed too.
// Line ends are stored as LF, as mail readers expect in a maildir. Creates the directories.
class MaildirSink final : public Sink {
 public:
  explicit MaildirSink(std::filesystem::path dir);
  [[nodiscard]] SendResult send(const store::OutboxItem& item, const std::stop_token& stop) override;
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

 private:
  [[nodiscard]] core::Result<void> write(const store::OutboxItem& item);
  std::filesystem::path dir_;
  std::string host_;       // maildir unique-name host part ('/' and ':' replaced)
  uint64_t sequence_ = 0;  // per-process counter in the unique name
};

// SMTP submission through libcurl: smtp:// with STARTTLS per `starttls` (required →
// CURLUSESSL_ALL, opportunistic → CURLUSESSL_TRY, never → CURLUSESSL_NONE) or smtps://
// (implicit TLS). AUTH when username is set (password read from password_file at each send,
// so a rotated secret needs no restart). One RCPT TO per recipient; a recipient the server
// refuses does not stop the others (CURLOPT_MAIL_RCPT_ALLOWFAILS): it is reported in
// Delivered::refused. MAIL FROM is the bare address of `from`. The curl handle is reused
// between sends so the connection is kept.
class SmtpSink final : public Sink {
 public:
  explicit SmtpSink(config::Smtp smtp);
  ~SmtpSink() override;
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;
  [[nodiscard]] SendResult send(const store::OutboxItem& item, const std::stop_token& stop) override;

 private:
  config::Smtp smtp_;
  void* curl_ = nullptr;      // CURL*, kept opaque so curl.h stays out of this header
  bool interrupted_ = false;  // a transfer was aborted by a stop request (see the destructor)
};

// SMTP if notify.smtp is set, else a maildir at cfg.maildir() (notify.maildir, default
// <storage dir>/maildir).
[[nodiscard]] std::unique_ptr<Sink> make_sink(const config::Config& cfg);

}  // namespace vigie::notify
