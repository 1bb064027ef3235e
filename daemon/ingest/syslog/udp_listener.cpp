#include "ingest/syslog/udp_listener.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>

namespace vigie::ingest::syslog {

namespace {
using Clock = std::chrono::steady_clock;

constexpr unsigned kPerCall = 32;  // datagrams per recvmmsg call (buffers: kPerCall × slot)
constexpr std::size_t kControl = CMSG_SPACE(sizeof(uint32_t));

asio::ip::address from_sockaddr(const sockaddr_storage& sa, uint16_t& port) {
  if (sa.ss_family == AF_INET) {
    const auto& s4 = reinterpret_cast<const sockaddr_in&>(sa);
    port = ntohs(s4.sin_port);
    return asio::ip::address_v4(ntohl(s4.sin_addr.s_addr));
  }
  if (sa.ss_family == AF_INET6) {
    const auto& s6 = reinterpret_cast<const sockaddr_in6&>(sa);
    port = ntohs(s6.sin6_port);
    asio::ip::address_v6::bytes_type b;
    std::memcpy(b.data(), &s6.sin6_addr, b.size());
    return asio::ip::address_v6(b, s6.sin6_scope_id);
  }
  port = 0;
  return {};
}
}  // namespace

std::string peer_text(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

core::IpAddress to_ip(const asio::ip::address& a) {
  core::IpAddress ip;
  if (a.is_v4()) {
    ip.v4 = true;
    ip.bytes[10] = ip.bytes[11] = 0xff;
    const auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), ip.bytes.begin() + 12);
  } else {
    const auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), ip.bytes.begin());
    ip.v4 = a.to_v6().is_v4_mapped();
  }
  return ip;
}

std::string endpoint_url(std::string_view proto, const asio::ip::address& a, uint16_t port) {
  const auto host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
  return std::string(proto) + "://" + host + ":" + std::to_string(port);
}

UdpListener::UdpListener(asio::io_context& io, std::shared_ptr<InputContext> ctx)
    : socket_(io),
      retry_timer_(io),
      ctx_(std::move(ctx)),
      slot_(std::min<std::size_t>(ctx_->max_message_size + 1, 65536)),
      bufs_(kPerCall * slot_) {
  pending_.input = ctx_->label;
}

core::Result<void> UdpListener::open(const asio::ip::udp::endpoint& ep) {
  asio::error_code ec;
  socket_.open(ep.protocol(), ec);
  if (!ec) socket_.bind(ep, ec);
  if (!ec) socket_.non_blocking(true, ec);  // recvmmsg drains without blocking
  if (ec) return core::fail(ctx_->label, "cannot listen: " + ec.message());
  const int fd = socket_.native_handle();
  // SO_RCVBUFFORCE goes past net.core.rmem_max when the daemon may (CAP_NET_ADMIN); otherwise
  // the kernel caps SO_RCVBUF silently, so the grant is read back and reported.
  const int want = static_cast<int>(std::min<std::size_t>(ctx_->input.receive_buffer, INT_MAX / 2));
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0)
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
  int got = 0;
  socklen_t len = sizeof got;
  if (::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0) {
    const int granted = got / 2;  // Linux reports twice the size asked (bookkeeping overhead)
    ctx_->metrics.gauge("vigie_udp_receive_buffer_bytes", {{"input", ctx_->label}}).store(granted);
    if (granted < want)
      spdlog::warn(
          "syslog {}: receive_buffer of {} bytes asked, the kernel granted {} (see sysctl "
          "net.core.rmem_max); datagrams it cannot hold are counted as dropped (reason kernel)",
          ctx_->label, want, granted);
  }
  const int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one) != 0)
    spdlog::warn("syslog {}: SO_RXQ_OVFL unavailable ({}); kernel drops will not be counted", ctx_->label,
                 std::strerror(errno));
  return {};
}

void UdpListener::stop(TimePoint deadline) {
  if (stopping_ || closed_) return;
  stopping_ = true;
  deadline_ = deadline;
  asio::error_code ignored;
  socket_.cancel(ignored);  // the pending wait completes with operation_aborted → push_stopping
}

void UdpListener::close() {
  if (closed_) return;
  closed_ = true;
  retry_timer_.cancel();
  asio::error_code ignored;
  socket_.close(ignored);
}

std::string UdpListener::local_url() const {
  asio::error_code ec;
  const auto ep = socket_.local_endpoint(ec);
  return ec ? std::string() : endpoint_url("udp", ep.address(), ep.port());
}

void UdpListener::wait() {
  socket_.async_wait(asio::ip::udp::socket::wait_read,
                     [self = shared_from_this()](const asio::error_code& ec) { self->on_ready(ec); });
}

void UdpListener::on_ready(const asio::error_code& ec) {
  if (closed_) return;
  if (stopping_) return push_stopping();
  if (ec == asio::error::operation_aborted) return;
  if (ec) ctx_->warn("-", "receive failed: {}", ec.message());
  RawBatch batch;
  batch.input = ctx_->label;
  read_batch(batch);
  if (!batch.empty() && !ctx_->out.try_push(batch)) {
    auto& dropped = ctx_->out.closed() ? ctx_->dropped_shutdown : ctx_->dropped_queue_full;
    dropped.fetch_add(batch.size(), std::memory_order_relaxed);
    ctx_->warn(batch.messages.front().peer, "queue full: {} messages dropped", batch.size());
  }
  wait();
}

// Stopping: batch after batch of what the kernel holds, each handed over (retrying while the
// queue is full) before the next is read, until the kernel is empty or the deadline passes.
void UdpListener::push_stopping() {
  if (closed_) return;
  if (pending_.empty()) {
    if (Clock::now() >= deadline_ || read_batch(pending_) == 0) return close();
    if (pending_.empty()) {  // every datagram of that read was refused (not_allowed)
      asio::post(socket_.get_executor(), [self = shared_from_this()] { self->push_stopping(); });
      return;
    }
  }
  if (ctx_->out.try_push(pending_)) {
    pending_.messages.clear();
    pending_.input = ctx_->label;
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->push_stopping(); });
    return;
  }
  if (ctx_->out.closed() || Clock::now() >= deadline_) {
    ctx_->dropped_shutdown.fetch_add(pending_.size(), std::memory_order_relaxed);
    ctx_->warn("-", "stop deadline passed: {} message(s) dropped", pending_.size());
    pending_.messages.clear();
    return close();
  }
  retry_timer_.expires_after(ctx_->opts.retry_interval);
  retry_timer_.async_wait([self = shared_from_this()](const asio::error_code& e) {
    if (!e) self->push_stopping();
  });
}

void UdpListener::note_kernel_drops(uint32_t total) {
  // The kernel's per-socket drop counter since creation; unsigned difference survives a wrap.
  const uint32_t delta = total - kernel_drops_;
  kernel_drops_ = total;
  if (delta == 0) return;
  ctx_->dropped_kernel.fetch_add(delta, std::memory_order_relaxed);
  ctx_->warn("-", "{} datagram(s) dropped by the kernel (receive buffer full)", delta);
}

std::size_t UdpListener::read_batch(RawBatch& batch) {
  std::array<mmsghdr, kPerCall> msgs{};
  std::array<iovec, kPerCall> iov{};
  std::array<sockaddr_storage, kPerCall> addrs{};
  alignas(cmsghdr) std::array<char, kPerCall * kControl> control{};
  const int fd = socket_.native_handle();
  const std::size_t before = batch.size();
  std::size_t total = 0;
  while (total < ctx_->opts.udp_batch) {
    const auto want = static_cast<unsigned>(std::min<std::size_t>(kPerCall, ctx_->opts.udp_batch - total));
    for (unsigned i = 0; i < want; ++i) {
      iov[i] = {bufs_.data() + i * slot_, slot_};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_name = &addrs[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = control.data() + i * kControl;
      msgs[i].msg_hdr.msg_controllen = kControl;
    }
    // MSG_TRUNC: msg_len is the datagram's real length, so truncation is seen and counted.
    const int r = ::recvmmsg(fd, msgs.data(), want, MSG_DONTWAIT | MSG_TRUNC, nullptr);
    if (r <= 0) {
      if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        ctx_->warn("-", "recvmmsg failed: {}", std::strerror(errno));
      break;
    }
    for (int i = 0; i < r; ++i) {
      auto& h = msgs[static_cast<std::size_t>(i)].msg_hdr;
      for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
          uint32_t dropped = 0;
          std::memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
          note_kernel_drops(dropped);
        }
      }
      uint16_t port = 0;
      const auto from = from_sockaddr(addrs[static_cast<std::size_t>(i)], port);
      add(bufs_.data() + static_cast<std::size_t>(i) * slot_, msgs[static_cast<std::size_t>(i)].msg_len, from, port,
          batch);
    }
    total += static_cast<std::size_t>(r);
    if (static_cast<unsigned>(r) < want) break;
  }
  if (total > 0) ctx_->received.fetch_add(total, std::memory_order_relaxed);
  if (const auto refused = total - (batch.size() - before); refused > 0)
    ctx_->dropped_not_allowed.fetch_add(refused, std::memory_order_relaxed);
  return total;
}

void UdpListener::add(const char* data, std::size_t n, const asio::ip::address& from, uint16_t port, RawBatch& batch) {
  ctx_->bytes.fetch_add(n, std::memory_order_relaxed);
  if (!ctx_->input.allow.empty() && !ctx_->allowed(to_ip(from))) {
    ctx_->warn(peer_text(from), "datagram refused: sender not in this input's allow list");
    return;
  }
  RawMessage m;
  m.truncated = n > ctx_->max_message_size;
  m.data.assign(data, std::min({n, ctx_->max_message_size, slot_}));
  m.peer = peer_text(from);
  m.peer_port = port;
  m.received = ctx_->clock.now();
  if (m.truncated) {
    ctx_->truncated.fetch_add(1, std::memory_order_relaxed);
    ctx_->warn(m.peer, "datagram of {} bytes truncated to {}", n, ctx_->max_message_size);
  }
  batch.messages.push_back(std::move(m));
}

}  // namespace vigie::ingest::syslog
