// Feeds that are an index and documents, synchronised by URL into a cache directory whose
// files carry their revision time as modification time, so that a restart knows what it holds
// without a table: CERT-FR (an index, then each document revised since) and MISP (manifest.json,
// then each event whose timestamp grew; events that left the manifest are removed, so they
// expire). Every request goes through fetch_to_file (verification, proxy, size cap, timeout).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "intel/fetch.hpp"
#include "intel/formats.hpp"

namespace vigie::intel {

struct CertfrSync {
  std::vector<std::filesystem::path> fetched;  // documents fetched now, oldest revision first
  std::size_t old = 0;                         // never fetched: last revised before `oldest`
  bool more = false;                           // documents left for the next pass
  bool not_modified = false;                   // the index did not change (and nothing was left)
  Validators validators;                       // of the index
};

// The index at `url` into dir/index.json (conditional unless `more_left`), then each document
// whose revision is newer than its copy in `dir` — or, never fetched, not older than `oldest` —
// at most `max_documents`, oldest revision first. A document that cannot be fetched is counted
// invalid in `report` and tried again next time; the index failing is the error.
[[nodiscard]] tl::expected<CertfrSync, std::string> sync_certfr(const std::string& url,
                                                                const std::filesystem::path& dir,
                                                                const Validators& validators, const FetchOptions& fetch,
                                                                bool more_left, int64_t oldest,
                                                                std::size_t max_documents, ParseReport& report);

struct MispSync {
  std::size_t fetched = 0;    // event files fetched now
  std::size_t removed = 0;    // event files no longer in the manifest
  bool not_modified = false;  // the manifest did not change
  Validators validators;      // of the manifest
};

// A MISP feed at `url` (the directory holding manifest.json) into `dir`: the manifest
// (conditional), then <uuid>.json of every event whose manifest timestamp is newer than its
// copy. An event that cannot be fetched is counted in `failed` and tried again next time (the
// copy it had stays); the manifest failing is the error.
[[nodiscard]] tl::expected<MispSync, std::string> sync_misp(const std::string& url, const std::filesystem::path& dir,
                                                            const Validators& validators, const FetchOptions& fetch,
                                                            std::vector<std::string>& failed);

}  // namespace vigie::intel
