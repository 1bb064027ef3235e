// Advisory: one security advisory or alert as a CERT published it (CERT-FR `avis`/`alerte`, a
// CERT Santé RSS/Atom item), the unit the advisory formats produce (advisory_formats.hpp) and the
// relay mails to the regional list (relay.hpp, DESIGN.md §6–§8).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigie::intel {

struct AffectedSystem {
  std::string vendor;       // "Fortinet"; may be empty
  std::string product;      // "FortiOS"; may be empty
  std::string description;  // "FortiOS versions 7.2.x antérieures à 7.2.11"; may be empty
  friend bool operator==(const AffectedSystem&, const AffectedSystem&) = default;
};

struct AdvisoryLink {
  std::string title;  // "Bulletin de sécurité Fortinet FG-IR-24-535"; may be empty
  std::string url;
  int64_t published = 0;  // Unix seconds, 0 when undated
  friend bool operator==(const AdvisoryLink&, const AdvisoryLink&) = default;
};

struct AdvisoryRevision {
  int64_t date = 0;  // Unix seconds, UTC
  std::string description;
  friend bool operator==(const AdvisoryRevision&, const AdvisoryRevision&) = default;
};

struct Advisory {
  std::string feed;        // name of the feed that supplied it
  std::string reference;   // "CERTFR-2026-AVI-0194", an RSS guid, else its link: unique within the feed
  bool alert = false;      // a CERT-FR `alerte` (ALE) or a CERT's alert feed item, not a plain `avis`
  std::string title;       // "[MàJ] " prefixes removed (see `update`)
  std::string summary;     // plain text: HTML tags removed, entities decoded, blanks collapsed
  std::string solution;    // plain text (CERT-FR `content`: "## Solutions ..."), may be empty
  std::string link;        // the advisory's web page
  int64_t published = 0;   // first publication, Unix seconds UTC (CERT-FR first revision, RSS pubDate)
  int64_t revised = 0;     // last revision (CERT-FR last revision_date, Atom updated), >= published
  int64_t closed = 0;      // CERT-FR `closed_at`, 0 while open
  bool update = false;     // the feed marks it as an update ("[MàJ]", "Mise à jour", more than one revision)
  bool exploited = false;  // the text says exploitation is active ("exploitation active", "activement exploitée")
  std::vector<std::string> cves;   // "CVE-2026-24858", upper case, sorted, unique
  std::vector<std::string> risks;  // "Exécution de code arbitraire à distance", ...
  std::vector<AffectedSystem> affected;
  std::vector<AdvisoryLink> vendor_advisories;  // the vendors' bulletins (fixes)
  std::vector<AdvisoryRevision> revisions;      // oldest first
  friend bool operator==(const Advisory&, const Advisory&) = default;
};

}  // namespace vigie::intel
