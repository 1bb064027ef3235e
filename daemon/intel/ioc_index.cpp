#include "intel/ioc_index.hpp"

#include <algorithm>
#include <array>

#include "core/net.hpp"

namespace vigie::intel {
namespace {

constexpr std::array<std::string_view, 6> kTypeNames = {"ip", "domain", "url", "md5", "sha1", "sha256"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

bool hex_of_length(std::string_view s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

// Letters, digits, '-', '_' labels of 1..63 bytes joined by dots, 253 bytes at most.
bool domain_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t label = 0;
  for (char c : s) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

}  // namespace

std::string_view ioc_type_name(IocType t) { return kTypeNames[static_cast<std::size_t>(t)]; }

std::optional<IocType> ioc_type(std::string_view name) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i)
    if (kTypeNames[i] == name) return static_cast<IocType>(i);
  return std::nullopt;
}

std::optional<std::string> IocIndex::normalise(IocType type, std::string_view value) {
  switch (type) {
    case IocType::ip: {
      const auto ip = core::IpAddress::parse(value);
      if (!ip) return std::nullopt;
      return ip->to_string();
    }
    case IocType::domain: {
      std::string d = lower(value);
      if (!d.empty() && d.back() == '.') d.pop_back();
      if (!domain_name(d)) return std::nullopt;
      return d;
    }
    case IocType::url:
      if (value.empty()) return std::nullopt;
      return std::string(value);
    case IocType::md5:
      if (!hex_of_length(value, 32)) return std::nullopt;
      return lower(value);
    case IocType::sha1:
      if (!hex_of_length(value, 40)) return std::nullopt;
      return lower(value);
    case IocType::sha256:
      if (!hex_of_length(value, 64)) return std::nullopt;
      return lower(value);
  }
  return std::nullopt;
}

IocIndex::IocIndex(std::vector<Indicator> indicators) {
  indicators_.reserve(indicators.size());
  for (auto& ind : indicators) {
    auto key = normalise(ind.type, ind.value);
    if (!key) {
      ++rejected_;
      continue;
    }
    if (by_value_.emplace(Key{ind.type, std::move(*key)}, indicators_.size()).second)
      indicators_.push_back(std::move(ind));
  }
}

const Indicator* IocIndex::lookup(IocType type, std::string value) const {
  const auto it = by_value_.find(Key{type, std::move(value)});
  return it == by_value_.end() ? nullptr : &indicators_[it->second];
}

const Indicator* IocIndex::find(IocType type, std::string_view value) const {
  if (by_value_.empty()) return nullptr;
  auto key = normalise(type, value);
  if (!key) return nullptr;
  if (type != IocType::domain) return lookup(type, std::move(*key));
  // The name itself, then each parent: a.b.evil.example, b.evil.example, evil.example, example.
  std::string_view name = *key;
  for (;;) {
    if (const Indicator* hit = lookup(type, std::string(name))) return hit;
    const auto dot = name.find('.');
    if (dot == std::string_view::npos) return nullptr;
    name.remove_prefix(dot + 1);
  }
}

}  // namespace vigie::intel
