// TLS hello parsing and fingerprints. The handshake bytes of consecutive handshake records are
// copied into one buffer (handshake messages may span records, RFC 8446 §5.1); the copy is
// bounded by kGatherCap whatever the input size. Inside a complete message every length is
// checked against its enclosing one: a disagreement is malformed, never a read past the end.
#include "ingest/pcap/tls.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>

namespace vigie::dissect {
namespace {

using detail::Reader;
using Bytes = std::span<const uint8_t>;

constexpr std::size_t kGatherCap = 64 * 1024;
constexpr std::size_t kMaxAlpn = 16;

enum : uint16_t {
  kExtSni = 0,
  kExtGroups = 10,
  kExtPointFormats = 11,
  kExtSigAlgs = 13,
  kExtAlpn = 16,
  kExtVersions = 43,
  kExtKeyShare = 51,
};

void push_capped(std::vector<uint16_t>& v, uint16_t x) {
  if (v.size() < kTlsMaxList) v.push_back(x);
}

// A list of u16 preceded by its byte length (of width 1 or 2).
bool read_u16_list(Reader& r, bool wide_length, std::vector<uint16_t>& out) {
  uint16_t len = 0;
  uint8_t len8 = 0;
  if (wide_length ? !r.u16(len) : !r.u8(len8)) return false;
  if (!wide_length) len = len8;
  if (len % 2 != 0 || len > r.left()) return false;
  for (uint16_t i = 0; i < len / 2; ++i) {
    uint16_t x = 0;
    if (!r.u16(x)) return false;
    push_capped(out, x);
  }
  return true;
}

bool read_sni(Reader& r, std::string& sni) {
  uint16_t list = 0;
  if (!r.u16(list) || list != r.left()) return false;
  while (r.left() > 0) {
    uint8_t type = 0;
    uint16_t len = 0;
    Bytes name;
    if (!r.u8(type) || !r.u16(len) || !r.bytes(len, name)) return false;
    if (type == 0 && sni.empty())
      for (uint8_t b : name) detail::append_escaped(sni, b);
  }
  return true;
}

bool read_alpn(Reader& r, std::vector<std::string>& alpn) {
  uint16_t list = 0;
  if (!r.u16(list) || list != r.left()) return false;
  while (r.left() > 0) {
    uint8_t len = 0;
    Bytes proto;
    if (!r.u8(len) || len == 0 || !r.bytes(len, proto)) return false;
    if (alpn.size() < kMaxAlpn) alpn.emplace_back(proto.begin(), proto.end());
  }
  return true;
}

// One extension's body; `client` selects the ClientHello or ServerHello shape.
bool read_extension(uint16_t type, Bytes body, bool client, TlsHello& out) {
  Reader r(body);
  bool ok = true;
  switch (type) {
    case kExtSni:
      if (client && !body.empty()) ok = read_sni(r, out.sni);
      return ok;
    case kExtAlpn:
      return read_alpn(r, out.alpn);  // the server echoes one protocol in the same shape
    case kExtGroups:
      return !client || read_u16_list(r, true, out.groups);
    case kExtSigAlgs:
      return !client || read_u16_list(r, true, out.signature_algorithms);
    case kExtPointFormats: {
      uint8_t len = 0;
      Bytes formats;
      if (!r.u8(len) || !r.bytes(len, formats)) return false;
      for (uint8_t f : formats)
        if (out.ec_point_formats.size() < kTlsMaxList) out.ec_point_formats.push_back(f);
      return true;
    }
    case kExtVersions: {
      if (!client) return r.u16(out.version);
      std::vector<uint16_t> versions;
      if (!read_u16_list(r, false, versions)) return false;
      for (uint16_t v : versions)
        if (!tls_is_grease(v) && v > out.version) out.version = v;
      return true;
    }
    case kExtKeyShare:
      if (!client && body.size() >= 2) ok = r.u16(out.curve);  // HelloRetryRequest: the group alone
      return ok;
    default:
      return true;
  }
}

bool read_extensions(Reader& r, bool client, TlsHello& out) {
  if (r.left() == 0) return true;  // extensions are optional before TLS 1.3
  uint16_t total = 0;
  if (!r.u16(total) || total != r.left()) return false;
  while (r.left() > 0) {
    uint16_t type = 0, len = 0;
    Bytes body;
    if (!r.u16(type) || !r.u16(len) || !r.bytes(len, body)) return false;
    push_capped(out.extensions, type);
    if (!read_extension(type, body, client, out)) return false;
  }
  return true;
}

bool read_client_hello(Bytes msg, TlsHello& out) {
  Reader r(msg);
  uint8_t sid = 0, comp = 0;
  uint16_t suites = 0;
  if (!r.u16(out.legacy_version) || !r.skip(32) || !r.u8(sid) || sid > 32 || !r.skip(sid)) return false;
  if (!r.u16(suites) || suites % 2 != 0 || suites == 0 || suites > r.left()) return false;
  for (uint16_t i = 0; i < suites / 2; ++i) {
    uint16_t c = 0;
    if (!r.u16(c)) return false;
    push_capped(out.ciphers, c);
  }
  if (!r.u8(comp) || comp == 0 || !r.skip(comp)) return false;
  return read_extensions(r, true, out);
}

bool read_server_hello(Bytes msg, TlsHello& out) {
  Reader r(msg);
  uint8_t sid = 0, comp = 0;
  if (!r.u16(out.legacy_version) || !r.skip(32) || !r.u8(sid) || sid > 32 || !r.skip(sid)) return false;
  if (!r.u16(out.cipher) || !r.u8(comp)) return false;
  return read_extensions(r, false, out);
}

std::string hex_digest(const EVP_MD* md, std::string_view text, std::size_t chars) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &len, md, nullptr) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len && out.size() < chars; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  out.resize(std::min(out.size(), chars));
  return out;
}

// Decimal values joined by '-', GREASE left out (JA3).
template <typename T>
void append_dec_list(std::string& s, const std::vector<T>& v) {
  bool first = true;
  for (T x : v) {
    if constexpr (sizeof(T) == 2)
      if (tls_is_grease(x)) continue;
    if (!first) s += '-';
    s += std::to_string(x);
    first = false;
  }
}

void ja3(TlsHello& h) {
  std::string& s = h.ja3;
  s = std::to_string(h.legacy_version) + ',';
  if (h.client) {
    append_dec_list(s, h.ciphers);
    s += ',';
    append_dec_list(s, h.extensions);
    s += ',';
    append_dec_list(s, h.groups);
    s += ',';
    append_dec_list(s, h.ec_point_formats);
  } else {
    s += std::to_string(h.cipher) + ',';
    append_dec_list(s, h.extensions);
  }
  h.ja3_hash = hex_digest(EVP_md5(), s, 32);
}

std::string hex4_list(const std::vector<uint16_t>& v) {
  std::string s;
  for (uint16_t x : v) {
    char buf[6];
    std::snprintf(buf, sizeof buf, "%04x", x);
    if (!s.empty()) s += ',';
    s += buf;
  }
  return s;
}

bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// JA4 (FoxIO, technical_details/JA4.md), TCP flavour.
void ja4(TlsHello& h) {
  auto no_grease = [](const std::vector<uint16_t>& v) {
    std::vector<uint16_t> out;
    for (uint16_t x : v)
      if (!tls_is_grease(x)) out.push_back(x);
    return out;
  };
  std::vector<uint16_t> ciphers = no_grease(h.ciphers), exts = no_grease(h.extensions);
  const std::vector<uint16_t> sigs = no_grease(h.signature_algorithms);
  const bool has_sni = std::find(exts.begin(), exts.end(), kExtSni) != exts.end();
  std::string_view ver = "00";
  switch (h.version) {
    case 0x0304:
      ver = "13";
      break;
    case 0x0303:
      ver = "12";
      break;
    case 0x0302:
      ver = "11";
      break;
    case 0x0301:
      ver = "10";
      break;
    case 0x0300:
      ver = "s3";
      break;
    case 0x0200:
      ver = "s2";
      break;
    default:
      break;
  }
  char counts[8];
  std::snprintf(counts, sizeof counts, "%02zu%02zu", std::min<std::size_t>(ciphers.size(), 99),
                std::min<std::size_t>(exts.size(), 99));
  std::string alpn = "00";
  if (!h.alpn.empty() && !h.alpn.front().empty()) {
    const std::string& a = h.alpn.front();
    if (is_alnum(a.front()) && is_alnum(a.back())) {
      alpn = {a.front(), a.back()};
    } else {  // first and last characters of the value's hex form
      static constexpr char kHex[] = "0123456789abcdef";
      alpn = {kHex[static_cast<uint8_t>(a.front()) >> 4], kHex[static_cast<uint8_t>(a.back()) & 0xf]};
    }
  }
  std::sort(ciphers.begin(), ciphers.end());
  std::erase_if(exts, [](uint16_t e) { return e == kExtSni || e == kExtAlpn; });
  std::sort(exts.begin(), exts.end());
  std::string ext_text = hex4_list(exts);
  if (!sigs.empty()) ext_text += '_' + hex4_list(sigs);
  const std::string zeros(12, '0');
  h.ja4 = std::string("t") + std::string(ver) + (has_sni ? 'd' : 'i') + counts + alpn + '_' +
          (ciphers.empty() ? zeros : hex_digest(EVP_sha256(), hex4_list(ciphers), 12)) + '_' +
          (exts.empty() ? zeros : hex_digest(EVP_sha256(), ext_text, 12));
}

std::string name_text(const X509_NAME* name) {
  std::string out;
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return out;
  if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    if (len > 0 && data != nullptr) out.assign(data, static_cast<std::size_t>(len));
  }
  BIO_free(bio);
  return out;
}

// Certificate (RFC 5246 §7.4.2): the first (leaf) certificate's names. Errors leave them empty:
// the hello was fine, only the certificate is not understood.
void read_certificate(Bytes msg, TlsHello& out) {
  Reader r(msg);
  uint32_t total = 0, len = 0;
  Bytes der;
  if (!r.u24(total) || total != r.left() || !r.u24(len) || !r.bytes(len, der)) return;
  const unsigned char* p = der.data();
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (cert == nullptr) return;
  out.cert_subject = name_text(X509_get_subject_name(cert));
  out.cert_issuer = name_text(X509_get_issuer_name(cert));
  X509_free(cert);
}

// The handshake messages after a TLS <= 1.2 ServerHello, as far as they are complete.
void read_server_flight(Bytes rest, TlsHello& out) {
  Reader r(rest);
  for (;;) {
    uint8_t type = 0;
    uint32_t len = 0;
    Bytes body;
    if (!r.u8(type) || !r.u24(len) || !r.bytes(len, body)) return;
    if (type == 11) {
      read_certificate(body, out);
    } else if (type == 12) {
      // ECDHE ServerKeyExchange (RFC 8422 §5.4): curve_type named_curve(3), then the curve.
      // Other key exchanges start differently, so the suite decides whether to look.
      const std::string_view suite = tls_cipher_name(out.cipher);
      if (suite.starts_with("TLS_ECDHE_") && body.size() >= 3 && body[0] == 3)
        out.curve = static_cast<uint16_t>(body[1] << 8 | body[2]);
    } else if (type == 14) {  // ServerHelloDone
      return;
    }
  }
}

}  // namespace

Result parse_tls_hello(std::span<const uint8_t> stream, TlsHello& out) {
  out = TlsHello{};
  // Record layer: a handshake record of version 3.x first, then gather while records stay
  // handshake records.
  if (!stream.empty() && stream[0] != 22) return Result::not_this;
  if (stream.size() >= 2 && stream[1] != 3) return Result::not_this;
  if (stream.size() >= 3 && stream[2] > 4) return Result::not_this;
  std::vector<uint8_t> hs;
  std::size_t pos = 0;
  while (stream.size() - pos >= 5 && hs.size() < kGatherCap) {
    const Bytes rec = stream.subspan(pos);
    if (rec[0] != 22) break;
    if (pos == 0) out.record_version = static_cast<uint16_t>(rec[1] << 8 | rec[2]);
    const std::size_t len = static_cast<std::size_t>(rec[3] << 8 | rec[4]);
    if (len == 0 || len > kTlsMaxRecord) return Result::malformed;
    const std::size_t avail = std::min({len, rec.size() - 5, kGatherCap - hs.size()});
    hs.insert(hs.end(), rec.begin() + 5, rec.begin() + 5 + static_cast<std::ptrdiff_t>(avail));
    if (avail < len) break;
    pos += 5 + len;
  }
  if (hs.size() < 4) return Result::need_more;
  const uint8_t type = hs[0];
  const std::size_t len = static_cast<std::size_t>(hs[1]) << 16 | static_cast<std::size_t>(hs[2]) << 8 | hs[3];
  if (type != 1 && type != 2) return Result::malformed;
  if (len > kTlsMaxHandshake) return Result::malformed;
  if (hs.size() < 4 + len) return Result::need_more;
  const Bytes all(hs);
  out.client = type == 1;
  const Bytes msg = all.subspan(4, len);
  if (!(out.client ? read_client_hello(msg, out) : read_server_hello(msg, out))) return Result::malformed;
  if (out.version == 0) out.version = out.legacy_version;
  ja3(out);
  if (out.client) {
    ja4(out);
  } else if (out.version <= 0x0303) {
    read_server_flight(all.subspan(4 + len), out);
  }
  return Result::ok;
}

}  // namespace vigie::dissect
