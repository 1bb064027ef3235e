// Against a real SMTP server: Debian's python3-aiosmtpd, started per test on a free port.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "helpers.hpp"
#include "notify/sink.hpp"

using namespace vigie;

namespace {

store::OutboxItem item_for(const std::string& message_id) {
  store::OutboxItem item;
  item.id = 1;
  item.recipients = {"alertes-ssi@listes.example", "Responsable SSI <rssi@site.example>"};
  item.message_id = message_id;
  item.message =
      "From: Vigie <vigie@vigie.test>\r\nTo: alertes-ssi@listes.example\r\nSubject: test\r\n"
      "Message-ID: " +
      message_id + "\r\n\r\nbody line\r\n.leading dot\r\n";
  return item;
}

config::Smtp smtp_for(const std::string& url, config::StartTls mode) {
  config::Smtp s;
  s.url = url;
  s.starttls = mode;
  s.from = "Vigie <vigie@vigie.test>";
  s.timeout = std::chrono::seconds(5);
  return s;
}

}  // namespace

TEST_CASE("SMTP sink delivers to a real server (STARTTLS never and opportunistic)") {
  test::TempDir t;
  test::SmtpServer server(t.path / "mbox");
  REQUIRE(server.ready());
  for (auto mode : {config::StartTls::never, config::StartTls::opportunistic}) {
    notify::SmtpSink sink(smtp_for(server.url(), mode));
    const std::string id = mode == config::StartTls::never ? "<a1@vigie.test>" : "<a2@vigie.test>";
    auto r = sink.send(item_for(id), {});
    REQUIRE_MESSAGE(r, r.error().to_string());
  }
  const auto msgs = test::maildir_messages(t.path / "mbox");
  REQUIRE(msgs.size() == 2);
  std::vector<std::string> ids;
  for (const auto& m : msgs) ids.push_back(test::header_of(m, "Message-ID"));
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"<a1@vigie.test>", "<a2@vigie.test>"});
  CHECK(msgs[0].find(".leading dot") != std::string::npos);  // dot-stuffing round trip
}

TEST_CASE("SMTP sink: STARTTLS required against a server without STARTTLS fails") {
  test::TempDir t;
  test::SmtpServer server(t.path / "mbox");
  REQUIRE(server.ready());
  notify::SmtpSink sink(smtp_for(server.url(), config::StartTls::required));
  auto r = sink.send(item_for("<x@vigie.test>"), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().where == server.url());
  CHECK(test::maildir_messages(t.path / "mbox").empty());
}

TEST_CASE("SMTP sink: unreachable server is an error naming it") {
  const auto url = "smtp://127.0.0.1:" + std::to_string(test::free_port());
  notify::SmtpSink sink(smtp_for(url, config::StartTls::never));
  auto r = sink.send(item_for("<x@vigie.test>"), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().where == url);
  CHECK(r.error().what.find("connect") != std::string::npos);
}

TEST_CASE("SMTP sink: STARTTLS with a self-signed certificate trusted through ca_file") {
  test::TempDir t;
  const auto cert = t.path / "cert.pem";
  const auto key = t.path / "key.pem";
  const std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext "
      "subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
      key.string() + " -out " + cert.string() + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  test::SmtpServer server(t.path / "mbox", cert, key);
  REQUIRE(server.ready());

  auto cfg = smtp_for(server.url(), config::StartTls::required);
  {
    notify::SmtpSink untrusted(cfg);  // system CAs only: the self-signed certificate is refused
    CHECK_FALSE(untrusted.send(item_for("<u@vigie.test>"), {}));
  }
  cfg.ca_file = cert;
  notify::SmtpSink sink(cfg);
  auto r = sink.send(item_for("<tls@vigie.test>"), {});
  REQUIRE_MESSAGE(r, r.error().to_string());
  const auto msgs = test::maildir_messages(t.path / "mbox");
  REQUIRE(msgs.size() == 1);
  CHECK(test::header_of(msgs[0], "Message-ID") == "<tls@vigie.test>");
}

TEST_CASE("SMTP sink: a stop request interrupts a send stalled on a silent server") {
  // A listening socket that never accepts: the TCP handshake completes in the kernel and the
  // client waits for a greeting that never comes, like a relay that hangs.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd, 4) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  auto cfg = smtp_for("smtp://127.0.0.1:" + std::to_string(ntohs(a.sin_port)), config::StartTls::never);
  cfg.timeout = std::chrono::seconds(60);
  notify::SmtpSink sink(cfg);
  std::stop_source stop;
  std::jthread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop.request_stop();
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto r = sink.send(item_for("<stall@vigie.test>"), stop.get_token());
  const auto waited = std::chrono::steady_clock::now() - t0;
  ::close(fd);
  REQUIRE_FALSE(r);
  CHECK(r.error().what.find("shutdown") != std::string::npos);
  CHECK(waited < std::chrono::seconds(10));  // far below the 60 s timeout
}
