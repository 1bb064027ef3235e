#include <doctest/doctest.h>

#include "helpers.hpp"
#include "notify/render.hpp"
#include "notify/sink.hpp"

using namespace vigie;

TEST_CASE("maildir sink: creates tmp/new/cur and writes a parseable message into new/") {
  test::TempDir t;
  const auto dir = t.path / "maildir";
  notify::MaildirSink sink(dir);
  auto tpl = notify::load_templates("fr", {});
  REQUIRE(tpl);
  const auto a = test::sample_alert();
  notify::MailParams p{"Vigie <vigie@h>", "h", {"x@example.org"}, nullptr, nullptr, false, test::at(0)};
  auto mail = notify::render_mail(*tpl, a, p);
  REQUIRE(mail);
  store::OutboxItem item;
  item.id = 7;
  item.recipients = {"x@example.org"};
  item.message_id = mail->message_id;
  item.message = mail->bytes;
  REQUIRE(sink.send(item, {}));
  REQUIRE(sink.send(item, {}));  // a second delivery of the same item gets its own file
  for (const char* sub : {"tmp", "new", "cur"}) CHECK(std::filesystem::is_directory(dir / sub));
  CHECK(std::filesystem::is_empty(dir / "tmp"));
  const auto msgs = test::maildir_messages(dir);
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0].find('\r') == std::string::npos);  // LF line ends in a maildir
  CHECK(test::header_of(msgs[0], "Message-ID") == "<" + a.id + "@h>");
  CHECK(test::header_of(msgs[0], "X-Vigie-Alert-Id") == a.id);
  CHECK(test::decode_2047(test::header_of(msgs[0], "Subject")) == mail->subject);
}

TEST_CASE("maildir sink: an unwritable directory is an error naming the path") {
  test::TempDir t;
  std::ofstream(t.path / "file") << "x";
  notify::MaildirSink sink(t.path / "file" / "maildir");
  store::OutboxItem item;
  item.message = "Subject: x\r\n\r\nx\r\n";
  auto r = sink.send(item, {});
  REQUIRE_FALSE(r);
  CHECK(r.error().where.find("file/maildir") != std::string::npos);
}
