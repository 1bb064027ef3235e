// Files into raw batches (`vigie replay`, the spool): one function that reads a log file or a
// capture and hands its batches to a sink, so that every file reaches the workers the same way
// whoever found it. A capture (pcap or pcapng, told by its magic number) becomes packets
// batches routed by flow (pcap/capture.hpp); anything else is syslog lines, one per line
// (line_reader.hpp: no copy per line, long lines cut at max_message_size and counted).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/metrics.hpp"
#include "core/time.hpp"
#include "ingest/raw.hpp"

namespace vigie::ingest {

// The first bytes of a file are a pcap or pcapng magic number.
[[nodiscard]] bool looks_like_capture(std::string_view head);

struct FileInput {
  std::string input;  // RawBatch::input, the metrics label: "file:/path", "spool:ch-quimper"
  std::string site;   // RawBatch::site ("" = from the addresses)
  std::size_t max_message_size = 64 * 1024;
  std::size_t lanes = 1;                      // the queue's (captures are routed by flow over them)
  core::TimePoint received{};                 // reception time of every line
  std::function<void(std::size_t)> progress;  // lines so far, now and then (may be empty)
};

struct FileRead {
  std::size_t records = 0;  // lines or frames handed over, also when an error stopped the read
  bool capture = false;
  bool stopped = false;              // the sink asked to stop before the end
  std::optional<core::Error> error;  // names the file; what was read before it was handed over
};

// Hands every batch of `file` to `sink`, in order; a sink returning false stops the handing
// (the rest is not read). Batches are never empty.
[[nodiscard]] FileRead read_file(const std::filesystem::path& file, const FileInput& in,
                                 const std::function<bool(RawBatch&&)>& sink, core::Metrics& metrics);

}  // namespace vigie::ingest
