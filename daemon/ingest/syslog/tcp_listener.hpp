// TCP syslog: a listener accepting up to max_connections clients, one TcpSession each.
// Overflow policy (DESIGN.md §3): back-pressure, never drop. When the queue is full a session
// keeps its batch, stops reading (the kernel buffers fill, then the sender's TCP window closes)
// and retries on a short timer; nothing blocks the Asio thread. Session states: README.md.
//
// Threading: everything runs on the io_context's thread. Sessions are owned by their pending
// handlers (shared_ptr); the listener only keeps weak references to close them on stop().
#pragma once

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
  TcpSession(asio::ip::tcp::socket socket, std::shared_ptr<InputContext> ctx);
  ~TcpSession();
  TcpSession(const TcpSession&) = delete;
  TcpSession& operator=(const TcpSession&) = delete;

  void start();
  // Server shutdown: closes at once; frames still buffered are not delivered.
  void stop();

 private:
  void read();
  void on_read(const asio::error_code& ec, std::size_t n);
  void collect();
  void deliver();
  void arm_idle(std::chrono::steady_clock::duration after);
  void on_idle(const asio::error_code& ec);
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
  asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point last_read_;
  bool paused_ = false;  // waiting for queue room: the server is slow, not the client
  bool eof_ = false;     // no more reads: deliver what is pending, then close
  bool closed_ = false;
};

class TcpListener : public std::enable_shared_from_this<TcpListener> {
 public:
  TcpListener(asio::io_context& io, std::shared_ptr<InputContext> ctx)
      : acceptor_(io), retry_timer_(io), ctx_(std::move(ctx)) {}

  [[nodiscard]] core::Result<void> open(const asio::ip::tcp::endpoint& ep);
  void start() { accept(); }
  void stop();
  [[nodiscard]] std::string local_url() const;

 private:
  void accept();
  void on_accept(const asio::error_code& ec, asio::ip::tcp::socket socket);

  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;  // after accept errors such as EMFILE, to avoid spinning
  std::shared_ptr<InputContext> ctx_;
  std::map<uint64_t, std::weak_ptr<TcpSession>> sessions_;
  uint64_t next_id_ = 0;
  bool stopped_ = false;
};

}  // namespace vigie::ingest::syslog
