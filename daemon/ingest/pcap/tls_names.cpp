// Names of TLS code points, spelled as the IANA registries (and Zeek's ssl.log) spell them.
// Only suites and groups seen in practice are listed; the rest render as "".
#include "ingest/pcap/tls.hpp"

namespace vigie::dissect {

std::string_view tls_version_name(uint16_t v) {
  switch (v) {
    case 0x0200:
      return "SSLv2";
    case 0x0300:
      return "SSLv3";
    case 0x0301:
      return "TLSv10";
    case 0x0302:
      return "TLSv11";
    case 0x0303:
      return "TLSv12";
    case 0x0304:
      return "TLSv13";
    case 0xfeff:
      return "DTLSv10";
    case 0xfefd:
      return "DTLSv12";
    default:
      return {};
  }
}

std::string_view tls_cipher_name(uint16_t c) {
  switch (c) {
    case 0x0004:
      return "TLS_RSA_WITH_RC4_128_MD5";
    case 0x0005:
      return "TLS_RSA_WITH_RC4_128_SHA";
    case 0x000a:
      return "TLS_RSA_WITH_3DES_EDE_CBC_SHA";
    case 0x002f:
      return "TLS_RSA_WITH_AES_128_CBC_SHA";
    case 0x0033:
      return "TLS_DHE_RSA_WITH_AES_128_CBC_SHA";
    case 0x0035:
      return "TLS_RSA_WITH_AES_256_CBC_SHA";
    case 0x0039:
      return "TLS_DHE_RSA_WITH_AES_256_CBC_SHA";
    case 0x003c:
      return "TLS_RSA_WITH_AES_128_CBC_SHA256";
    case 0x003d:
      return "TLS_RSA_WITH_AES_256_CBC_SHA256";
    case 0x0067:
      return "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256";
    case 0x006b:
      return "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256";
    case 0x009c:
      return "TLS_RSA_WITH_AES_128_GCM_SHA256";
    case 0x009d:
      return "TLS_RSA_WITH_AES_256_GCM_SHA384";
    case 0x009e:
      return "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256";
    case 0x009f:
      return "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384";
    case 0x00ff:
      return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";
    case 0x1301:
      return "TLS_AES_128_GCM_SHA256";
    case 0x1302:
      return "TLS_AES_256_GCM_SHA384";
    case 0x1303:
      return "TLS_CHACHA20_POLY1305_SHA256";
    case 0x1304:
      return "TLS_AES_128_CCM_SHA256";
    case 0x5600:
      return "TLS_FALLBACK_SCSV";
    case 0xc007:
      return "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA";
    case 0xc009:
      return "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA";
    case 0xc00a:
      return "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA";
    case 0xc011:
      return "TLS_ECDHE_RSA_WITH_RC4_128_SHA";
    case 0xc012:
      return "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA";
    case 0xc013:
      return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";
    case 0xc014:
      return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA";
    case 0xc023:
      return "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256";
    case 0xc024:
      return "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384";
    case 0xc027:
      return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256";
    case 0xc028:
      return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384";
    case 0xc02b:
      return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case 0xc02c:
      return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    case 0xc02f:
      return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    case 0xc030:
      return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    case 0xcca8:
      return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    case 0xcca9:
      return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    case 0xccaa:
      return "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    default:
      return {};
  }
}

std::string_view tls_group_name(uint16_t g) {
  switch (g) {
    case 21:
      return "secp224r1";
    case 22:
      return "secp256k1";
    case 23:
      return "secp256r1";
    case 24:
      return "secp384r1";
    case 25:
      return "secp521r1";
    case 29:
      return "x25519";
    case 30:
      return "x448";
    case 256:
      return "ffdhe2048";
    case 257:
      return "ffdhe3072";
    case 258:
      return "ffdhe4096";
    case 4588:
      return "X25519MLKEM768";
    case 0x6399:
      return "X25519Kyber768Draft00";
    default:
      return {};
  }
}

}  // namespace vigie::dissect
