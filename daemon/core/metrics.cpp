#include "core/metrics.hpp"

namespace vigie::core {

std::string Metrics::key(const std::string& name, const Labels& labels) {
  std::string k = name;
  if (labels.empty()) return k;
  k += '{';
  bool first = true;
  for (const auto& [l, v] : labels) {
    if (!first) k += ',';
    first = false;
    k += l;
    k += "=\"";
    for (char c : v) {
      if (c == '"' || c == '\\') k += '\\';
      if (c == '\n') {
        k += "\\n";
        continue;
      }
      k += c;
    }
    k += '"';
  }
  k += '}';
  return k;
}

std::atomic<uint64_t>& Metrics::counter(const std::string& name, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = counters_[key(name, labels)];
  if (!slot) slot = std::make_unique<std::atomic<uint64_t>>(0);
  return *slot;
}

std::atomic<int64_t>& Metrics::gauge(const std::string& name, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = gauges_[key(name, labels)];
  if (!slot) slot = std::make_unique<std::atomic<int64_t>>(0);
  return *slot;
}

uint64_t Metrics::value(const std::string& name, const Labels& labels) const {
  std::lock_guard lock(mu_);
  auto it = counters_.find(key(name, labels));
  return it == counters_.end() ? 0 : it->second->load(std::memory_order_relaxed);
}

uint64_t Metrics::total(const std::string& name) const {
  std::lock_guard lock(mu_);
  uint64_t sum = 0;
  for (auto it = counters_.lower_bound(name); it != counters_.end(); ++it) {
    const auto& k = it->first;
    if (k.compare(0, name.size(), name) != 0) break;
    if (k.size() == name.size() || k[name.size()] == '{') sum += it->second->load(std::memory_order_relaxed);
  }
  return sum;
}

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  auto emit = [&](const auto& map, const char* type) {
    std::string last;
    for (const auto& [k, v] : map) {
      const std::string base = k.substr(0, k.find('{'));
      if (base != last) {
        out += "# TYPE " + base + " " + type + "\n";
        last = base;
      }
      out += k + " " + std::to_string(v->load(std::memory_order_relaxed)) + "\n";
    }
  };
  emit(counters_, "counter");
  emit(gauges_, "gauge");
  return out;
}

}  // namespace vigie::core
