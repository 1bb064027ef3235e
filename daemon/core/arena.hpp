// Arena: bump allocation of bytes with stable addresses, freed all at once. A batch of events
// owns one (DESIGN.md §3): the values a decoder has to build (unescaped JSON, "sdid.param" names,
// formatted numbers) are copied here instead of into one heap string per field, and every event
// of the batch holds views into it. Not thread-safe: it belongs to whoever holds the batch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace vigie::core {

class Arena {
 public:
  static constexpr std::size_t kChunk = 64 * 1024;

  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) noexcept = default;
  Arena& operator=(Arena&&) noexcept = default;

  // Copies `s` and returns a view of the copy, valid as long as the arena lives (moving the
  // arena keeps it valid: chunks never move).
  [[nodiscard]] std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }
  // Concatenation without a temporary string.
  [[nodiscard]] std::string_view concat(std::string_view a, std::string_view b, std::string_view c = {}) {
    const std::size_t n = a.size() + b.size() + c.size();
    if (n == 0) return {};
    char* p = allocate(n);
    std::memcpy(p, a.data(), a.size());
    std::memcpy(p + a.size(), b.data(), b.size());
    std::memcpy(p + a.size() + b.size(), c.data(), c.size());
    return {p, n};
  }

  [[nodiscard]] char* allocate(std::size_t n) {
    if (n > left_) grow(n);
    char* p = next_;
    next_ += n;
    left_ -= n;
    used_ += n;
    return p;
  }

  // Bytes handed out so far (the batch's share of queue byte budgets).
  [[nodiscard]] std::size_t used() const { return used_; }

 private:
  void grow(std::size_t n) {
    // 4 KiB, 8 KiB, ... up to 64 KiB: a lone event (tests, `rules test`) stays small.
    const std::size_t step = std::min(kChunk, std::size_t{4096} << std::min<std::size_t>(chunks_.size(), 4));
    const std::size_t size = std::max(step, n);
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    next_ = chunks_.back().get();
    left_ = size;
  }

  std::vector<std::unique_ptr<char[]>> chunks_;
  char* next_ = nullptr;
  std::size_t left_ = 0;
  std::size_t used_ = 0;
};

}  // namespace vigie::core
