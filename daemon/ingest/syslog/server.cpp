#include "ingest/syslog/server.hpp"

#include <sys/resource.h>

#include <spdlog/spdlog.h>

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

core::Result<void> check_fd_limit(const config::Config& cfg) {
  std::size_t caps = 0;
  for (const auto& in : cfg.inputs.syslog)
    if (in.proto != config::SyslogInput::Proto::udp) caps += in.max_connections;
  if (caps == 0) return {};
  const rlim_t need = caps + kFdReserve + cfg.inputs.syslog.size();
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return {};
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur >= need) return {};
  if (lim.rlim_cur == RLIM_INFINITY) return {};
  if (lim.rlim_max == RLIM_INFINITY || lim.rlim_max >= need) {
    const rlim_t before = lim.rlim_cur;
    lim.rlim_cur = need;
    if (::setrlimit(RLIMIT_NOFILE, &lim) == 0) {
      spdlog::info("open-file limit raised from {} to {} for max_connections (total {})", before, need, caps);
      return {};
    }
  }
  return core::fail("inputs.syslog",
                    fmt::format("max_connections (total {} over the tcp:// inputs, plus {} for the daemon) needs {} "
                                "open files, but the open-file limit (RLIMIT_NOFILE) is {} (hard limit {}); raise "
                                "LimitNOFILE= in vigie.service or lower max_connections",
                                caps, kFdReserve, need, lim.rlim_cur, lim.rlim_max));
}

SyslogServer::SyslogServer(asio::io_context& io, std::shared_ptr<const config::Config> cfg, RawQueue& out,
                           core::Metrics& metrics, const core::Clock& clock, ServerOptions options)
    : io_(io), cfg_(std::move(cfg)), out_(out), metrics_(metrics), clock_(clock), options_(options) {}

SyslogServer::~SyslogServer() { stop(); }

core::Result<void> SyslogServer::start() {
  if (auto r = check_fd_limit(*cfg_); !r) return r;
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
    auto ctx =
        std::make_shared<InputContext>(label, in, out_, metrics_, clock_, cfg_->inputs.max_message_size, options_);
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
  const auto deadline = std::chrono::steady_clock::now() + options_.stop_deadline;
  for (auto& [udp, tcp] : listeners_) {
    if (udp) udp->stop(deadline);
    if (tcp) tcp->stop(deadline);
  }
  listeners_.clear();
}

}  // namespace vigie::ingest::syslog
