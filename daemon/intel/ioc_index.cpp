#include "intel/ioc_index.hpp"

#include <libpsl.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <unordered_set>

#include "intel/ioc_normalise.hpp"

namespace vigie::intel {
namespace {

using detail::digest_bytes;
using detail::domain_into;
using detail::email_into;
using detail::hex_into;
using detail::is_v4;
using detail::Key;
using detail::key_net;
using detail::kind_of;
using detail::kMappedPrefix;
using detail::kMasks;
using detail::kMaxDomain;
using detail::kMaxEmail;
using detail::kUrlBuffer;
using detail::kV4Kind;
using detail::kV6Kind;
using detail::make_key;
using detail::mapped;
using detail::mask_byte;
using detail::mask_to;
using detail::Net;
using detail::parse_net;
using detail::url_into;

constexpr int kMinV4Prefix = 8;
constexpr int kMinV6Prefix = 16;

// --- hashing: 64-bit multiply-fold over 16 bytes at a time (the wyhash construction) ---------

__extension__ using u128 = unsigned __int128;
uint64_t fold(uint64_t a, uint64_t b) {
  const u128 r = static_cast<u128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
uint64_t load8(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
uint64_t load4(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

constexpr uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL, k2 = 0x8ebc6af09c88c6e3ULL;

uint64_t seed(uint8_t kind, std::size_t n) { return k0 ^ (uint64_t{kind} << 56) ^ (uint64_t{n} << 40); }
// hash_key() of a 16-byte key given as two words (IPv6 keys).
uint64_t hash16(uint8_t kind, uint64_t a, uint64_t b) { return fold(a ^ k2 ^ seed(kind, 16), b ^ k1); }

[[gnu::always_inline]] inline uint64_t hash_key(uint8_t kind, const void* data, std::size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  if (n == 16) return hash16(kind, load8(p), load8(p + 8));
  uint64_t h = seed(kind, n);
  for (; n > 16; n -= 16, p += 16) h = fold(load8(p) ^ k1, load8(p + 8) ^ h);
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    a = load8(p), b = load8(p + n - 8);
  } else if (n >= 4) {
    a = load4(p), b = load4(p + n - 4);
  } else if (n > 0) {
    a = (uint64_t{p[0]} << 16) | (uint64_t{p[n / 2]} << 8) | p[n - 1];
  }
  return fold(a ^ k2 ^ h, b ^ k1);
}

// --- addresses (Net, kMasks: ioc_normalise.hpp): IPv4 key masks, ranges for the guards -------

// kMasks for IPv4 keys (4 bytes), by prefix length of 32.
constexpr std::array<uint32_t, 33> kV4Masks = [] {
  std::array<uint32_t, 33> out{};
  for (int bits = 0; bits <= 32; ++bits) {
    std::array<uint8_t, 4> m{};
    for (int i = 0; i < 4; ++i) m[i] = mask_byte(bits, i);
    out[bits] = std::bit_cast<uint32_t>(m);
  }
  return out;
}();
bool prefix_equal(const uint8_t* a, const uint8_t* b, int bits) {
  for (int i = 0; i < 16 && bits > 8 * i; ++i)
    if (((a[i] ^ b[i]) & mask_byte(bits, i)) != 0) return false;
  return true;
}
bool covers(const Net& outer, const Net& inner) {
  return outer.bits <= inner.bits && prefix_equal(outer.b.data(), inner.b.data(), outer.bits);
}
bool overlaps(const Net& a, const Net& b) { return covers(a, b) || covers(b, a); }

Net to_net(const core::Cidr& c) {
  Net n;
  n.b = c.network.bytes;
  n.bits = std::clamp(c.network.v4 ? 96 + c.prefix : c.prefix, 0, 128);
  mask_to(n.b.data(), n.bits);
  return n;
}

bool too_broad(const Net& n) {
  static const Net all_v4 = *parse_net("::ffff:0:0/96");
  if (is_v4(n)) return n.bits - 96 < kMinV4Prefix;
  return n.bits < kMinV6Prefix || covers(n, all_v4);
}

// Ranges no feed may list unless options.allow_ranges says so (README, "Guards").
const std::vector<Net>& private_ranges() {
  static const std::vector<Net> nets = [] {
    std::vector<Net> out;
    for (std::string_view r :
         {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "0.0.0.0/8", "224.0.0.0/4",
          "255.255.255.255/32", "100.64.0.0/10", "::1/128", "::/128", "fc00::/7", "fe80::/10", "ff00::/8"})
      out.push_back(*parse_net(r));
    return out;
  }();
  return nets;
}

// --- the guards: public suffixes, the allowlist, the verdict on an indicator -----------------

const psl_ctx_t* public_suffix_list() {
  // Loaded once per process (thread-safe static): the `publicsuffix` package's list when newer
  // than libpsl's built-in copy, else the built-in one; null only if libpsl has neither.
  static const psl_ctx_t* const ctx = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest != nullptr ? latest : psl_builtin();
  }();
  return ctx;
}

bool public_suffix(const std::string& name) {
  if (name.find('.') == std::string::npos) return true;  // "localhost", "corp"
  const psl_ctx_t* psl = public_suffix_list();
  return psl != nullptr && psl_is_public_suffix2(psl, name.c_str(), PSL_TYPE_ANY) != 0;
}

// options.allowlist, sorted by shape (IndexOptions).
class Allowlist {
 public:
  Allowlist(const std::vector<std::string>& entries, std::size_t& invalid) {
    Key key;
    for (const std::string& e : entries) {
      if (e.find("://") != std::string::npos) {
        if (add_exact(IocType::url, e, key)) continue;
      } else if (e.find('@') != std::string::npos) {
        if (add_exact(IocType::email, e, key)) continue;
      } else if (const auto net = parse_net(e)) {
        nets_.push_back(*net);
        continue;
      } else if (add_exact(IocType::md5, e, key) || add_exact(IocType::sha1, e, key) ||
                 add_exact(IocType::sha256, e, key)) {
        continue;
      } else if (make_key(IocType::domain, e, key)) {
        for (std::string_view d = key.bytes; !d.empty();) {
          const auto dot = d.find('.');
          if (dot == std::string_view::npos) break;
          d.remove_prefix(dot + 1);
          parents_.emplace(d);
        }
        domains_.insert(std::move(key.bytes));
        continue;
      }
      ++invalid;
    }
  }

  // Inside an allowlisted range, or a range containing one.
  [[nodiscard]] bool net(const Net& n) const {
    return std::any_of(nets_.begin(), nets_.end(), [&](const Net& a) { return overlaps(a, n); });
  }
  // The name or one of its parents is allowlisted.
  [[nodiscard]] bool domain(std::string_view name) const {
    if (domains_.empty()) return false;
    for (;;) {
      if (domains_.count(std::string(name)) != 0) return true;
      const auto dot = name.find('.');
      if (dot == std::string_view::npos) return false;
      name.remove_prefix(dot + 1);
    }
  }
  // Listed, it would match an allowlisted name through the parent walk.
  [[nodiscard]] bool parent_of_listed(const std::string& name) const { return parents_.count(name) != 0; }
  [[nodiscard]] bool exact(const Key& key) const {
    return !exact_.empty() && exact_.count(static_cast<char>(key.kind) + key.bytes) != 0;
  }
  // A URL's host: an address inside an allowlisted range, or an allowlisted domain.
  [[nodiscard]] bool host(std::string_view h) const {
    if (const auto n = parse_net(h))
      return std::any_of(nets_.begin(), nets_.end(), [&](const Net& a) { return covers(a, *n); });
    return domain(h);
  }

 private:
  bool add_exact(IocType type, std::string_view value, Key& key) {
    if (!make_key(type, value, key)) return false;
    exact_.insert(static_cast<char>(key.kind) + key.bytes);
    return true;
  }

  std::vector<Net> nets_;
  std::unordered_set<std::string> domains_;
  std::unordered_set<std::string> parents_;  // strict parents of the allowlisted domains
  std::unordered_set<std::string> exact_;    // kind byte + key: URLs, e-mails, hashes
};

enum class Verdict { indexed, invalid, expired, too_broad, private_range, public_suffix, allowlisted };

Verdict judge(const Indicator& ind, const IndexOptions& options, const Allowlist& allow, Key& key) {
  std::string_view host;
  std::size_t at = 0;
  if (static_cast<std::size_t>(ind.type) >= kIocTypes || !make_key(ind.type, ind.value, key, &host, &at))
    return Verdict::invalid;
  if (ind.expires != 0 && ind.expires <= options.now) return Verdict::expired;
  switch (ind.type) {
    case IocType::ip: {
      const Net n = key_net(key);
      if (too_broad(n)) return Verdict::too_broad;
      const auto& priv = private_ranges();
      if (std::any_of(priv.begin(), priv.end(), [&](const Net& p) { return overlaps(p, n); }) &&
          std::none_of(options.allow_ranges.begin(), options.allow_ranges.end(),
                       [&](const core::Cidr& c) { return covers(to_net(c), n); }))
        return Verdict::private_range;
      return allow.net(n) ? Verdict::allowlisted : Verdict::indexed;
    }
    case IocType::domain:
      if (public_suffix(key.bytes)) return Verdict::public_suffix;
      return allow.domain(key.bytes) || allow.parent_of_listed(key.bytes) ? Verdict::allowlisted : Verdict::indexed;
    case IocType::url:
      // host points into key.bytes; read before anything reuses it.
      return allow.exact(key) || allow.host(host) ? Verdict::allowlisted : Verdict::indexed;
    case IocType::email:
      return allow.exact(key) || allow.domain(std::string_view(key.bytes).substr(at + 1)) ? Verdict::allowlisted
                                                                                          : Verdict::indexed;
    default:
      return allow.exact(key) ? Verdict::allowlisted : Verdict::indexed;
  }
}

// Linear probing up to 3/4 full: past that, misses scan long runs; below, the table outgrows
// the caches (a 100,000-indicator index is 2 MiB of slots).
std::size_t table_size(std::size_t entries) {
  std::size_t n = 2;
  while (n * 3 < entries * 4 + 1) n <<= 1;
  return n;
}

std::size_t heap_of(const std::string& s) { return s.capacity() > std::string().capacity() ? s.capacity() + 1 : 0; }

}  // namespace

IocIndex::IocIndex() : slots_(1) {}

IocIndex::IocIndex(std::vector<Indicator> indicators, const IndexOptions& options) {
  const Allowlist allow(options.allowlist, stats_.allowlist_invalid);
  const std::size_t expected = std::min(indicators.size(), options.max_indicators);
  resize_table(expected);
  indicators_.reserve(expected);
  Key key;
  for (Indicator& ind : indicators) {
    switch (judge(ind, options, allow, key)) {
      case Verdict::indexed:
        break;
      case Verdict::invalid:
        ++stats_.invalid;
        continue;
      case Verdict::expired:
        ++stats_.expired;
        continue;
      case Verdict::too_broad:
        ++stats_.too_broad;
        continue;
      case Verdict::private_range:
        ++stats_.private_range;
        continue;
      case Verdict::public_suffix:
        ++stats_.public_suffix;
        continue;
      case Verdict::allowlisted:
        ++stats_.allowlisted;
        continue;
    }
    // Slots hold 25-bit entries and 31-bit offsets in the arena: past either counts as the cap.
    if (indicators_.size() >= std::min<std::size_t>(options.max_indicators, kMaxEntry) ||
        arena_.size() + kRecordHeader + key.bytes.size() >= kInline - 1) {
      if (probe_key(key.kind, key.bytes, hash_key(key.kind, key.bytes.data(), key.bytes.size())))
        ++stats_.duplicates;
      else
        ++stats_.over_cap;
      continue;
    }
    if (insert(key.kind, key.bytes, ind) != nullptr) ++stats_.duplicates;
  }
  stats_.indexed = indicators_.size();
  if (table_size(indicators_.size()) < slots_.size()) resize_table(indicators_.size());
  indicators_.shrink_to_fit();
  arena_.shrink_to_fit();

  // The prefix lengths each address lookup probes. too_broad() keeps v6 ranges off the v4
  // space, so each family probes its own lengths only.
  std::array<bool, 129> v4_short{}, v6{};
  for (const Slot& slot : slots_) {
    if (slot.ref == 0) continue;
    const uint8_t kind = kind_of_slot(slot);
    const std::string_view bytes = key_of(slot);
    if (kind == kind_of(IocType::domain))
      domain_labels_ |= uint64_t{1} << std::min<std::size_t>(63, 1 + std::count(bytes.begin(), bytes.end(), '.'));
    if (kind < kV6Kind) continue;
    const Net n = key_net(kind, bytes.data());
    if (kind < kV4Kind) {
      v6[n.bits] = true;
    } else if (n.bits >= 96 + 16) {
      if (v4_blocks_.empty()) v4_blocks_.assign(1 << 16, 0);
      v4_blocks_[n.b[12] << 8 | n.b[13]] |= 1U << (n.bits - 96 - 16);
    } else {
      v4_short[n.bits - 96] = true;
    }
  }
  for (int bits = 128; bits >= 0; --bits) {
    if (bits <= 32 && v4_short[bits]) v4_short_.push_back(static_cast<uint8_t>(bits));
    if (v6[bits]) v6_bits_.push_back(static_cast<uint8_t>(bits));
  }
}

void IocIndex::place(const Slot& slot, uint64_t hash) {
  std::size_t s = hash & mask_;
  while (slots_[s].ref != 0) s = (s + 1) & mask_;
  slots_[s] = slot;
}

void IocIndex::resize_table(std::size_t entries) {
  std::vector<Slot> old(table_size(entries));
  old.swap(slots_);
  mask_ = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.ref == 0) continue;
    const std::string_view key = key_of(slot);
    place(slot, hash_key(kind_of_slot(slot), key.data(), key.size()));
  }
}

const Indicator* IocIndex::insert(uint8_t kind, std::string_view key, Indicator& ind) {
  const uint64_t h = hash_key(kind, key.data(), key.size());
  if (const Indicator* listed = probe_key(kind, key, h)) return listed;
  const auto entry = static_cast<uint32_t>(indicators_.size());
  Slot slot;
  if (kind >= kV4Kind) {
    std::memcpy(&slot.word, key.data(), 4);
    slot.ref = kInline | static_cast<uint32_t>(kind - kV4Kind) << 25 | entry;
  } else {
    slot.word = static_cast<uint32_t>(h >> 32);
    slot.ref = static_cast<uint32_t>(arena_.size() + 1);
    char header[kRecordHeader];
    const auto length = static_cast<uint16_t>(key.size());
    std::memcpy(header, &entry, 4);
    header[4] = static_cast<char>(kind);
    std::memcpy(header + 5, &length, 2);
    arena_.append(header, kRecordHeader);
    arena_.append(key);
  }
  place(slot, h);
  indicators_.push_back(std::move(ind));
  return nullptr;
}

uint8_t IocIndex::kind_of_slot(const Slot& slot) const {
  if (is_inline(slot)) return static_cast<uint8_t>(kV4Kind + (slot.ref >> 25 & 63));
  return static_cast<uint8_t>(arena_[slot.ref - 1 + 4]);
}

std::string_view IocIndex::key_of(const Slot& slot) const {
  if (is_inline(slot)) return {reinterpret_cast<const char*>(&slot.word), 4};
  const char* record = arena_.data() + slot.ref - 1;
  uint16_t length;
  std::memcpy(&length, record + 5, 2);
  return {record + kRecordHeader, length};
}

uint32_t IocIndex::entry_of(const Slot& slot) const {
  if (is_inline(slot)) return slot.ref & kMaxEntry;
  uint32_t entry;
  std::memcpy(&entry, arena_.data() + slot.ref - 1, 4);
  return entry;
}

// Inlined into each lookup so that fixed-length compares (hashes) are inlined too. A tag match
// reads the record, which is nearly always the key looked for (32-bit tags).
[[gnu::always_inline]] inline const Indicator* IocIndex::probe(uint8_t kind, const void* key, std::size_t length,
                                                               uint64_t hash) const {
  const auto tag = static_cast<uint32_t>(hash >> 32);
  for (std::size_t s = hash & mask_;; s = (s + 1) & mask_) {
    const Slot& slot = slots_[s];
    if (slot.ref == 0) return nullptr;
    if (slot.word != tag || is_inline(slot)) continue;
    const char* record = arena_.data() + slot.ref - 1;
    uint16_t listed;
    std::memcpy(&listed, record + 5, 2);
    if (static_cast<uint8_t>(record[4]) == kind && listed == length &&
        std::memcmp(record + kRecordHeader, key, length) == 0)
      return &indicators_[entry_of(slot)];
  }
}

// An IPv4 key of `bits` bits: compared in the slot, no second access.
[[gnu::always_inline]] inline const Indicator* IocIndex::probe_v4(uint32_t key, int bits, uint64_t hash) const {
  const uint32_t want = kInline | static_cast<uint32_t>(bits) << 25;
  for (std::size_t s = hash & mask_;; s = (s + 1) & mask_) {
    const Slot& slot = slots_[s];
    if (slot.ref == 0) return nullptr;
    if (slot.word == key && (slot.ref & ~kMaxEntry) == want) return &indicators_[slot.ref & kMaxEntry];
  }
}

const Indicator* IocIndex::probe_key(uint8_t kind, std::string_view key, uint64_t hash) const {
  if (kind < kV4Kind) return probe(kind, key.data(), key.size(), hash);
  uint32_t word;
  std::memcpy(&word, key.data(), 4);
  return probe_v4(word, kind - kV4Kind, hash);
}

const Indicator* IocIndex::find_v4(uint32_t addr, int bits) const {
  // 4-byte keys, lengths of 32; those of /16 and longer as listed in the address's /16 block.
  std::array<uint8_t, 33> lengths;  // candidate prefix lengths, longest first
  std::size_t n = 0;
  // The exact address is the likeliest key (feeds list addresses more than ranges): its slot is
  // fetched while the block's mask is, instead of after.
  const uint64_t exact = hash_key(kV4Kind + 32, &addr, 4);
  if (bits == 32) __builtin_prefetch(&slots_[exact & mask_]);
  if (!v4_blocks_.empty() && bits >= 16) {
    uint8_t block[4];
    std::memcpy(block, &addr, 4);
    uint32_t listed = v4_blocks_[block[0] << 8 | block[1]];
    if (bits < 32) listed &= (2U << (bits - 16)) - 1;  // no range longer than the value's
    for (; listed != 0; listed &= ~(1U << (31 - __builtin_clz(listed))))
      lengths[n++] = static_cast<uint8_t>(16 + 31 - __builtin_clz(listed));
  }
  for (const uint8_t len : v4_short_)
    if (len <= bits) lengths[n++] = len;
  std::array<uint32_t, 33> keys;
  std::array<uint64_t, 33> hashes;
  for (std::size_t c = 0; c < n; ++c) {  // hashes and prefetches first: the cache misses overlap
    keys[c] = addr & kV4Masks[lengths[c]];
    hashes[c] = lengths[c] == 32 ? exact : hash_key(static_cast<uint8_t>(kV4Kind + lengths[c]), &keys[c], 4);
    if (lengths[c] != 32) __builtin_prefetch(&slots_[hashes[c] & mask_]);
  }
  for (std::size_t c = 0; c < n; ++c)
    if (const Indicator* hit = probe_v4(keys[c], lengths[c], hashes[c])) return hit;
  return nullptr;
}

const Indicator* IocIndex::find_net(const uint8_t* bytes, int bits) const {
  if (bits >= 96 && mapped(bytes)) {
    uint32_t addr;
    std::memcpy(&addr, bytes + 12, 4);
    return find_v4(addr, bits - 96);
  }
  std::array<uint8_t, 129> lengths;  // candidate prefix lengths, longest first
  std::size_t n = 0;
  for (const uint8_t len : v6_bits_)
    if (len <= bits) lengths[n++] = len;
  std::array<uint64_t, 2> words;
  std::memcpy(words.data(), bytes, 16);
  std::array<std::array<uint64_t, 2>, 129> keys;
  std::array<uint64_t, 129> hashes;
  for (std::size_t c = 0; c < n; ++c) {
    keys[c] = {words[0] & kMasks[lengths[c]][0], words[1] & kMasks[lengths[c]][1]};
    hashes[c] = hash16(static_cast<uint8_t>(kV6Kind + lengths[c]), keys[c][0], keys[c][1]);
    __builtin_prefetch(&slots_[hashes[c] & mask_]);
  }
  for (std::size_t c = 0; c < n; ++c)
    if (const Indicator* hit = probe(static_cast<uint8_t>(kV6Kind + lengths[c]), keys[c].data(), 16, hashes[c]))
      return hit;
  return nullptr;
}

const Indicator* IocIndex::find_ip(const core::IpAddress& ip) const {
  if (indicators_.empty()) return nullptr;
  return find_net(ip.bytes.data(), 128);
}

const Indicator* IocIndex::find(IocType type, std::string_view value) const {
  if (indicators_.empty()) return nullptr;
  switch (type) {
    case IocType::ip: {
      // A dotted quad, the common case, straight to the IPv4 keys: no range, no mapping to undo.
      if (const auto quad = core::parse_quad(value)) {
        uint32_t addr;
        std::memcpy(&addr, quad->data(), 4);
        return find_v4(addr, 32);
      }
      const auto net = parse_net(value);
      return net ? find_net(net->b.data(), net->bits) : nullptr;
    }
    case IocType::domain: {
      // The name, then each parent up to (not including) the top-level label, which is never
      // indexed (public_suffix): a.b.evil.example, b.evil.example, evil.example; only those with
      // a number of labels some listed domain has, as addresses probe only the lengths listed.
      char buf[kMaxDomain + 1];
      std::array<uint8_t, 128> dots;
      std::size_t ndots = 0;
      const std::size_t len = domain_into(value, buf, dots.data(), &ndots);
      if (len == 0 || ndots == 0) return nullptr;
      std::array<uint8_t, 128> starts;
      std::array<uint64_t, 128> hashes;
      std::size_t n = 0;
      for (std::size_t c = 0; c < ndots; ++c) {
        if ((domain_labels_ >> std::min<std::size_t>(63, ndots + 1 - c) & 1) == 0) continue;
        starts[n] = static_cast<uint8_t>(c == 0 ? 0 : dots[c - 1] + 1u);
        hashes[n] = hash_key(kind_of(type), buf + starts[n], len - starts[n]);
        __builtin_prefetch(&slots_[hashes[n++] & mask_]);
      }
      for (std::size_t c = 0; c < n; ++c)
        if (const Indicator* hit = probe(kind_of(type), buf + starts[c], len - starts[c], hashes[c])) return hit;
      return nullptr;
    }
    case IocType::url: {
      char buf[kUrlBuffer];
      const std::size_t len = url_into(value, buf);
      return len == 0 ? nullptr : probe(kind_of(type), buf, len, hash_key(kind_of(type), buf, len));
    }
    case IocType::email: {
      char buf[kMaxEmail + 1];
      const std::size_t len = email_into(value, buf);
      return len == 0 ? nullptr : probe(kind_of(type), buf, len, hash_key(kind_of(type), buf, len));
    }
    case IocType::md5:
    case IocType::sha1:
    case IocType::sha256: {
      uint8_t digest[32];
      const std::size_t len = digest_bytes(type);
      if (!hex_into(value, len, digest)) return nullptr;
      return probe(kind_of(type), digest, len, hash_key(kind_of(type), digest, len));
    }
  }
  return nullptr;
}

std::size_t IocIndex::memory_bytes() const {
  std::size_t bytes = indicators_.capacity() * sizeof(Indicator) + heap_of(arena_) + slots_.capacity() * sizeof(Slot) +
                      v4_blocks_.capacity() * sizeof(uint32_t) + v4_short_.capacity() + v6_bits_.capacity();
  for (const Indicator& i : indicators_)
    bytes += heap_of(i.value) + heap_of(i.feed) + heap_of(i.advisory) + heap_of(i.description) + heap_of(i.tlp);
  return bytes;
}

}  // namespace vigie::intel
