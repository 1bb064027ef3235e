// The listeners with real sockets on 127.0.0.1, port 0, the io_context on its own thread.
#include "server_harness.hpp"

using namespace vigie;
using namespace vigie::ingest;
using namespace vigie::ingest::syslog;
using namespace std::chrono_literals;
using asio::ip::tcp;
using asio::ip::udp;
using namespace vigie_test;

TEST_CASE("local endpoints report the real ports in config order") {
  Harness h;
  const auto eps = h.server->local_endpoints();
  CHECK(eps[0] == "udp://127.0.0.1:" + std::to_string(h.udp_port));
  CHECK(eps[1] == "tcp://127.0.0.1:" + std::to_string(h.tcp_port));
  CHECK(h.udp_port != 0);
  CHECK(h.tcp_port != 0);
}

TEST_CASE("UDP datagrams arrive in the queue, one message each") {
  Harness h;
  send_udp(h.udp_port, "<13>Jul 14 12:00:00 host app: one");
  send_udp(h.udp_port, "<13>Jul 14 12:00:01 host app: two\n");
  const auto got = h.take(2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].data == "<13>Jul 14 12:00:00 host app: one");
  CHECK(got[1].data == "<13>Jul 14 12:00:01 host app: two\n");
  CHECK(got[0].peer == "127.0.0.1");
  CHECK(got[0].peer_port != 0);
  CHECK(h.inputs.at(0) == "udp://127.0.0.1:0");
  CHECK(got[0].received == h.clock.now());
  CHECK(h.metrics.value("vigie_events_received_total", {{"input", "udp://127.0.0.1:0"}}) == 2);
}

TEST_CASE("UDP drops and counts when the queue is full") {
  Harness h(1);
  send_udp(h.udp_port, "<13>first");
  REQUIRE(eventually([&] { return h.queue.size() == 1; }));
  send_udp(h.udp_port, "<13>second");
  const core::Labels dropped = {{"input", "udp://127.0.0.1:0"}, {"reason", "queue_full"}};
  CHECK(eventually([&] { return h.metrics.value("vigie_events_dropped_total", dropped) == 1; }));
  CHECK(h.metrics.value("vigie_events_received_total", {{"input", "udp://127.0.0.1:0"}}) == 2);
  const auto got = h.take(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].data == "<13>first");
}

TEST_CASE("TCP: octet-counted and newline-framed messages, malformed frames counted") {
  Harness h;
  auto s = h.connect();
  // "0 <13>…" is an impossible octet count: counted, and the frame is kept as a line; "12x
  // junk" is a line that starts with digits.
  asio::write(
      s, asio::buffer(std::string("14 <13>app: first<13>app: second\r\n0 <13>app: zero\n12x junk\n<13>app: third\n")));
  const auto got = h.take(5);
  REQUIRE(got.size() == 5);
  CHECK(got[0].data == "<13>app: first");
  CHECK(got[1].data == "<13>app: second");
  CHECK(got[2].data == "0 <13>app: zero");
  CHECK(got[3].data == "12x junk");
  CHECK(got[4].data == "<13>app: third");
  CHECK(got[0].peer == "127.0.0.1");
  CHECK(h.inputs.at(0) == "tcp://127.0.0.1:0");
  CHECK(h.tcp_counter("vigie_syslog_malformed_total", "bad_octet_count") == 1);
  CHECK(h.tcp_counter("vigie_tcp_connections_total") == 1);
  CHECK(h.tcp_counter("vigie_events_received_total") == 5);
}

TEST_CASE("TCP back-pressure: a full queue stops reading, nothing is dropped") {
  Harness h(1);
  constexpr int kLines = 5000;
  std::string payload;
  for (int i = 0; i < kLines; ++i)
    payload += "<13>Jul 14 12:00:00 host app: message number " + std::to_string(i) + " " + std::string(60, 'x') + "\n";
  auto s = h.connect();
  std::thread writer([&] { asio::write(s, asio::buffer(payload)); });

  // Nothing consumed: one batch in the queue, the rest left unread by the server.
  REQUIRE(eventually([&] { return h.queue.size() == 1; }));
  std::this_thread::sleep_for(300ms);
  CHECK(h.queue.size() == 1);
  CHECK(h.tcp_counter("vigie_syslog_bytes_total") < payload.size());
  CHECK(h.metrics.total("vigie_events_dropped_total") == 0);

  // Consuming lets everything through, in order.
  std::vector<RawMessage> got;
  const auto end = std::chrono::steady_clock::now() + 20s;
  while (got.size() < kLines && std::chrono::steady_clock::now() < end)
    if (auto b = h.queue.pop_for(50ms))
      for (auto& m : b->messages) got.push_back(std::move(m));
  writer.join();
  REQUIRE(got.size() == kLines);
  for (int i = 0; i < kLines; i += 997)
    CHECK(got[static_cast<std::size_t>(i)].data.find("number " + std::to_string(i) + " ") != std::string::npos);
  CHECK(h.tcp_counter("vigie_syslog_bytes_total") == payload.size());
  CHECK(h.metrics.total("vigie_events_dropped_total") == 0);
}

TEST_CASE("TCP: a 1 MiB line is truncated to the maximum and counted") {
  Harness h;
  auto s = h.connect();
  asio::write(s, asio::buffer("<13>app: " + std::string(1 << 20, 'a') + "\n<13>app: after\n"));
  const auto got = h.take(2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].data.size() == 64 * 1024);
  CHECK(got[0].truncated);
  CHECK(got[1].data == "<13>app: after");
  CHECK_FALSE(got[1].truncated);
  CHECK(h.tcp_counter("vigie_syslog_truncated_total") == 1);
}

TEST_CASE("TCP: silent clients are closed after the idle timeout, half frames are delivered") {
  Harness h(64, {}, 64 * 1024, [](auto&, auto& tcp) { tcp.idle_timeout = 200ms; });
  auto silent = h.connect();
  auto half = h.connect();
  asio::write(half, asio::buffer(std::string("100 <13>app: only half")));
  half.close();

  const auto got = h.take(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].data == "<13>app: only half");
  CHECK(got[0].truncated);
  CHECK(h.tcp_counter("vigie_syslog_malformed_total", "incomplete_frame") == 1);

  CHECK(closed_by_server(silent));
  CHECK(h.tcp_counter("vigie_tcp_idle_closed_total") == 1);
  CHECK(eventually([&] {
    return h.metrics.gauge("vigie_tcp_connections_active", {{"input", "tcp://127.0.0.1:0"}}) == 0;
  }));

  // The server still works.
  auto after = h.connect();
  asio::write(after, asio::buffer(std::string("<13>app: still here\n")));
  const auto more = h.take(1);
  REQUIRE(more.size() == 1);
  CHECK(more[0].data == "<13>app: still here");
}

TEST_CASE("TCP: connections above the cap are refused and counted") {
  Harness h(64, {}, 64 * 1024, [](auto&, auto& tcp) { tcp.max_connections = 1; });
  auto first = h.connect();
  REQUIRE(eventually([&] { return h.tcp_counter("vigie_tcp_connections_total") == 1; }));
  auto second = h.connect();
  CHECK(closed_by_server(second));
  CHECK(h.tcp_counter("vigie_tcp_connections_refused_total", "limit") == 1);
  asio::write(first, asio::buffer(std::string("<13>app: first is served\n")));
  CHECK(h.take(1).size() == 1);
}

TEST_CASE("start() errors name the listen address") {
  core::Metrics metrics;
  RawQueue queue(4);
  core::SystemClock clock;
  asio::io_context io;
  SUBCASE("tls is not available in this build") {
    auto c = std::make_shared<config::Config>();
    c->inputs.syslog = {input(config::SyslogInput::Proto::tcp, "tcp://127.0.0.1:0"),
                        input(config::SyslogInput::Proto::tls, "tls://127.0.0.1:6514")};
    SyslogServer s(io, c, queue, metrics, clock);
    auto r = s.start();
    REQUIRE_FALSE(r);
    CHECK(r.error().where == "tls://127.0.0.1:6514");
    CHECK(r.error().what == "tls:// inputs are not available in this build");
    CHECK(s.local_endpoints().empty());
  }
  SUBCASE("port already in use") {
    asio::ip::tcp::acceptor taken(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = taken.local_endpoint().port();
    auto c = std::make_shared<config::Config>();
    c->inputs.syslog = {
        input(config::SyslogInput::Proto::tcp, "tcp://127.0.0.1:" + std::to_string(port), "127.0.0.1", port)};
    SyslogServer s(io, c, queue, metrics, clock);
    auto r = s.start();
    REQUIRE_FALSE(r);
    CHECK(r.error().where == "tcp://127.0.0.1:" + std::to_string(port));
    CHECK(r.error().what.find("cannot listen") != std::string::npos);
  }
  SUBCASE("invalid address") {
    auto c = std::make_shared<config::Config>();
    c->inputs.syslog = {input(config::SyslogInput::Proto::udp, "udp://nowhere:514", "nowhere", 514)};
    SyslogServer s(io, c, queue, metrics, clock);
    auto r = s.start();
    REQUIRE_FALSE(r);
    CHECK(r.error().where == "udp://nowhere:514");
  }
}
