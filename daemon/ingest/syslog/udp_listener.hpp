// UDP syslog: one datagram = one message. Overflow policy (DESIGN.md §3): when the queue is
// full the batch is dropped and counted (vigie_events_dropped_total{reason="queue_full"}) —
// a UDP sender cannot be slowed down, and blocking here would stall every other input.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <asio.hpp>

#include "core/error.hpp"
#include "ingest/syslog/input_context.hpp"

namespace vigie::ingest::syslog {

// Peer address as text, IPv4-mapped IPv6 shown as IPv4 (so site networks written in IPv4
// match senders reaching a dual-stack "::" listener).
[[nodiscard]] std::string peer_text(const asio::ip::address& a);
// "udp://127.0.0.1:5514", "tcp://[::1]:6514"
[[nodiscard]] std::string endpoint_url(std::string_view proto, const asio::ip::address& a, uint16_t port);

class UdpListener : public std::enable_shared_from_this<UdpListener> {
 public:
  UdpListener(asio::io_context& io, std::shared_ptr<InputContext> ctx) : socket_(io), ctx_(std::move(ctx)) {}

  [[nodiscard]] core::Result<void> open(const asio::ip::udp::endpoint& ep);
  void start() { receive(); }
  void stop();
  [[nodiscard]] std::string local_url() const;

 private:
  void receive();
  void on_receive(const asio::error_code& ec, std::size_t n);
  void add(std::size_t n, RawBatch& batch);

  asio::ip::udp::socket socket_;
  std::shared_ptr<InputContext> ctx_;
  std::vector<char> buf_ = std::vector<char>(65536);
  asio::ip::udp::endpoint sender_;
};

}  // namespace vigie::ingest::syslog
