// UDP syslog: one datagram = one message, read in batches with recvmmsg. Overflow policy
// (DESIGN.md §3): when the queue is full the batch is dropped and counted
// (vigie_events_dropped_total{reason="queue_full"}) — a UDP sender cannot be slowed down, and
// blocking here would stall every other input. Datagrams the kernel dropped because the
// receive buffer was full are counted from SO_RXQ_OVFL ({reason="kernel"}); senders outside
// the allow list are dropped and counted ({reason="not_allowed"}).
//
// Threading: everything runs on the io_context's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <asio.hpp>

#include "core/error.hpp"
#include "core/net.hpp"
#include "ingest/syslog/input_context.hpp"

namespace vigie::ingest::syslog {

// Peer address as text, IPv4-mapped IPv6 shown as IPv4 (so site networks written in IPv4
// match senders reaching a dual-stack "::" listener).
[[nodiscard]] std::string peer_text(const asio::ip::address& a);
// The same address as core::IpAddress (IPv4-mapped IPv6 is IPv4), for allow lists.
[[nodiscard]] core::IpAddress to_ip(const asio::ip::address& a);
// "udp://127.0.0.1:5514", "tcp://[::1]:6514"
[[nodiscard]] std::string endpoint_url(std::string_view proto, const asio::ip::address& a, uint16_t port);

class UdpListener : public std::enable_shared_from_this<UdpListener> {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  UdpListener(asio::io_context& io, std::shared_ptr<InputContext> ctx);

  // Binds without SO_REUSEADDR (a second process on the port fails instead of sharing it),
  // asks for input.receive_buffer bytes (warns when the kernel grants less) and enables
  // SO_RXQ_OVFL.
  [[nodiscard]] core::Result<void> open(const asio::ip::udp::endpoint& ep);
  void start() { wait(); }
  // Reads what the kernel still holds once more and hands it to the queue (retrying while it
  // is full) until `deadline`, then closes. Idempotent.
  void stop(TimePoint deadline);
  [[nodiscard]] std::string local_url() const;

 private:
  void wait();
  void on_ready(const asio::error_code& ec);
  // Up to opts.udp_batch datagrams already queued in the kernel; returns how many were read.
  std::size_t read_batch(RawBatch& batch);
  void add(const char* data, std::size_t n, const asio::ip::address& from, uint16_t port, RawBatch& batch);
  void note_kernel_drops(uint32_t total);
  void push_stopping();
  void close();

  asio::ip::udp::socket socket_;
  asio::steady_timer retry_timer_;
  std::shared_ptr<InputContext> ctx_;
  std::size_t slot_;           // bytes per datagram buffer: max_message_size + 1, at most 64 KiB
  std::vector<char> bufs_;     // kPerCall slots for recvmmsg
  uint32_t kernel_drops_ = 0;  // last SO_RXQ_OVFL total seen (the kernel's counter, wraps)
  RawBatch pending_;           // stopping: a batch waiting for queue room
  TimePoint deadline_{};
  bool stopping_ = false;
  bool closed_ = false;
};

}  // namespace vigie::ingest::syslog
