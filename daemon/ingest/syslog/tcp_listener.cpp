#include "ingest/syslog/tcp_listener.hpp"

#include "ingest/syslog/udp_listener.hpp"

namespace vigie::ingest::syslog {

core::Result<void> TcpListener::open(const asio::ip::tcp::endpoint& ep) {
  asio::error_code ec;
  acceptor_.open(ep.protocol(), ec);
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

void TcpListener::stop() {
  stopped_ = true;
  asio::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
  for (auto& [id, weak] : sessions_)
    if (auto s = weak.lock()) s->stop();
  sessions_.clear();
}

void TcpListener::accept() {
  acceptor_.async_accept([self = shared_from_this()](const asio::error_code& ec, asio::ip::tcp::socket socket) {
    self->on_accept(ec, std::move(socket));
  });
}

void TcpListener::on_accept(const asio::error_code& ec, asio::ip::tcp::socket socket) {
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    // EMFILE and friends: wait a little rather than spin on an acceptor that cannot accept.
    ctx_->warn("-", "accept failed: {}", ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](const asio::error_code& e) {
      if (!e && !self->stopped_) self->accept();
    });
    return;
  }
  std::erase_if(sessions_, [](const auto& kv) { return kv.second.expired(); });
  if (static_cast<std::size_t>(ctx_->active.load(std::memory_order_relaxed)) >= ctx_->opts.max_connections) {
    ctx_->refused.fetch_add(1, std::memory_order_relaxed);
    asio::error_code peer_ec;
    const auto ep = socket.remote_endpoint(peer_ec);
    ctx_->warn(peer_ec ? std::string("-") : peer_text(ep.address()), "refused: {} connections already open",
               ctx_->opts.max_connections);
    asio::error_code ignored;
    socket.close(ignored);
  } else {
    auto session = std::make_shared<TcpSession>(std::move(socket), ctx_);
    sessions_.emplace(next_id_++, session);
    session->start();
  }
  accept();
}

}  // namespace vigie::ingest::syslog
