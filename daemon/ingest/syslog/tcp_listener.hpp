// TCP syslog: a listener accepting clients within its bounds (allow list, max_connections,
// max_connections_per_peer), one TcpSession each. Overflow policy (DESIGN.md §3):
// back-pressure, never drop. When the queue is full a session keeps its batch, stops reading
// (the kernel buffers fill, then the sender's TCP window closes) and retries on a short timer;
// nothing blocks the Asio thread. Session states: README.md.
//
// Threading: everything runs on the io_context's thread. Sessions are owned by their pending
// handlers (shared_ptr); the listener only keeps weak references to stop them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <asio.hpp>

#include "core/error.hpp"
#include "ingest/syslog/framer.hpp"
#include "ingest/syslog/input_context.hpp"

namespace vigie::ingest::syslog {

class TcpSession : public std::enable_shared_from_this<TcpSession> {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `peer` is the sender's address as text, already counted in ctx->peers by the listener;
  // the session gives that count back when it closes.
  TcpSession(asio::ip::tcp::socket socket, std::shared_ptr<InputContext> ctx, std::string peer, uint16_t peer_port);
  ~TcpSession();
  TcpSession(const TcpSession&) = delete;
  TcpSession& operator=(const TcpSession&) = delete;

  void start();
  // Server shutdown: stops waiting for the peer, reads what the kernel already holds (it was
  // acknowledged to the sender), finishes the framer and hands everything to the queue,
  // retrying while it is full, until `deadline`. What is still undelivered then is counted as
  // dropped (reason shutdown). Idempotent.
  void stop(TimePoint deadline);

 private:
  void read();
  void on_read(const asio::error_code& ec, std::size_t n);
  void feed(std::size_t n);
  void end_of_stream();
  void collect();
  void deliver();
  void drain();
  void give_up();
  void arm_check();
  void on_check(const asio::error_code& ec);
  void close();

  asio::ip::tcp::socket socket_;
  std::shared_ptr<InputContext> ctx_;
  std::string peer_;
  uint16_t peer_port_ = 0;
  std::string peer_label_;  // "ip:port" for logs
  TcpFramer framer_;
  std::vector<char> buf_;
  std::vector<Frame> frames_;  // scratch
  RawBatch pending_;           // framed, not yet accepted by the queue
  asio::steady_timer retry_timer_;
  asio::steady_timer check_timer_;  // idle timeout and minimum rate
  TimePoint last_message_;          // last completed message: the idle timeout restarts only here
  TimePoint window_start_;          // current min_rate window
  uint64_t window_bytes_ = 0;       // bytes read in it
  TimePoint deadline_;              // stopping: hand-over deadline
  bool reading_ = false;            // an async read is in flight
  bool paused_ = false;             // waiting for queue room: the server is slow, not the client
  bool eof_ = false;                // no more reads: deliver what is pending, then close
  bool stopping_ = false;           // server shutdown: drain, do not wait for the peer
  bool closed_ = false;
};

class TcpListener : public std::enable_shared_from_this<TcpListener> {
 public:
  TcpListener(asio::io_context& io, std::shared_ptr<InputContext> ctx)
      : acceptor_(io), retry_timer_(io), ctx_(std::move(ctx)) {}

  [[nodiscard]] core::Result<void> open(const asio::ip::tcp::endpoint& ep);
  void start() { accept(); }
  // Closes the acceptor and stops every session (TcpSession::stop). Idempotent.
  void stop(TcpSession::TimePoint deadline);
  [[nodiscard]] std::string local_url() const;

 private:
  void accept();
  void on_accept(const asio::error_code& ec, asio::ip::tcp::socket socket);
  void on_accept_error(const asio::error_code& ec);
  void refuse(asio::ip::tcp::socket& socket, std::atomic<uint64_t>& counter, const std::string& peer,
              std::string_view why);

  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;  // after accept errors such as EMFILE, to avoid spinning
  std::shared_ptr<InputContext> ctx_;
  std::map<uint64_t, std::weak_ptr<TcpSession>> sessions_;
  uint64_t next_id_ = 0;
  bool stopped_ = false;
};

}  // namespace vigie::ingest::syslog
