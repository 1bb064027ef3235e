#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "helpers.hpp"
#include "notify/mime.hpp"

using namespace vigie;

TEST_CASE("clean_line: invalid UTF-8 and control characters become U+FFFD, tab a space") {
  CHECK(notify::clean_line("a\xff"
                           "b") ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(notify::clean_line("x\r\nBcc: evil@example") ==
        "x\xEF\xBF\xBD\xEF\xBF\xBD"
        "Bcc: evil@example");
  CHECK(notify::clean_line("a\tb") == "a b");
  CHECK(notify::clean_line("déjà vu") == "déjà vu");
}

TEST_CASE("encode_unstructured: short ASCII as is, otherwise RFC 2047 words of at most 75 chars") {
  CHECK(notify::encode_unstructured("hello", 9) == "hello");
  const std::string text = "[VIGIE] ch-quimper — élévation de privilèges très très longue à encoder en plusieurs mots";
  const auto enc = notify::encode_unstructured(text, 9);
  CHECK(enc.rfind("=?UTF-8?B?", 0) == 0);
  std::istringstream in(enc);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.front() == ' ') line.erase(0, 1);
    CHECK(line.size() <= 75);
  }
  std::string unfolded;
  for (char c : enc)
    if (c != '\r' && c != '\n') unfolded += c;
  CHECK(test::decode_2047(unfolded) == text);
}

TEST_CASE("quoted_printable: CRLF lines of at most 76 chars that decode back") {
  std::string text = "ligne simple\n";
  text += std::string(300, 'x') + "=é\n";
  text += "espace en fin   \n";
  text += "dernière";
  const auto qp = notify::quoted_printable(text);
  std::istringstream in(qp);
  std::string line;
  while (std::getline(in, line)) {
    REQUIRE(!line.empty());
    CHECK(line.back() == '\r');
    CHECK(line.size() - 1 <= 76);
    CHECK(std::none_of(line.begin(), line.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }));
  }
  CHECK(qp.find("en fin  =20\r\n") != std::string::npos);
  std::string back = test::qp_decode(qp);
  std::string expected;
  for (char c : text) {
    if (c == '\n') expected += '\r';
    expected += c;
  }
  CHECK(back == expected + "\r\n");
}

TEST_CASE("addresses and dates") {
  CHECK(notify::bare_address("Vigie <vigie@example.org>") == "vigie@example.org");
  CHECK(notify::bare_address("rssi@site.example") == "rssi@site.example");
  CHECK(notify::bare_address("bad\r\n@x").empty());
  CHECK(notify::bare_address("no-at-sign").empty());
  CHECK(notify::format_address("Vigie <v@h>") == "Vigie <v@h>");
  CHECK(notify::format_address("Équipe SSI <v@h>").find("=?UTF-8?B?") == 0);
  CHECK(notify::rfc5322_date(test::at(1'700'000'000)) == "Tue, 14 Nov 2023 22:13:20 +0000");
  CHECK(notify::msgid_atom("a<b>@c d.e") == "abcd.e");
}
