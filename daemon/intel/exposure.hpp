// Exposure (daemon/intel/README.md, "Exposure"): the sites where software an advisory names was
// seen in a version it affects — or in a version nobody can tell from a banner (a distribution's
// package, a fix without a version change): those are listed as undetermined rather than
// guessed either way. The relay puts the result in the advisory's mail (AdvisoryRef::exposed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "intel/advisory.hpp"
#include "intel/software.hpp"
#include "store/sqlite.hpp"

namespace vigie::intel {

struct ExposedHost {
  std::string site;
  std::string software;  // "OpenSSH 8.4p1 Debian-5+deb11u3"
  std::string host;
  int64_t last_seen = 0;  // microseconds
  Exposure exposure = Exposure::affected;
  std::string reason;  // why undetermined ("version non déterminée", ...); "" when affected
};

struct ExposureReport {
  std::vector<ExposedHost> hosts;  // affected first, then undetermined; by site, software, host
  std::size_t more = 0;            // beyond the limit
  bool ranges = false;             // the advisory states versions Vigie could read
  bool incomplete = false;         // a product had more inventory rows than were read
};

// What the inventory holds of the software `a` names (its affected systems; for a feed without
// them, its title and summary sentences), at most `limit` hosts.
[[nodiscard]] core::Result<ExposureReport> find_exposed(store::Db& db, const Advisory& a, std::size_t limit = 30);

// The report as AdvisoryRef::exposed lines: "site\tsoftware\thost\tlast seen (Unix s)\treason"
// (reason "" when affected), then "+\tN" when N more were left out ("+\t?" when the
// inventory was not read whole). notify/render.cpp writes
// them in the mail's language.
[[nodiscard]] std::vector<std::string> exposure_lines(const ExposureReport& r);

}  // namespace vigie::intel
