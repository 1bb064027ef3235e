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

// The open-file limit must cover every TCP listener's max_connections plus kFdReserve for the
// daemon itself (listeners, database, logs, SMTP). Raises the soft limit up to the hard limit if
// needed; fails, naming the caps and the limit, when even the hard limit is too low.
inline constexpr std::size_t kFdReserve = 256;
[[nodiscard]] core::Result<void> check_fd_limit(const config::Config& cfg);

class SyslogServer {
 public:
  SyslogServer(asio::io_context& io, std::shared_ptr<const config::Config> cfg, RawQueue& out, core::Metrics& metrics,
               const core::Clock& clock, ServerOptions options = {});
  ~SyslogServer();
  SyslogServer(const SyslogServer&) = delete;
  SyslogServer& operator=(const SyslogServer&) = delete;

  // Binds every cfg->inputs.syslog listener, or none: on the first failure the ones already
  // open are closed and the error names the listen address ("address already in use": no port
  // is ever shared with another process). tls:// listeners are refused ("tls:// inputs are not
  // available in this build"). First checks the TCP caps against RLIMIT_NOFILE (check_fd_limit).
  [[nodiscard]] core::Result<void> start();
  // Bound addresses in config order, with the real port when 0 was asked:
  // "udp://127.0.0.1:40123".
  [[nodiscard]] std::vector<std::string> local_endpoints() const;
  // Graceful stop: listeners stop accepting; TCP sessions and UDP sockets hand what the kernel
  // already holds to the queue within options.stop_deadline, and count what they cannot.
  // The io_context's run() returns once they are done. Idempotent.
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
