// Shared by the listener tests: the server on 127.0.0.1, port 0, its io_context on its own
// thread, and small socket helpers.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <thread>

#include "ingest/syslog/server.hpp"

namespace vigie_test {

using namespace vigie;
using namespace vigie::ingest;
using namespace vigie::ingest::syslog;
using namespace std::chrono_literals;
using asio::ip::tcp;
using asio::ip::udp;

inline config::SyslogInput input(config::SyslogInput::Proto proto, std::string listen,
                                 std::string address = "127.0.0.1", uint16_t port = 0) {
  config::SyslogInput in;
  in.proto = proto;
  in.address = std::move(address);
  in.port = port;
  in.listen = std::move(listen);
  return in;
}

inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit = 5s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

// Server under test plus the io thread. Members are declared so that the io_context outlives
// the server and the queue and metrics outlive the io_context.
using Tune = std::function<void(config::SyslogInput& udp, config::SyslogInput& tcp)>;

struct Harness {
  explicit Harness(std::size_t queue_capacity = 64, ServerOptions opts = {}, std::size_t max_message = 64 * 1024,
                   const Tune& tune = {}, bool run = true)
      : queue(queue_capacity), clock(*core::parse_rfc3339("2024-07-14T10:00:00Z")) {
    auto c = std::make_shared<config::Config>();
    c->inputs.syslog = {input(config::SyslogInput::Proto::udp, "udp://127.0.0.1:0"),
                        input(config::SyslogInput::Proto::tcp, "tcp://127.0.0.1:0")};
    if (tune) tune(c->inputs.syslog[0], c->inputs.syslog[1]);
    c->inputs.max_message_size = max_message;
    cfg = c;
    server = std::make_unique<SyslogServer>(io, cfg, queue, metrics, clock, opts);
    auto started = server->start();
    REQUIRE_MESSAGE(started, (started ? "" : started.error().to_string()));
    const auto eps = server->local_endpoints();
    REQUIRE(eps.size() == 2);
    udp_port = static_cast<uint16_t>(std::stoi(eps[0].substr(eps[0].rfind(':') + 1)));
    tcp_port = static_cast<uint16_t>(std::stoi(eps[1].substr(eps[1].rfind(':') + 1)));
    if (run) thread = std::thread([this] { io.run(); });
  }
  ~Harness() {
    work.reset();
    io.stop();
    if (thread.joinable()) thread.join();
    server.reset();
  }
  // Graceful stop as serve does it: posted to the io thread.
  void stop_server() {
    asio::post(io, [this] { server->stop(); });
  }

  // Pops batches until n messages arrived (or 5 s passed); each batch's input goes to `inputs`.
  std::vector<RawMessage> take(std::size_t n) {
    std::vector<RawMessage> out;
    const auto end = std::chrono::steady_clock::now() + 5s;
    while (out.size() < n && std::chrono::steady_clock::now() < end) {
      if (auto b = queue.pop_for(50ms)) {
        inputs.push_back(b->input);
        for (auto& m : b->messages) out.push_back(std::move(m));
      }
    }
    return out;
  }
  std::vector<std::string> inputs;

  uint64_t tcp_counter(const std::string& name, std::string reason = "") const {
    core::Labels l = {{"input", "tcp://127.0.0.1:0"}};
    if (!reason.empty()) l.emplace_back("reason", reason);
    return metrics.value(name, l);
  }

  uint64_t udp_counter(const std::string& name, std::string reason = "") const {
    core::Labels l = {{"input", "udp://127.0.0.1:0"}};
    if (!reason.empty()) l.emplace_back("reason", reason);
    return metrics.value(name, l);
  }

  // From another loopback address when `from` is given (127.0.0.2: another sender).
  tcp::socket connect(const char* from = nullptr) {
    tcp::socket s(client_io);
    if (from) {
      s.open(tcp::v4());
      s.bind(tcp::endpoint(asio::ip::make_address(from), 0));
    }
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), tcp_port));
    return s;
  }

  core::Metrics metrics;
  RawQueue queue;
  core::ManualClock clock;
  asio::io_context io;
  asio::io_context client_io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::shared_ptr<const config::Config> cfg;
  std::unique_ptr<SyslogServer> server;
  uint16_t udp_port = 0, tcp_port = 0;
  std::thread thread;
};

inline void send_udp(uint16_t port, const std::string& data, const char* from = "127.0.0.1") {
  asio::io_context io;
  udp::socket s(io, udp::endpoint(asio::ip::make_address(from), 0));
  s.send_to(asio::buffer(data), udp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

// True once the server has closed the connection (EOF or reset on read).
inline bool closed_by_server(tcp::socket& s) {
  char c;
  asio::error_code ec;
  s.read_some(asio::buffer(&c, 1), ec);
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

}  // namespace vigie_test
