#include "ingest/syslog/udp_listener.hpp"

#include <algorithm>

namespace vigie::ingest::syslog {

std::string peer_text(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

std::string endpoint_url(std::string_view proto, const asio::ip::address& a, uint16_t port) {
  const auto host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
  return std::string(proto) + "://" + host + ":" + std::to_string(port);
}

core::Result<void> UdpListener::open(const asio::ip::udp::endpoint& ep) {
  asio::error_code ec;
  socket_.open(ep.protocol(), ec);
  if (!ec) socket_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) socket_.bind(ep, ec);
  if (!ec) socket_.non_blocking(true, ec);  // lets on_receive drain without blocking
  if (ec) return core::fail(ctx_->label, "cannot listen: " + ec.message());
  // A bigger kernel buffer absorbs bursts; the system may cap it, which is not an error.
  asio::error_code ignored;
  socket_.set_option(asio::socket_base::receive_buffer_size(4 << 20), ignored);
  return {};
}

void UdpListener::stop() {
  asio::error_code ignored;
  socket_.close(ignored);
}

std::string UdpListener::local_url() const {
  asio::error_code ec;
  const auto ep = socket_.local_endpoint(ec);
  return ec ? std::string() : endpoint_url("udp", ep.address(), ep.port());
}

void UdpListener::receive() {
  socket_.async_receive_from(
      asio::buffer(buf_), sender_,
      [self = shared_from_this()](const asio::error_code& ec, std::size_t n) { self->on_receive(ec, n); });
}

void UdpListener::add(std::size_t n, RawBatch& batch) {
  RawMessage m;
  m.truncated = n > ctx_->max_message_size;
  m.data.assign(buf_.data(), std::min(n, ctx_->max_message_size));
  m.peer = peer_text(sender_.address());
  m.peer_port = sender_.port();
  m.received = ctx_->clock.now();
  if (m.truncated) {
    ctx_->truncated.fetch_add(1, std::memory_order_relaxed);
    ctx_->warn(m.peer, "datagram of {} bytes truncated to {}", n, ctx_->max_message_size);
  }
  ctx_->bytes.fetch_add(n, std::memory_order_relaxed);
  batch.messages.push_back(std::move(m));
}

void UdpListener::on_receive(const asio::error_code& ec, std::size_t n) {
  if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
  RawBatch batch;
  batch.input = ctx_->label;
  if (!ec) add(n, batch);
  // Drain what is already queued in the kernel so batches fill up under load.
  while (batch.size() < ctx_->opts.udp_batch) {
    asio::error_code rec;
    const auto got = socket_.receive_from(asio::buffer(buf_), sender_, 0, rec);
    if (rec) break;  // would_block: nothing more for now; other errors: retried by receive()
    add(got, batch);
  }
  if (!batch.empty()) {
    const auto count = batch.size();
    ctx_->received.fetch_add(count, std::memory_order_relaxed);
    if (!ctx_->out.try_push(batch)) {
      auto& dropped = ctx_->out.closed() ? ctx_->dropped_shutdown : ctx_->dropped_queue_full;
      dropped.fetch_add(count, std::memory_order_relaxed);
      ctx_->warn(batch.messages.front().peer, "queue full: {} messages dropped", count);
    }
  }
  receive();
}

}  // namespace vigie::ingest::syslog
