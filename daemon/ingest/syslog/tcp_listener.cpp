#include "ingest/syslog/tcp_listener.hpp"

#include <cerrno>

#include "ingest/syslog/udp_listener.hpp"

namespace vigie::ingest::syslog {

core::Result<void> TcpListener::open(const asio::ip::tcp::endpoint& ep) {
  asio::error_code ec;
  acceptor_.open(ep.protocol(), ec);
  // On Linux SO_REUSEADDR lets a restart bind over connections in TIME_WAIT; it never lets two
  // listening sockets share a port, so a second daemon still fails with EADDRINUSE.
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return core::fail(ctx_->label, "cannot listen: " + ec.message());
  return {};
}

std::string TcpListener::local_url() const {
  asio::error_code ec;
  const auto ep = acceptor_.local_endpoint(ec);
  return ec ? std::string() : endpoint_url("tcp", ep.address(), ep.port());
}

void TcpListener::stop(TcpSession::TimePoint deadline) {
  if (stopped_) return;
  stopped_ = true;
  asio::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
  for (auto& [id, weak] : sessions_)
    if (auto s = weak.lock()) s->stop(deadline);
  sessions_.clear();
}

void TcpListener::accept() {
  acceptor_.async_accept([self = shared_from_this()](const asio::error_code& ec, asio::ip::tcp::socket socket) {
    self->on_accept(ec, std::move(socket));
  });
}

void TcpListener::on_accept_error(const asio::error_code& ec) {
  // Out of descriptors or memory: counted, logged, and retried after a pause rather than in a
  // loop on an acceptor that cannot accept. A client that reset before accept is only counted.
  const int e = ec.value();
  const char* reason = e == EMFILE                     ? "emfile"
                       : e == ENFILE                   ? "enfile"
                       : (e == ENOBUFS || e == ENOMEM) ? "nomem"
                                                       : "other";
  ctx_->metrics.counter("vigie_tcp_accept_errors_total", {{"input", ctx_->label}, {"reason", reason}})++;
  ctx_->warn("-", "accept failed: {}", ec.message());
  if (e == ECONNABORTED || e == EPROTO || e == EINTR) return accept();
  retry_timer_.expires_after(std::chrono::milliseconds(100));
  retry_timer_.async_wait([self = shared_from_this()](const asio::error_code& err) {
    if (!err && !self->stopped_) self->accept();
  });
}

void TcpListener::refuse(asio::ip::tcp::socket& socket, std::atomic<uint64_t>& counter, const std::string& peer,
                         std::string_view why) {
  counter.fetch_add(1, std::memory_order_relaxed);
  ctx_->warn(peer, "connection refused: {}", why);
  // A reset, not a clean close: the sender sees an error instead of believing its lines were
  // taken.
  asio::error_code ignored;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

void TcpListener::on_accept(const asio::error_code& ec, asio::ip::tcp::socket socket) {
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) return on_accept_error(ec);
  std::erase_if(sessions_, [](const auto& kv) { return kv.second.expired(); });
  asio::error_code peer_ec;
  const auto ep = socket.remote_endpoint(peer_ec);
  if (peer_ec) {  // reset between accept and here
    asio::error_code ignored;
    socket.close(ignored);
    return accept();
  }
  const std::string peer = peer_text(ep.address());
  const auto& in = ctx_->input;
  if (!ctx_->allowed(to_ip(ep.address()))) {
    refuse(socket, ctx_->refused_not_allowed, peer, "sender not in this input's allow list");
  } else if (static_cast<std::size_t>(ctx_->active.load(std::memory_order_relaxed)) >= in.max_connections) {
    refuse(socket, ctx_->refused_limit, peer,
           fmt::format("{} connections already open (max_connections)", in.max_connections));
  } else if (auto it = ctx_->peers.find(peer); it != ctx_->peers.end() && it->second >= ctx_->max_per_peer) {
    refuse(socket, ctx_->refused_per_peer, peer,
           fmt::format("{} connections already open from this address (max_connections_per_peer)", it->second));
  } else {
    ++ctx_->peers[peer];
    auto session = std::make_shared<TcpSession>(std::move(socket), ctx_, peer, ep.port());
    sessions_.emplace(next_id_++, session);
    session->start();
  }
  accept();
}

}  // namespace vigie::ingest::syslog
