#include "ingest/syslog/tcp_listener.hpp"
#include "ingest/syslog/udp_listener.hpp"

namespace vigie::ingest::syslog {

TcpSession::TcpSession(asio::ip::tcp::socket socket, std::shared_ptr<InputContext> ctx)
    : socket_(std::move(socket)),
      ctx_(std::move(ctx)),
      framer_(ctx_->max_message_size),
      buf_(ctx_->opts.read_size),
      retry_timer_(socket_.get_executor()),
      idle_timer_(socket_.get_executor()) {
  asio::error_code ec;
  const auto ep = socket_.remote_endpoint(ec);
  if (!ec) {
    peer_ = peer_text(ep.address());
    peer_port_ = ep.port();
  }
  peer_label_ = peer_ + ":" + std::to_string(peer_port_);
  pending_.input = ctx_->label;
  ctx_->active.fetch_add(1, std::memory_order_relaxed);
}

TcpSession::~TcpSession() { ctx_->active.fetch_sub(1, std::memory_order_relaxed); }

void TcpSession::start() {
  ctx_->connections.fetch_add(1, std::memory_order_relaxed);
  last_read_ = std::chrono::steady_clock::now();
  arm_idle(ctx_->opts.idle_timeout);
  read();
}

void TcpSession::stop() {
  eof_ = true;
  close();
}

void TcpSession::read() {
  socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void TcpSession::on_read(const asio::error_code& ec, std::size_t n) {
  if (closed_) return;
  last_read_ = std::chrono::steady_clock::now();
  if (n > 0) {
    ctx_->bytes.fetch_add(n, std::memory_order_relaxed);
    framer_.feed(std::string_view(buf_.data(), n), frames_);
  }
  if (ec) {
    // EOF, reset, or the idle timer cancelling the read: flush what the framer holds.
    if (ec != asio::error::eof && ec != asio::error::operation_aborted)
      ctx_->warn(peer_label_, "connection error: {}", ec.message());
    framer_.finish(frames_);
    eof_ = true;
  }
  collect();
  deliver();
}

// Frames → messages for the queue, and the framer's anomalies → counters and (limited) logs.
void TcpSession::collect() {
  const auto counts = framer_.take_counts();
  if (counts.truncated) {
    ctx_->truncated.fetch_add(counts.truncated, std::memory_order_relaxed);
    ctx_->warn(peer_label_, "{} message(s) truncated to {} bytes", counts.truncated, ctx_->max_message_size);
  }
  if (counts.bad_octet_count) {
    ctx_->bad_octet_count.fetch_add(counts.bad_octet_count, std::memory_order_relaxed);
    ctx_->warn(peer_label_, "{} malformed frame(s): impossible octet count, frame read as a line",
               counts.bad_octet_count);
  }
  if (counts.incomplete_frame) {
    ctx_->incomplete_frame.fetch_add(counts.incomplete_frame, std::memory_order_relaxed);
    ctx_->warn(peer_label_, "connection closed inside an octet-counted frame");
  }
  if (frames_.empty()) return;
  const auto now = ctx_->clock.now();
  for (auto& f : frames_) {
    RawMessage m;
    m.data = std::move(f.data);
    m.truncated = f.truncated;
    m.peer = peer_;
    m.peer_port = peer_port_;
    m.received = now;
    pending_.messages.push_back(std::move(m));
  }
  ctx_->received.fetch_add(frames_.size(), std::memory_order_relaxed);
  frames_.clear();
}

void TcpSession::deliver() {
  if (closed_) return;
  if (!pending_.empty()) {
    if (ctx_->out.closed()) {
      // The pipeline is shutting down; nobody will ever take these.
      ctx_->dropped_shutdown.fetch_add(pending_.size(), std::memory_order_relaxed);
      pending_.messages.clear();
      return close();
    }
    if (!ctx_->out.try_push(pending_)) {
      paused_ = true;
      retry_timer_.expires_after(ctx_->opts.retry_interval);
      retry_timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
        if (!ec) self->deliver();
      });
      return;
    }
    pending_.messages.clear();
    pending_.input = ctx_->label;  // the queue took the batch, its input name with it
  }
  paused_ = false;
  if (eof_) return close();
  read();
}

void TcpSession::arm_idle(std::chrono::steady_clock::duration after) {
  idle_timer_.expires_after(after);
  idle_timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) { self->on_idle(ec); });
}

void TcpSession::on_idle(const asio::error_code& ec) {
  if (ec || closed_ || eof_) return;
  const auto quiet = std::chrono::steady_clock::now() - last_read_;
  if (paused_ || quiet < ctx_->opts.idle_timeout) {
    arm_idle(paused_ ? std::chrono::steady_clock::duration(ctx_->opts.idle_timeout) : ctx_->opts.idle_timeout - quiet);
    return;
  }
  ctx_->idle_closed.fetch_add(1, std::memory_order_relaxed);
  ctx_->warn(peer_label_, "nothing received for {} ms, closing",
             std::chrono::duration_cast<std::chrono::milliseconds>(quiet).count());
  // The pending read completes with operation_aborted and takes the normal end-of-stream path.
  asio::error_code ignored;
  socket_.cancel(ignored);
}

void TcpSession::close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ignored;
  retry_timer_.cancel();
  idle_timer_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace vigie::ingest::syslog
