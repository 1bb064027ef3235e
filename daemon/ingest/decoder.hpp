// The one interface between inputs and the event path (DESIGN.md §3): a decoder per batch kind
// turns a RawBatch into events. Workers own one Decoders (one decoder per kind) each, so a
// decoder may keep per-thread state (a time-zone cache, a JSON parser) and, for batches routed
// by flow (RawBatch::flow), per-flow state. See README.md for the diagram.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <vector>

#include "config/config.hpp"
#include "core/arena.hpp"
#include "core/event.hpp"
#include "core/metrics.hpp"
#include "ingest/raw.hpp"

namespace vigie::ingest {

// The events of one raw batch, with everything they view: the batch's records and an arena for
// what a decoder had to build. Slots are reused from batch to batch (no allocation per event
// once warm); only the first size() events are live.
class EventBatch {
 public:
  RawBatch raw;

  // A fresh event in the next slot, bound to this batch's arena.
  core::Event& add() {
    if (used_ == events_.size()) events_.emplace_back();
    core::Event& e = events_[used_++];
    e.reset(*arena_);
    return e;
  }
  [[nodiscard]] std::size_t size() const { return used_; }
  [[nodiscard]] core::Event& operator[](std::size_t i) { return events_[i]; }

  // Hands over the records and the arena (what live events view) and starts empty again.
  struct Backing {
    RawBatch raw;
    std::unique_ptr<core::Arena> arena;
  };
  [[nodiscard]] Backing release() {
    Backing b{std::move(raw), std::move(arena_)};
    raw = RawBatch{};
    arena_ = std::make_unique<core::Arena>();
    used_ = 0;
    return b;
  }
  // Same batch again, keeping the arena: nothing viewed it beyond this batch.
  void clear() {
    used_ = 0;
    if (arena_->used() > 0) arena_ = std::make_unique<core::Arena>();
  }

 private:
  std::vector<core::Event> events_;
  std::size_t used_ = 0;
  std::unique_ptr<core::Arena> arena_ = std::make_unique<core::Arena>();
};

class BatchDecoder {
 public:
  virtual ~BatchDecoder() = default;
  // Appends one event per record of `batch.raw` it can decode (batch.add()). Never throws;
  // what it cannot decode is counted (and kept in `message` when that is possible).
  virtual void decode(EventBatch& batch) = 0;
};

// One decoder per batch kind, for one worker thread.
class Decoders {
 public:
  Decoders(std::shared_ptr<const config::Config> cfg, core::Metrics& metrics);

  // nullptr when no decoder handles `kind` (the caller counts the batch as dropped).
  [[nodiscard]] BatchDecoder* for_kind(BatchKind kind) { return by_kind_[static_cast<std::size_t>(kind)].get(); }

 private:
  std::array<std::unique_ptr<BatchDecoder>, kBatchKinds> by_kind_;
};

}  // namespace vigie::ingest
