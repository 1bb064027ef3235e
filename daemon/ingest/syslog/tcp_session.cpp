// One TCP connection: read → frame → hand batches to the queue, with the idle and minimum-rate
// checks and the shutdown drain. States and transitions: README.md ("TCP session").
#include "ingest/syslog/tcp_listener.hpp"
#include "ingest/syslog/udp_listener.hpp"

namespace vigie::ingest::syslog {

namespace {
using Clock = std::chrono::steady_clock;

// Reads past the deadline only to count what is thrown away; bounded so that a peer still
// sending fast cannot keep the stop going.
constexpr int kGiveUpReads = 64;
}  // namespace

TcpSession::TcpSession(asio::ip::tcp::socket socket, std::shared_ptr<InputContext> ctx, std::string peer,
                       uint16_t peer_port)
    : socket_(std::move(socket)),
      ctx_(std::move(ctx)),
      peer_(std::move(peer)),
      peer_port_(peer_port),
      framer_(ctx_->max_message_size),
      buf_(ctx_->opts.read_size),
      retry_timer_(socket_.get_executor()),
      check_timer_(socket_.get_executor()) {
  peer_label_ = peer_ + ":" + std::to_string(peer_port_);
  pending_.input = ctx_->label;
  ctx_->active.fetch_add(1, std::memory_order_relaxed);
}

TcpSession::~TcpSession() { close(); }

void TcpSession::start() {
  ctx_->connections.fetch_add(1, std::memory_order_relaxed);
  last_message_ = window_start_ = Clock::now();
  arm_check();
  read();
}

void TcpSession::stop(TimePoint deadline) {
  if (closed_ || stopping_) return;
  stopping_ = true;
  deadline_ = deadline;
  check_timer_.cancel();
  // A read in flight completes with operation_aborted and continues with drain(); a paused
  // session keeps retrying the queue and drains once its batch is taken.
  if (reading_) {
    asio::error_code ignored;
    socket_.cancel(ignored);
  }
}

void TcpSession::read() {
  reading_ = true;
  socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void TcpSession::on_read(const asio::error_code& ec, std::size_t n) {
  reading_ = false;
  if (closed_) return;
  if (n > 0) feed(n);
  if (ec && !(stopping_ && ec == asio::error::operation_aborted)) {
    // EOF, reset, or the idle/slow check cancelling the read: flush what the framer holds.
    if (ec != asio::error::eof && ec != asio::error::operation_aborted)
      ctx_->warn(peer_label_, "connection error: {}", ec.message());
    end_of_stream();
  }
  collect();
  deliver();
}

void TcpSession::feed(std::size_t n) {
  ctx_->bytes.fetch_add(n, std::memory_order_relaxed);
  window_bytes_ += n;
  const auto before = frames_.size();
  framer_.feed(std::string_view(buf_.data(), n), frames_);
  if (frames_.size() > before) last_message_ = Clock::now();
}

void TcpSession::end_of_stream() {
  framer_.finish(frames_);
  eof_ = true;
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
      if (stopping_ && Clock::now() >= deadline_) return give_up();
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
  if (paused_) {
    // Time spent waiting for the queue is the server's, not the client's.
    paused_ = false;
    last_message_ = window_start_ = Clock::now();
    window_bytes_ = 0;
  }
  if (eof_) return close();
  if (stopping_) {
    // Posted rather than called, so that a long drain lets other sessions run in between.
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->drain(); });
    return;
  }
  read();
}

// Stopping: one non-blocking read of what the kernel already holds; would-block means all of
// it was read.
void TcpSession::drain() {
  if (closed_) return;
  if (Clock::now() >= deadline_) return give_up();
  asio::error_code ec;
  socket_.non_blocking(true, ec);
  std::size_t n = 0;
  if (!ec) n = socket_.read_some(asio::buffer(buf_), ec);
  if (n > 0) feed(n);
  if (ec) {
    if (ec != asio::error::would_block && ec != asio::error::try_again && ec != asio::error::eof)
      ctx_->warn(peer_label_, "connection error while stopping: {}", ec.message());
    end_of_stream();
  }
  collect();
  deliver();
}

// The stop deadline passed with messages still undelivered: frame what remains in the kernel
// too, so that everything acknowledged to the sender is at least counted, then drop it.
void TcpSession::give_up() {
  asio::error_code ec;
  socket_.non_blocking(true, ec);
  for (int i = 0; i < kGiveUpReads && !ec && !eof_; ++i) {
    const auto n = socket_.read_some(asio::buffer(buf_), ec);
    if (n > 0) feed(n);
  }
  if (!eof_) end_of_stream();
  collect();
  if (!pending_.empty()) {
    ctx_->dropped_shutdown.fetch_add(pending_.size(), std::memory_order_relaxed);
    ctx_->warn(peer_label_, "stop deadline passed: {} message(s) dropped", pending_.size());
    pending_.messages.clear();
  }
  close();
}

void TcpSession::arm_check() {
  const auto& in = ctx_->input;
  auto next = last_message_ + in.idle_timeout;
  if (in.min_rate > 0) next = std::min(next, window_start_ + in.min_rate_window);
  check_timer_.expires_at(next);
  check_timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) { self->on_check(ec); });
}

// Idle: no complete message for idle_timeout. Slow: at the end of a min_rate window, a frame is
// still incomplete and fewer than min_rate × window bytes came during it — a client trickling
// bytes to hold the connection. Neither applies while paused (the server is the slow one).
void TcpSession::on_check(const asio::error_code& ec) {
  if (ec || closed_ || eof_ || stopping_) return;
  const auto& in = ctx_->input;
  const auto now = Clock::now();
  if (paused_) {
    last_message_ = window_start_ = now;
    window_bytes_ = 0;
    return arm_check();
  }
  bool close_now = false;
  if (now - last_message_ >= in.idle_timeout) {
    ctx_->idle_closed.fetch_add(1, std::memory_order_relaxed);
    ctx_->warn(peer_label_, "no complete message for {} ms, closing",
               std::chrono::duration_cast<std::chrono::milliseconds>(now - last_message_).count());
    close_now = true;
  } else if (in.min_rate > 0 && now - window_start_ >= in.min_rate_window) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - window_start_).count();
    if (!framer_.at_boundary() && window_bytes_ * 1000 < in.min_rate * static_cast<uint64_t>(ms)) {
      ctx_->slow_closed.fetch_add(1, std::memory_order_relaxed);
      ctx_->warn(peer_label_, "{} bytes in {} ms inside an unfinished message (min_rate {} bytes/s), closing",
                 window_bytes_, ms, in.min_rate);
      close_now = true;
    }
    window_start_ = now;
    window_bytes_ = 0;
  }
  if (!close_now) return arm_check();
  // The pending read completes with operation_aborted and takes the normal end-of-stream path.
  asio::error_code ignored;
  socket_.cancel(ignored);
}

void TcpSession::close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ignored;
  retry_timer_.cancel();
  check_timer_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  ctx_->active.fetch_sub(1, std::memory_order_relaxed);
  if (auto it = ctx_->peers.find(peer_); it != ctx_->peers.end() && --it->second == 0) ctx_->peers.erase(it);
}

}  // namespace vigie::ingest::syslog
