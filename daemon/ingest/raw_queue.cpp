#include <algorithm>

#include "ingest/raw.hpp"

namespace vigie::ingest {

RawQueue::RawQueue(std::size_t capacity_batches, std::size_t capacity_bytes, std::size_t lanes)
    : capacity_(std::max<std::size_t>(capacity_batches, 1)),
      capacity_bytes_(std::max<std::size_t>(capacity_bytes, 1)),
      lanes_(std::max<std::size_t>(lanes, 1)) {}

void RawQueue::enqueue_locked(RawBatch& batch, std::size_t bytes) {
  std::size_t lane = 0;
  if (batch.flow != 0) {
    lane = batch.flow % lanes_.size();
  } else {
    // The least loaded lane; ties rotate, so idle workers share the load instead of lane 0
    // taking every batch while it keeps up.
    const std::size_t n = lanes_.size();
    lane = next_seq_ % n;
    for (std::size_t k = 1; k < n; ++k) {
      const std::size_t i = (next_seq_ + k) % n;
      if (lanes_[i].items.size() < lanes_[lane].items.size()) lane = i;
    }
  }
  batch.seq = next_seq_++;
  lanes_[lane].items.emplace_back(std::move(batch), bytes);
  ++size_;
  bytes_ += bytes;
  lanes_[lane].not_empty.notify_one();
}

bool RawQueue::push(RawBatch batch) {
  const std::size_t bytes = batch.bytes();
  std::unique_lock lock(mu_);
  if (!closed_ && !room_locked(bytes)) {
    ++blocked_pushers_;
    not_full_.wait(lock, [&] { return closed_ || room_locked(bytes); });
    --blocked_pushers_;
  }
  if (closed_) return false;
  enqueue_locked(batch, bytes);
  return true;
}

bool RawQueue::try_push(RawBatch& batch) {
  const std::size_t bytes = batch.bytes();
  std::lock_guard lock(mu_);
  if (closed_ || !room_locked(bytes)) return false;
  enqueue_locked(batch, bytes);
  return true;
}

std::optional<RawBatch> RawQueue::take_locked(Lane& lane) {
  if (lane.items.empty()) return std::nullopt;
  auto [batch, bytes] = std::move(lane.items.front());
  lane.items.pop_front();
  --size_;
  bytes_ -= bytes;
  // Blocked producers (push) are woken once the queue has drained to half (in batches or in
  // bytes) or is empty, not at every pop: a file reader that outruns the workers then refills
  // half the queue per wake-up instead of ping-ponging one batch per futex call. They wait for
  // different amounts of room, hence notify_all.
  if (blocked_pushers_ > 0 && (size_ <= capacity_ / 2 || bytes_ <= capacity_bytes_ / 2)) not_full_.notify_all();
  return std::move(batch);
}

std::optional<RawBatch> RawQueue::pop_lane(std::size_t lane) {
  std::unique_lock lock(mu_);
  Lane& l = lanes_.at(lane);
  l.not_empty.wait(lock, [&] { return closed_ || !l.items.empty(); });
  return take_locked(l);
}

std::optional<RawBatch> RawQueue::pop_lane_for(std::size_t lane, std::chrono::microseconds timeout) {
  std::unique_lock lock(mu_);
  Lane& l = lanes_.at(lane);
  l.not_empty.wait_for(lock, timeout, [&] { return closed_ || !l.items.empty(); });
  return take_locked(l);
}

void RawQueue::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  for (auto& l : lanes_) l.not_empty.notify_all();
  not_full_.notify_all();
}

bool RawQueue::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

std::size_t RawQueue::size() const {
  std::lock_guard lock(mu_);
  return size_;
}

std::size_t RawQueue::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

uint64_t RawQueue::issued() const {
  std::lock_guard lock(mu_);
  return next_seq_;
}

}  // namespace vigie::ingest
