// RFC 5322 / MIME building blocks for the alert mail. Every function here turns untrusted
// text (rule titles, log lines, site names) into bytes that are valid on the wire: valid
// UTF-8, no bare CR or LF inside a header, lines of at most 998 octets.
#pragma once

#include <string>
#include <string_view>

#include "core/time.hpp"

namespace vigie::notify {

// One line of display text: invalid UTF-8 → U+FFFD, CR/LF and other control characters →
// U+FFFD (tab → space). Used for every value put into a template or a header, so a log line
// can neither break a header (injection) nor fake extra lines in the body.
[[nodiscard]] std::string clean_line(std::string_view s);

// An unstructured header value (Subject): as is when short printable ASCII, otherwise RFC 2047
// "=?UTF-8?B?...?=" encoded words of at most 75 characters, never splitting a UTF-8 sequence,
// folded with CRLF SP. The caller's "Name: " is accounted for in the first line's length.
[[nodiscard]] std::string encode_unstructured(std::string_view value, std::size_t name_len);

// "Display Name <addr@host>" or a bare address; a non-ASCII display name is RFC 2047 encoded.
[[nodiscard]] std::string format_address(std::string_view mailbox);
// The bare addr-spec of a mailbox ("Vigie <v@h>" → "v@h"); "" if there is none.
[[nodiscard]] std::string bare_address(std::string_view mailbox);

// Quoted-printable body (RFC 2045 §6.7): input lines end with LF or CRLF, output lines end
// with CRLF and are at most 76 characters.
[[nodiscard]] std::string quoted_printable(std::string_view text);

// "Sun, 22 Nov 2026 08:12:31 +0000" (RFC 5322 §3.3), always in UTC.
[[nodiscard]] std::string rfc5322_date(core::TimePoint t);

// Keeps [A-Za-z0-9.-_] only: for the parts of a Message-ID taken from config or ids.
[[nodiscard]] std::string msgid_atom(std::string_view s);

}  // namespace vigie::notify
