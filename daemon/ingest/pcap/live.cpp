#include "ingest/pcap/live.hpp"

#include <pcap/pcap.h>

#include <poll.h>

#include <cerrno>
#include <ctime>

#include <spdlog/spdlog.h>

#include "ingest/pcap/capture.hpp"
#include "ingest/pcap/packet.hpp"

namespace vigie::ingest::pcap {
namespace {

int64_t wall_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

LiveCapture::LiveCapture(config::PcapInput in, RawQueue& queue, core::Metrics& metrics)
    : in_(std::move(in)), queue_(queue), metrics_(metrics), input_("pcap:" + in_.interface) {}

LiveCapture::~LiveCapture() {
  if (handle_ != nullptr) pcap_close(handle_);
}

core::Result<void> LiveCapture::open() {
  char err[PCAP_ERRBUF_SIZE] = {};
  handle_ = pcap_create(in_.interface.c_str(), err);
  if (handle_ == nullptr) return core::fail(input_, std::string("cannot capture: ") + err);
  pcap_set_snaplen(handle_, in_.snaplen);
  pcap_set_promisc(handle_, in_.promiscuous ? 1 : 0);
  pcap_set_buffer_size(handle_, static_cast<int>(in_.buffer_size));
  pcap_set_immediate_mode(handle_, in_.immediate ? 1 : 0);
  pcap_set_timeout(handle_, static_cast<int>(kBatchWait.count()));
  pcap_set_tstamp_precision(handle_, PCAP_TSTAMP_PRECISION_NANO);
  const int rc = pcap_activate(handle_);
  if (rc < 0) {
    // PCAP_ERROR_NO_SUCH_DEVICE, PCAP_ERROR_PERM_DENIED...: libpcap's text says which.
    return core::fail(input_, std::string("cannot capture: ") + pcap_statustostr(rc) + ": " + pcap_geterr(handle_));
  }
  if (rc > 0) spdlog::warn("{}: {}: {}", input_, pcap_statustostr(rc), pcap_geterr(handle_));
  linktype_ = pcap_datalink(handle_);
  if (!link_supported(linktype_)) {
    const char* name = pcap_datalink_val_to_name(linktype_);
    return core::fail(input_, "link type " + std::to_string(linktype_) + " (" + (name != nullptr ? name : "unknown") +
                                  ") is not decoded");
  }
  if (!in_.filter.empty()) {
    bpf_program program{};
    if (pcap_compile(handle_, &program, in_.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
      return core::fail(input_, "filter: " + std::string(pcap_geterr(handle_)));
    const int set = pcap_setfilter(handle_, &program);
    pcap_freecode(&program);
    if (set != 0) return core::fail(input_, "filter: " + std::string(pcap_geterr(handle_)));
  }
  return {};
}

void LiveCapture::run() {
  auto& dropped = metrics_.counter("vigie_events_dropped_total", {{"input", input_}, {"reason", "queue_full"}});
  auto& received = metrics_.counter("vigie_pcap_frames_total", {{"input", input_}});
  LaneBatcher batcher(input_, linktype_, queue_.lanes(), [&](RawBatch&& b) {
    // Never waits: a capture that waited would lose the frames in the kernel instead, uncounted
    // by us; here the loss is ours and counted.
    if (!queue_.try_push(b)) dropped.fetch_add(b.size(), std::memory_order_relaxed);
  });
  struct Ctx {
    LaneBatcher* batcher;
    uint64_t frames = 0;
  } ctx{&batcher};
  const auto on_frame = [](u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
    auto* c = reinterpret_cast<Ctx*>(user);
    c->batcher->add(bytes, h->caplen, h->len, int64_t{h->ts.tv_sec} * 1'000'000'000 + h->ts.tv_usec);
    ++c->frames;
  };
  auto last_tick = std::chrono::steady_clock::now();
  // Non-blocking reads after a poll of our own: libpcap's read timeout does not fire on an
  // idle interface in immediate mode (TPACKET), and an idle capture must still tick.
  const int fd = pcap_get_selectable_fd(handle_);
  char err[PCAP_ERRBUF_SIZE] = {};
  if (fd < 0 || pcap_setnonblock(handle_, 1, err) != 0) {
    spdlog::error("{}: cannot poll the capture: {}", input_, fd < 0 ? "no selectable descriptor" : err);
    metrics_.counter("vigie_pcap_errors_total", {{"input", input_}})++;
    return;
  }
  while (!stop_.load(std::memory_order_relaxed)) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(kBatchWait.count())) < 0 && errno != EINTR) break;
    const int n = pcap_dispatch(handle_, -1, on_frame, reinterpret_cast<u_char*>(&ctx));
    if (n == PCAP_ERROR) {
      spdlog::error("{}: capture failed: {}", input_, pcap_geterr(handle_));
      metrics_.counter("vigie_pcap_errors_total", {{"input", input_}})++;
      break;
    }
    received.fetch_add(ctx.frames, std::memory_order_relaxed);
    ctx.frames = 0;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_tick >= std::chrono::seconds(1)) {
      // Once a second: every lane hears the capture's clock (idle flows time out) and the
      // drops pcap_stats reports are counted.
      batcher.tick(wall_ns());
      count_stats();
      last_tick = now;
    } else {
      batcher.flush(false);
    }
  }
  batcher.flush(true);
  count_stats();
}

void LiveCapture::stop() {
  stop_.store(true);
  if (handle_ != nullptr) pcap_breakloop(handle_);
}

void LiveCapture::count_stats() {
  pcap_stat st{};
  if (pcap_stats(handle_, &st) != 0) return;
  // 32-bit counters that wrap: the difference modulo 2^32.
  const auto delta = [](uint64_t& last, u_int now) {
    const uint32_t d = static_cast<uint32_t>(now) - static_cast<uint32_t>(last);
    last = now;
    return uint64_t{d};
  };
  if (const uint64_t d = delta(kernel_dropped_, st.ps_drop); d != 0)
    metrics_.counter("vigie_events_dropped_total", {{"input", input_}, {"reason", "kernel"}}).fetch_add(d);
  if (const uint64_t d = delta(interface_dropped_, st.ps_ifdrop); d != 0)
    metrics_.counter("vigie_events_dropped_total", {{"input", input_}, {"reason", "interface"}}).fetch_add(d);
}

}  // namespace vigie::ingest::pcap
