// The listeners' bounds and their stop: allow lists, per-peer cap, slow and idle clients,
// the UDP receive buffer and kernel drops, no port sharing, the open-file limit, the drain on
// stop. Real sockets on loopback (127.0.0.2 plays a second sender).
#include <sys/resource.h>

#include "server_harness.hpp"

using namespace vigie;
using namespace vigie::ingest;
using namespace vigie::ingest::syslog;
using namespace std::chrono_literals;
using asio::ip::tcp;
using asio::ip::udp;
using namespace vigie_test;

namespace {

core::Cidr net(const char* text) { return *core::Cidr::parse(text); }

// Pops everything until `n` messages arrived or the queue stayed empty for a while.
std::vector<RawMessage> drain_queue(RawQueue& q, std::size_t n) {
  std::vector<RawMessage> out;
  auto quiet_until = std::chrono::steady_clock::now() + 2s;
  while (out.size() < n && std::chrono::steady_clock::now() < quiet_until) {
    if (auto b = q.pop_for(50ms)) {
      for (auto& m : b->messages) out.push_back(std::move(m));
      quiet_until = std::chrono::steady_clock::now() + 500ms;
    }
  }
  return out;
}

std::string lines(int n, const std::string& tag = "app") {
  std::string out;
  for (int i = 0; i < n; ++i) out += "<13>Jul 14 12:00:00 host " + tag + ": line " + std::to_string(i) + "\n";
  return out;
}

}  // namespace

TEST_CASE("TCP allow list: senders outside are refused at accept and counted") {
  Harness h(64, {}, 64 * 1024, [](auto&, auto& tcp) { tcp.allow = {net("127.0.0.2/32")}; });
  auto outsider = h.connect("127.0.0.1");
  CHECK(closed_by_server(outsider));
  CHECK(h.tcp_counter("vigie_tcp_connections_refused_total", "not_allowed") == 1);
  auto insider = h.connect("127.0.0.2");
  asio::write(insider, asio::buffer(std::string("<13>app: allowed\n")));
  const auto got = h.take(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].peer == "127.0.0.2");
  CHECK(h.tcp_counter("vigie_tcp_connections_total") == 1);
}

TEST_CASE("UDP allow list: datagrams from outside are dropped and counted") {
  Harness h(64, {}, 64 * 1024, [](auto& udp, auto&) { udp.allow = {net("127.0.0.2/32")}; });
  send_udp(h.udp_port, "<13>app: outsider", "127.0.0.1");
  REQUIRE(eventually([&] { return h.udp_counter("vigie_events_dropped_total", "not_allowed") == 1; }));
  send_udp(h.udp_port, "<13>app: insider", "127.0.0.2");
  const auto got = h.take(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].data == "<13>app: insider");
  CHECK(h.udp_counter("vigie_events_received_total") == 2);  // received = delivered + dropped
}

TEST_CASE("TCP per-peer cap: one address cannot take every connection") {
  Harness h(64, {}, 64 * 1024, [](auto&, auto& tcp) {
    tcp.max_connections = 4;
    tcp.max_connections_per_peer = 2;
  });
  auto a = h.connect("127.0.0.1");
  auto b = h.connect("127.0.0.1");
  REQUIRE(eventually([&] { return h.tcp_counter("vigie_tcp_connections_total") == 2; }));
  auto c = h.connect("127.0.0.1");
  CHECK(closed_by_server(c));
  CHECK(h.tcp_counter("vigie_tcp_connections_refused_total", "per_peer") == 1);
  auto other = h.connect("127.0.0.2");
  asio::write(other, asio::buffer(std::string("<13>app: another sender\n")));
  const auto got = h.take(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].peer == "127.0.0.2");
  // Closing one of the first address's connections gives its slot back.
  a.close();
  REQUIRE(eventually([&] {
    return h.metrics.gauge("vigie_tcp_connections_active", {{"input", "tcp://127.0.0.1:0"}}) == 2;
  }));
  auto d = h.connect("127.0.0.1");
  asio::write(d, asio::buffer(std::string("<13>app: slot reused\n")));
  CHECK(h.take(1).size() == 1);
  CHECK(h.tcp_counter("vigie_tcp_connections_refused_total", "per_peer") == 1);
}

TEST_CASE("TCP: a client trickling an unfinished message is closed as slow") {
  Harness h(64, {}, 64 * 1024, [](auto&, auto& tcp) {
    tcp.min_rate = 1000;
    tcp.min_rate_window = 200ms;
  });
  auto slow = h.connect();
  asio::write(slow, asio::buffer(std::string("<13>app: begins")));
  bool closed = false;
  asio::error_code ec;
  for (int i = 0; i < 100 && !closed; ++i) {  // one byte every 20 ms: 50 bytes/s
    asio::write(slow, asio::buffer(std::string("x")), ec);
    closed = ec || h.tcp_counter("vigie_tcp_slow_closed_total") == 1;
    std::this_thread::sleep_for(20ms);
  }
  CHECK(closed);
  CHECK(eventually([&] { return h.tcp_counter("vigie_tcp_slow_closed_total") == 1; }));
  // What it had sent is still delivered (and counted), as at any close.
  const auto got = h.take(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].data.starts_with("<13>app: beginsx"));
}

TEST_CASE("TCP: whole messages at a low rate are not slow") {
  Harness h(64, {}, 64 * 1024, [](auto&, auto& tcp) {
    tcp.min_rate = 1000;
    tcp.min_rate_window = 100ms;
  });
  auto s = h.connect();
  for (int i = 0; i < 10; ++i) {
    asio::write(s, asio::buffer(std::string("<13>app: tick\n")));
    std::this_thread::sleep_for(50ms);
  }
  CHECK(h.take(10).size() == 10);
  CHECK(h.tcp_counter("vigie_tcp_slow_closed_total") == 0);
}

TEST_CASE("TCP: bytes without a complete message do not restart the idle timeout") {
  Harness h(64, {}, 64 * 1024, [](auto&, auto& tcp) {
    tcp.idle_timeout = 300ms;
    tcp.min_rate = 0;  // only the idle timeout is under test
  });
  auto s = h.connect();
  bool closed = false;
  asio::error_code ec;
  for (int i = 0; i < 100 && !closed; ++i) {  // a byte every 30 ms, never a line end
    asio::write(s, asio::buffer(std::string("y")), ec);
    closed = ec || h.tcp_counter("vigie_tcp_idle_closed_total") == 1;
    std::this_thread::sleep_for(30ms);
  }
  CHECK(closed);
  CHECK(eventually([&] { return h.tcp_counter("vigie_tcp_idle_closed_total") == 1; }));
}

TEST_CASE("stop: TCP data already in the kernel is read and handed over, not discarded") {
  ServerOptions opts;
  Harness h(1, opts);  // a one-batch queue: the session is paused with data unread in the kernel
  constexpr int kLines = 1000;
  const auto payload = lines(kLines);
  auto s = h.connect();
  asio::write(s, asio::buffer(payload));  // fits in the loopback buffers
  s.shutdown(tcp::socket::shutdown_send);
  REQUIRE(eventually([&] { return h.queue.size() == 1; }));
  h.stop_server();
  const auto got = drain_queue(h.queue, kLines);
  CHECK(got.size() == kLines);
  CHECK(h.tcp_counter("vigie_events_received_total") == kLines);
  CHECK(h.metrics.total("vigie_events_dropped_total") == 0);
  CHECK(eventually([&] {
    return h.metrics.gauge("vigie_tcp_connections_active", {{"input", "tcp://127.0.0.1:0"}}) == 0;
  }));
}

TEST_CASE("stop: what cannot be handed over by the deadline is counted as dropped") {
  ServerOptions opts;
  opts.stop_deadline = 200ms;
  Harness h(1, opts);
  const auto payload = lines(5000);  // more than one read: the rest waits in the kernel
  auto s = h.connect();
  std::thread writer([&] {
    asio::error_code ec;  // the server resets the connection when it gives up
    asio::write(s, asio::buffer(payload), ec);
  });
  REQUIRE(eventually([&] { return h.queue.size() == 1; }));
  h.stop_server();  // nobody consumes: the deadline passes
  REQUIRE(eventually([&] {
    return h.metrics.gauge("vigie_tcp_connections_active", {{"input", "tcp://127.0.0.1:0"}}) == 0;
  }));
  writer.join();
  const auto queued = drain_queue(h.queue, 5000).size();
  const auto dropped = h.tcp_counter("vigie_events_dropped_total", "shutdown");
  CHECK(dropped > 0);
  CHECK(queued + dropped == h.tcp_counter("vigie_events_received_total"));
}

TEST_CASE("stop: UDP datagrams still in the kernel are read once more") {
  Harness h(64, {}, 64 * 1024, {}, /*run=*/false);
  for (int i = 0; i < 10; ++i) send_udp(h.udp_port, "<13>app: late " + std::to_string(i));
  h.server->stop();
  h.work.reset();
  h.io.run();  // returns once the listeners have finished stopping
  const auto got = drain_queue(h.queue, 10);
  CHECK(got.size() == 10);
  CHECK(h.udp_counter("vigie_events_received_total") == 10);
}

TEST_CASE("UDP: datagrams the kernel dropped (receive buffer full) are counted") {
  Harness h(
      1024, {}, 64 * 1024, [](auto& udp, auto&) { udp.receive_buffer = 4096; }, /*run=*/false);
  CHECK(h.metrics.gauge("vigie_udp_receive_buffer_bytes", {{"input", "udp://127.0.0.1:0"}}) > 0);
  constexpr int kSent = 300;
  for (int i = 0; i < kSent; ++i) send_udp(h.udp_port, "<13>app: burst " + std::to_string(i) + std::string(200, 'z'));
  h.thread = std::thread([&] { h.io.run(); });
  REQUIRE(eventually([&] { return h.udp_counter("vigie_events_received_total") > 0; }));
  // The drop count rides on the next datagram the kernel queues.
  send_udp(h.udp_port, "<13>app: after the burst");
  REQUIRE(eventually([&] { return h.udp_counter("vigie_events_dropped_total", "kernel") > 0; }));
  CHECK(eventually([&] {
    return h.udp_counter("vigie_events_received_total") + h.udp_counter("vigie_events_dropped_total", "kernel") ==
           kSent + 1;
  }));
}

TEST_CASE("UDP: a port already bound by another socket is not shared") {
  asio::io_context io;
  udp::socket taken(io, udp::v4());
  taken.set_option(asio::socket_base::reuse_address(true));  // what the old listener did
  taken.bind(udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = taken.local_endpoint().port();
  auto c = std::make_shared<config::Config>();
  const auto url = "udp://127.0.0.1:" + std::to_string(port);
  c->inputs.syslog = {input(config::SyslogInput::Proto::udp, url, "127.0.0.1", port)};
  core::Metrics metrics;
  RawQueue queue(4);
  core::SystemClock clock;
  SyslogServer s(io, c, queue, metrics, clock);
  auto r = s.start();
  REQUIRE_FALSE(r);
  CHECK(r.error().where == url);
  CHECK(r.error().what.find("Address already in use") != std::string::npos);
}

TEST_CASE("open-file limit: raised for the TCP caps, or refused naming them") {
  rlimit saved{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
  config::Config c;
  c.inputs.syslog = {input(config::SyslogInput::Proto::tcp, "tcp://127.0.0.1:0")};
  c.inputs.syslog[0].max_connections = 600;
  SUBCASE("a soft limit below the caps is raised") {
    if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 2000) return;
    rlimit low = saved;
    low.rlim_cur = 512;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    CHECK(check_fd_limit(c));
    rlimit now{};
    getrlimit(RLIMIT_NOFILE, &now);
    CHECK(now.rlim_cur >= 600 + kFdReserve);
  }
  SUBCASE("a cap above the hard limit is refused") {
    if (saved.rlim_max == RLIM_INFINITY) return;
    c.inputs.syslog[0].max_connections = static_cast<std::size_t>(saved.rlim_max) + 1;
    auto r = check_fd_limit(c);
    REQUIRE_FALSE(r);
    CHECK(r.error().what.find("max_connections") != std::string::npos);
    CHECK(r.error().what.find("hard limit " + std::to_string(saved.rlim_max)) != std::string::npos);
  }
  setrlimit(RLIMIT_NOFILE, &saved);
}

TEST_CASE("UDP: a datagram longer than max_message_size is cut and counted (recvmmsg with MSG_TRUNC)") {
  Harness h(64, {}, 480);
  send_udp(h.udp_port, "<13>app: " + std::string(1000, 'w'));
  send_udp(h.udp_port, "<13>app: short");
  const auto got = h.take(2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].data.size() == 480);
  CHECK(got[0].truncated);
  CHECK(got[1].data == "<13>app: short");
  CHECK_FALSE(got[1].truncated);
  CHECK(h.udp_counter("vigie_syslog_truncated_total") == 1);
  CHECK(h.udp_counter("vigie_syslog_bytes_total") == 1009 + 14);
}
