#include "ingest/file_input.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "ingest/line_reader.hpp"
#include "ingest/pcap/capture.hpp"

namespace vigie::ingest {
namespace {

constexpr std::size_t kBatchLines = 512;

}  // namespace

bool looks_like_capture(std::string_view head) {
  if (head.size() < 4) return false;
  const auto b = [&](std::size_t i) { return uint32_t{static_cast<unsigned char>(head[i])}; };
  const uint32_t magic = (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
  return magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d || magic == 0x4d3cb2a1 ||
         magic == 0x0a0d0d0a;
}

FileRead read_file(const std::filesystem::path& file, const FileInput& in, const std::function<bool(RawBatch&&)>& sink,
                   core::Metrics& metrics) {
  FileRead out;
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.error = core::Error{file.string(), "cannot open: " + std::string(std::strerror(errno))};
    return out;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

  BatchPacker packer(in.input, kBatchLines, in.received);
  std::size_t truncated = 0;
  bool stopped = false;
  const auto hand = [&](RawBatch&& b) {
    b.site = in.site;
    if (!stopped) stopped = !sink(std::move(b));
  };
  FileLines lines(fd, in.max_message_size);
  auto r = lines.run(
      [&](std::string_view head) {
        out.capture = looks_like_capture(head);
        return !out.capture;
      },
      // A sink that asked to stop gets nothing more; the lines are still split (FileLines has
      // no way out), which costs a read of the rest, not its processing.
      [&](std::string_view line, bool cut, const SharedBlock* owner) {
        if (stopped) return;
        if (cut) ++truncated;
        if (packer.add(line, cut, owner)) hand(packer.take());
        ++out.records;
        if (in.progress && (out.records & 0xffff) == 0) in.progress(out.records);
      });
  if (out.capture) {
    // A capture: frames through the same queue, as packets batches routed by flow.
    auto read = pcap::read_capture_file(file, in.input, in.site, in.received, in.lanes, sink);
    out.records = read.packets;
    out.stopped = read.stopped;
    out.error = std::move(read.error);
    if (!out.error)
      spdlog::info("{}: {} frame(s) of link type {}, {} bytes captured", file.string(), read.packets, read.linktype,
                   read.bytes);
    return out;
  }
  if (truncated > 0) {
    metrics.counter("vigie_syslog_truncated_total", {{"input", in.input}}).fetch_add(truncated);
    spdlog::warn("{}: {} line(s) longer than inputs.max_message_size, truncated to {} bytes", file.string(), truncated,
                 in.max_message_size);
  }
  // What was read before an error is still handed over (and counted).
  if (!packer.empty()) hand(packer.take());
  out.stopped = stopped;
  if (!r) out.error = core::Error{file.string(), r.error().what};
  return out;
}

}  // namespace vigie::ingest
