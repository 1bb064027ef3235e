// Matcher slots: one copy of the compiled sets per worker, all giving the same answers.
#include <string>
#include <vector>

#include "helpers.hpp"

using namespace vigie;
using namespace vigie::detect;
using namespace vigie::detect::test;

namespace {

constexpr std::string_view kSlotRules = R"(
decoder: sshd
when: { process.name: sshd }
patterns:
  - regex: 'Failed (?P<method>password|publickey) for (?:invalid user )?(?P<user>\S+) from (?P<ip>\S+) port (?P<port>\d+)'
    fields: { user.name: user, source.ip: ip, event.action: "=ssh_login", event.outcome: "=failure" }
---
title: SSH failed password
id: ssh-failed
level: low
detection: { s: { event.action: ssh_login, event.outcome: failure }, condition: s }
---
title: root user
id: root-user
level: medium
detection: { s: { user.name: root }, condition: s }
---
title: wget download
id: wget
level: low
detection: { s: { message|contains: 'wget http' }, condition: s }
---
title: tor exit range
id: net
level: low
detection: { s: { message|re: '10\.6[0-9]\.\d+\.\d+' }, condition: s }
)";

std::vector<core::Event> samples() {
  return {
      event({{"process.name", "sshd"}, {"message", "Failed password for root from 10.61.2.3 port 22 ssh2"}}),
      event(
          {{"process.name", "sshd"}, {"message", "Failed publickey for invalid user bob from 192.0.2.9 port 4 ssh2"}}),
      event({{"process.name", "bash"}, {"message", "wget http://198.51.100.1/x.sh"}}),
      event({{"process.name", "cron"}, {"message", "nothing to see"}}),
  };
}

}  // namespace

TEST_CASE("matcher_slots 3 gives three slots, each with the same hits") {
  LoadOptions opts;
  opts.matcher_slots = 3;
  const auto rs = load(kSlotRules, opts);
  REQUIRE(rs->slots() == 3);
  CHECK(load(kSlotRules)->slots() == 1);

  core::Metrics metrics;
  std::vector<std::vector<std::vector<uint32_t>>> per_slot(3);
  for (std::size_t slot = 0; slot < 3; ++slot) {
    Matcher m(rs, metrics, slot);
    for (auto e : samples()) {
      std::vector<uint32_t> hits;
      m.process(e, hits);
      per_slot[slot].push_back(hits);
    }
  }
  // Not vacuous: the events hit what they should on slot 0 ...
  const auto id = [&](uint32_t i) { return rs->rule(i).id; };
  REQUIRE(per_slot[0].size() == 4);
  REQUIRE(per_slot[0][0].size() == 3);  // ssh-failed, root-user, net
  CHECK(id(per_slot[0][0][0]) == "ssh-failed");
  REQUIRE(per_slot[0][1].size() == 1);
  CHECK(id(per_slot[0][1][0]) == "ssh-failed");
  REQUIRE(per_slot[0][2].size() == 1);
  CHECK(id(per_slot[0][2][0]) == "wget");
  CHECK(per_slot[0][3].empty());
  // ... and the same on the copies.
  CHECK(per_slot[1] == per_slot[0]);
  CHECK(per_slot[2] == per_slot[0]);
}
