#include "ingest/syslog/server.hpp"

#include "ingest/syslog/tcp_listener.hpp"
#include "ingest/syslog/udp_listener.hpp"

namespace vigie::ingest::syslog {
namespace {

std::string label_of(const config::SyslogInput& in) {
  if (!in.listen.empty()) return in.listen;
  const char* proto = in.proto == config::SyslogInput::Proto::udp   ? "udp"
                      : in.proto == config::SyslogInput::Proto::tcp ? "tcp"
                                                                    : "tls";
  return std::string(proto) + "://" + in.address + ":" + std::to_string(in.port);
}

}  // namespace

SyslogServer::SyslogServer(asio::io_context& io, std::shared_ptr<const config::Config> cfg, RawQueue& out,
                           core::Metrics& metrics, const core::Clock& clock, ServerOptions options)
    : io_(io), cfg_(std::move(cfg)), out_(out), metrics_(metrics), clock_(clock), options_(options) {}

SyslogServer::~SyslogServer() { stop(); }

core::Result<void> SyslogServer::start() {
  for (const auto& in : cfg_->inputs.syslog) {
    const auto label = label_of(in);
    if (in.proto == config::SyslogInput::Proto::tls) {
      stop();
      return core::fail(label, "tls:// inputs are not available in this build");
    }
    std::string host = in.address;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    asio::error_code ec;
    const auto addr = asio::ip::make_address(host, ec);
    if (ec) {
      stop();
      return core::fail(label, "invalid listen address \"" + in.address + "\"");
    }
    auto ctx = std::make_shared<InputContext>(label, out_, metrics_, clock_, cfg_->inputs.max_message_size, options_);
    core::Result<void> opened;
    if (in.proto == config::SyslogInput::Proto::udp) {
      auto l = std::make_shared<UdpListener>(io_, ctx);
      opened = l->open(asio::ip::udp::endpoint(addr, in.port));
      listeners_.emplace_back(std::move(l), nullptr);
    } else {
      auto l = std::make_shared<TcpListener>(io_, ctx);
      opened = l->open(asio::ip::tcp::endpoint(addr, in.port));
      listeners_.emplace_back(nullptr, std::move(l));
    }
    if (!opened) {
      stop();
      return opened;
    }
  }
  for (auto& [udp, tcp] : listeners_) {
    if (udp) udp->start();
    if (tcp) tcp->start();
  }
  return {};
}

std::vector<std::string> SyslogServer::local_endpoints() const {
  std::vector<std::string> out;
  for (const auto& [udp, tcp] : listeners_) out.push_back(udp ? udp->local_url() : tcp->local_url());
  return out;
}

void SyslogServer::stop() {
  for (auto& [udp, tcp] : listeners_) {
    if (udp) udp->stop();
    if (tcp) tcp->stop();
  }
  listeners_.clear();
}

}  // namespace vigie::ingest::syslog
