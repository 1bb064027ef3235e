#include <doctest/doctest.h>

#include "bytes.hpp"
#include "ingest/pcap/tls.hpp"

using namespace vigie::dissect;
using vigie::dissect::test::Bytes;

namespace {

// A ClientHello with the lists of a Chrome 143 hello published by browserleaks.com (its JA3
// text 771,4865-...,0 with MD5 98487aa16281980e7d1120d399efb6a4 and JA4
// t13d1516h2_8daaf6152771_d8a2da3f94cd, "ja4_ro" giving the original order), plus GREASE
// values, which both fingerprints must ignore. Extension bodies we do not read are empty.
Bytes chrome_hello_body() {
  Bytes b;
  b.u16(0x0303);
  for (int i = 0; i < 32; ++i) b.u8(i);
  b.u8(0);
  auto cs = b.open(2);
  b.u16s({0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
          0x009d, 0x002f, 0x0035});
  b.close(cs);
  b.u8(1).u8(0);
  auto exts = b.open(2);
  auto ext = [&](unsigned type, auto&& body) {
    b.u16(type);
    auto m = b.open(2);
    body();
    b.close(m);
  };
  auto none = [] {};
  ext(0x1a1a, none);
  ext(0x002d, [&] { b.u8(1).u8(1); });
  ext(0x0033, none);
  ext(0x0010, [&] {
    auto l = b.open(2);
    b.u8(2).str("h2").u8(8).str("http/1.1");
    b.close(l);
  });
  ext(0xfe0d, none);
  ext(0x0017, none);
  ext(0x44cd, none);
  ext(0x0000, [&] {
    auto l = b.open(2);
    b.u8(0).u16(11).str("example.org");
    b.close(l);
  });
  ext(0x000b, [&] { b.u8(1).u8(0); });
  ext(0x000a, [&] {
    auto l = b.open(2);
    b.u16s({0x3a3a, 4588, 29, 23, 24});
    b.close(l);
  });
  ext(0x002b, [&] {
    auto l = b.open(1);
    b.u16s({0x5a5a, 0x0304, 0x0303});
    b.close(l);
  });
  ext(0xff01, [&] { b.u8(0); });
  ext(0x0023, none);
  ext(0x0012, none);
  ext(0x0005, none);
  ext(0x000d, [&] {
    auto l = b.open(2);
    b.u16s({0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601});
    b.close(l);
  });
  ext(0x001b, none);
  b.close(exts);
  return b;
}

Bytes handshake(unsigned type, const Bytes& body) {
  Bytes h;
  h.u8(type).u24(static_cast<unsigned>(body.v.size())).raw(body.span());
  return h;
}

// Records of at most `split` bytes each.
Bytes records(const Bytes& hs, std::size_t split = 16384) {
  Bytes r;
  for (std::size_t at = 0; at < hs.v.size(); at += split) {
    const std::size_t n = std::min(split, hs.v.size() - at);
    r.u8(22).u16(0x0301).u16(static_cast<unsigned>(n)).raw(hs.span().subspan(at, n));
  }
  return r;
}

Bytes server_hello_13() {
  // RFC 8446 §4.1.3 ServerHello choosing TLS 1.3 through supported_versions, x25519 key share.
  Bytes b;
  b.u16(0x0303);
  for (int i = 0; i < 32; ++i) b.u8(0xff - i);
  b.u8(0).u16(0x1301).u8(0);
  auto exts = b.open(2);
  b.u16(0x002b).u16(2).u16(0x0304);
  b.u16(0x0033).u16(36).u16(29).u16(32);
  for (int i = 0; i < 32; ++i) b.u8(i);
  b.close(exts);
  return b;
}

}  // namespace

TEST_CASE("tls: ClientHello fields, JA3 and JA4 match a published fingerprint") {
  const Bytes stream = records(handshake(1, chrome_hello_body()));
  TlsHello h;
  REQUIRE(parse_tls_hello(stream.span(), h) == Result::ok);
  CHECK(h.client);
  CHECK(h.record_version == 0x0301);
  CHECK(h.legacy_version == 0x0303);
  CHECK(h.version == 0x0304);
  CHECK(h.sni == "example.org");
  REQUIRE(h.alpn.size() == 2);
  CHECK(h.alpn[0] == "h2");
  CHECK(h.ciphers.size() == 16);
  CHECK(h.groups.size() == 5);
  CHECK(h.ja3 ==
        "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
        "45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0");
  CHECK(h.ja3_hash == "98487aa16281980e7d1120d399efb6a4");
  CHECK(h.ja4 == "t13d1516h2_8daaf6152771_d8a2da3f94cd");
}

TEST_CASE("tls: a hello split over records reads the same; every prefix is need_more") {
  const Bytes hs = handshake(1, chrome_hello_body());
  const Bytes split = records(hs, 50);
  TlsHello h;
  REQUIRE(parse_tls_hello(split.span(), h) == Result::ok);
  CHECK(h.ja4 == "t13d1516h2_8daaf6152771_d8a2da3f94cd");
  for (std::size_t n = 0; n < split.v.size(); ++n) {
    INFO("prefix " << n);
    CHECK(parse_tls_hello(split.span().first(n), h) == Result::need_more);
  }
}

TEST_CASE("tls: ServerHello of TLS 1.3") {
  const Bytes stream = records(handshake(2, server_hello_13()));
  TlsHello h;
  REQUIRE(parse_tls_hello(stream.span(), h) == Result::ok);
  CHECK_FALSE(h.client);
  CHECK(h.version == 0x0304);
  CHECK(h.legacy_version == 0x0303);
  CHECK(h.cipher == 0x1301);
  CHECK(h.curve == 29);
  CHECK(h.extensions == std::vector<uint16_t>{43, 51});
  CHECK(h.ja3 == "771,4865,43-51");
  CHECK(h.ja3_hash.size() == 32);
  CHECK(tls_version_name(h.version) == "TLSv13");
  CHECK(tls_group_name(h.curve) == "x25519");
  for (std::size_t n = 0; n < stream.v.size(); ++n)
    CHECK(parse_tls_hello(stream.span().first(n), h) == Result::need_more);
}

TEST_CASE("tls: refusals") {
  TlsHello h;
  const uint8_t http[] = {'G', 'E', 'T', ' ', '/'};
  CHECK(parse_tls_hello(http, h) == Result::not_this);
  const uint8_t sslv2[] = {0x80, 0x2e, 0x01, 0x00, 0x02};
  CHECK(parse_tls_hello(sslv2, h) == Result::not_this);
  const uint8_t finished[] = {22, 3, 3, 0, 4, 20, 0, 0, 0};  // first message not a hello
  CHECK(parse_tls_hello(finished, h) == Result::malformed);
  const uint8_t huge[] = {22, 3, 3, 0, 4, 1, 0x01, 0x00, 0x00};  // 64 KiB ClientHello
  CHECK(parse_tls_hello(huge, h) == Result::malformed);
  Bytes bad = chrome_hello_body();
  bad.v[bad.v.size() - 2] = 0x10;  // last extension's length now runs past the message
  CHECK(parse_tls_hello(records(handshake(1, bad)).span(), h) == Result::malformed);
  Bytes odd;  // odd cipher list length
  odd.u16(0x0303);
  for (int i = 0; i < 32; ++i) odd.u8(0);
  odd.u8(0).u16(3).u16(0x002f).u8(0).u8(1).u8(0);
  CHECK(parse_tls_hello(records(handshake(1, odd)).span(), h) == Result::malformed);
}

TEST_CASE("tls: GREASE and names") {
  CHECK(tls_is_grease(0x0a0a));
  CHECK(tls_is_grease(0xfafa));
  CHECK_FALSE(tls_is_grease(0x0a1a));
  CHECK_FALSE(tls_is_grease(0x1301));
  CHECK(tls_version_name(0x0303) == "TLSv12");
  CHECK(tls_version_name(0x0300) == "SSLv3");
  CHECK(tls_cipher_name(0xc014) == "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
  CHECK(tls_group_name(23) == "secp256r1");
}
