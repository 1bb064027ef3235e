#include "core/metrics.hpp"

#include <doctest/doctest.h>

using vigie::core::Metrics;

TEST_CASE("counters by label, totals and Prometheus text") {
  Metrics m;
  m.counter("vigie_events_dropped_total", {{"reason", "queue_full"}}) += 3;
  m.counter("vigie_events_dropped_total", {{"reason", "too_large"}})++;
  m.counter("vigie_events_dropped_totalx")++;
  CHECK(m.value("vigie_events_dropped_total", {{"reason", "queue_full"}}) == 3);
  CHECK(m.total("vigie_events_dropped_total") == 4);
  const auto text = m.render();
  CHECK(text.find("# TYPE vigie_events_dropped_total counter") != std::string::npos);
  CHECK(text.find("vigie_events_dropped_total{reason=\"queue_full\"} 3") != std::string::npos);
}
