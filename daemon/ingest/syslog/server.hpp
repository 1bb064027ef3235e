// The syslog network inputs (DESIGN.md §3): one listener per configured `inputs.syslog`
// entry, all on the caller's io_context. Framing only — parsing happens on the workers.
//
// Threading: start(), stop() and local_endpoints() are called from the io_context's thread or
// while it is not running. Destroy the server only after the io_context has stopped running;
// `out`, `metrics` and `clock` must outlive the io_context (pending handlers keep connections
// alive until the io_context is destroyed).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <asio.hpp>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/metrics.hpp"
#include "ingest/raw.hpp"
#include "ingest/syslog/input_context.hpp"

namespace vigie::ingest::syslog {

class UdpListener;
class TcpListener;

class SyslogServer {
 public:
  SyslogServer(asio::io_context& io, std::shared_ptr<const config::Config> cfg, RawQueue& out, core::Metrics& metrics,
               const core::Clock& clock, ServerOptions options = {});
  ~SyslogServer();
  SyslogServer(const SyslogServer&) = delete;
  SyslogServer& operator=(const SyslogServer&) = delete;

  // Binds every cfg->inputs.syslog listener, or none: on the first failure the ones already
  // open are closed and the error names the listen address. tls:// listeners are refused
  // ("tls:// inputs are not available in this build").
  [[nodiscard]] core::Result<void> start();
  // Bound addresses in config order, with the real port when 0 was asked:
  // "udp://127.0.0.1:40123".
  [[nodiscard]] std::vector<std::string> local_endpoints() const;
  // Closes listeners and connections. Idempotent.
  void stop();

 private:
  asio::io_context& io_;
  std::shared_ptr<const config::Config> cfg_;
  RawQueue& out_;
  core::Metrics& metrics_;
  const core::Clock& clock_;
  ServerOptions options_;
  // In config order; exactly one of the two is set per entry.
  std::vector<std::pair<std::shared_ptr<UdpListener>, std::shared_ptr<TcpListener>>> listeners_;
};

}  // namespace vigie::ingest::syslog
