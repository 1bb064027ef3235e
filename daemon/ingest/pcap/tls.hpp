// Start of one direction of a TLS/SSL connection (RFC 8446, RFC 5246): the handshake records
// (content type 22) are gathered across records and the first handshake message is read,
// a ClientHello or a ServerHello. On the server side of TLS <= 1.2, the Certificate and an
// ECDHE ServerKeyExchange that follow are read too when they are complete in the bytes given.
//
// Caps: a record at most 2^14 + 2048 bytes (RFC 5246 §6.2.3), a handshake message at most
// kTlsMaxHandshake bytes (the hello beyond it is malformed; a bigger Certificate is skipped),
// at most kTlsMaxList ciphers / extensions / groups / signature algorithms kept (the
// fingerprints are computed over what is kept). SSLv2-format hellos are not_this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/pcap/result.hpp"

namespace vigie::dissect {

struct TlsHello {
  bool client = false;
  uint16_t record_version = 0, legacy_version = 0;
  // Server: supported_versions' choice, else legacy_version. Client: the highest non-GREASE
  // value of supported_versions, else legacy_version.
  uint16_t version = 0;
  std::string sni;  // escaped as DNS names are (\DDD outside 0x21-0x7e)
  std::vector<std::string> alpn;
  std::vector<uint16_t> ciphers, extensions, groups, signature_algorithms;  // as sent, GREASE included
  std::vector<uint8_t> ec_point_formats;
  uint16_t cipher = 0;  // server: the chosen suite
  uint16_t curve = 0;   // server: ECDHE named curve (TLS 1.2 ServerKeyExchange) or key_share group (1.3)
  // Client: JA3 string, its MD5 hex, JA4 (FoxIO, TCP "t"). Server: JA3S in ja3 / ja3_hash.
  std::string ja3, ja3_hash, ja4;
  // Server, TLS <= 1.2, when the Certificate message is complete in the bytes given: the first
  // certificate's subject and issuer as OpenSSL's RFC 2253 one-line text.
  std::string cert_subject, cert_issuer;
};

inline constexpr std::size_t kTlsMaxHandshake = 16 * 1024;
inline constexpr std::size_t kTlsMaxRecord = 16 * 1024 + 2048;
inline constexpr std::size_t kTlsMaxList = 128;

// need_more: the records are well formed so far and the hello is not complete yet. not_this:
// the first record is not a TLS handshake record (type 22, version 3.x). malformed: lengths
// that disagree, a first message other than a hello, a cap exceeded.
[[nodiscard]] Result parse_tls_hello(std::span<const uint8_t> stream, TlsHello& out);

[[nodiscard]] std::string_view tls_version_name(uint16_t v);  // Zeek's: "SSLv3", "TLSv10" ... "TLSv13", or ""
[[nodiscard]] std::string_view tls_cipher_name(uint16_t c);   // IANA name of common suites, or ""
[[nodiscard]] std::string_view tls_group_name(uint16_t g);    // "secp256r1", "x25519", ... or ""
[[nodiscard]] constexpr bool tls_is_grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

}  // namespace vigie::dissect
