#include "ingest/syslog/framer.hpp"

#include <algorithm>

namespace vigie::ingest::syslog {

void TcpFramer::feed(std::string_view in, std::vector<Frame>& out) {
  while (!in.empty()) {
    std::size_t used = 0;
    switch (state_) {
      case State::start:
        used = on_start(in);
        break;
      case State::length:
        used = on_length(in);
        break;
      case State::length_sp:
        used = on_length_sp(in);
        break;
      case State::octets:
        used = on_octets(in, out);
        break;
      case State::line:
        used = on_line(in, out);
        break;
    }
    in.remove_prefix(used);
  }
}

std::size_t TcpFramer::on_start(std::string_view in) {
  const char c = in.front();
  // Bare terminators between frames (e.g. octet-counted frames followed by LF) are empty frames.
  if (c == '\n' || c == '\r' || c == '\0') return 1;
  buf_.clear();
  truncated_ = false;
  if (c >= '0' && c <= '9') {
    state_ = State::length;
    length_ = 0;
    digits_ = 0;
  } else {
    state_ = State::line;
  }
  return 0;
}

// Digits are kept in buf_ as they are read: if the frame turns out to be a line, nothing is lost.
std::size_t TcpFramer::on_length(std::string_view in) {
  std::size_t i = 0;
  for (; i < in.size(); ++i) {
    const char c = in[i];
    if (c >= '0' && c <= '9') {
      if (length_ <= kMaxOctetCount) length_ = length_ * 10 + static_cast<uint64_t>(c - '0');
      ++digits_;
      continue;
    }
    append(in.substr(0, i));
    if (c == ' ') {
      append(" ");
      state_ = State::length_sp;
      return i + 1;
    }
    state_ = State::line;  // "12x", "2024-11-22T…": a line that starts with digits
    return i;
  }
  append(in);
  return i;
}

// After "LEN SP": octet-counted only if the message starts with its PRI.
std::size_t TcpFramer::on_length_sp(std::string_view in) {
  if (in.front() != '<') {
    state_ = State::line;
    return 0;
  }
  if (length_ == 0 || digits_ > 10 || length_ > kMaxOctetCount) {
    ++counts_.bad_octet_count;
    state_ = State::line;
    return 0;
  }
  buf_.clear();
  truncated_ = false;
  state_ = State::octets;
  return 0;
}

std::size_t TcpFramer::on_octets(std::string_view in, std::vector<Frame>& out) {
  const auto n = static_cast<std::size_t>(std::min<uint64_t>(length_, in.size()));
  append(in.substr(0, n));
  length_ -= n;
  if (length_ == 0) emit(out);
  return n;
}

std::size_t TcpFramer::on_line(std::string_view in, std::vector<Frame>& out) {
  const auto end = std::find_if(in.begin(), in.end(), [](char c) { return c == '\n' || c == '\0'; });
  const auto n = static_cast<std::size_t>(end - in.begin());
  append(in.substr(0, n));
  if (end == in.end()) return n;
  if (!truncated_ && !buf_.empty() && buf_.back() == '\r') buf_.pop_back();
  emit(out);
  return n + 1;
}

void TcpFramer::append(std::string_view chunk) {
  const std::size_t room = max_ - std::min(max_, buf_.size());
  if (chunk.size() > room) {
    truncated_ = true;
    chunk = chunk.substr(0, room);
  }
  buf_.append(chunk);
}

void TcpFramer::emit(std::vector<Frame>& out) {
  if (truncated_) ++counts_.truncated;
  out.push_back(Frame{std::move(buf_), truncated_});
  buf_ = std::string();
  truncated_ = false;
  state_ = State::start;
}

void TcpFramer::finish(std::vector<Frame>& out) {
  switch (state_) {
    case State::octets:
      ++counts_.incomplete_frame;
      if (truncated_) ++counts_.truncated;
      out.push_back(Frame{std::move(buf_), true});
      buf_ = std::string();
      break;
    case State::length_sp:
      // "LEN SP" and nothing after it: an octet-counted frame cut before its first byte.
      ++counts_.incomplete_frame;
      buf_.clear();
      break;
    case State::length:  // only digits: a last line without LF, like any other
    case State::line:
      // A last line without its LF is how many senders end a connection: not an error.
      if (!truncated_ && !buf_.empty() && buf_.back() == '\r') buf_.pop_back();
      if (!buf_.empty() || truncated_) emit(out);
      break;
    case State::start:
      break;
  }
  state_ = State::start;
  truncated_ = false;
}

FramerCounts TcpFramer::take_counts() {
  const FramerCounts c = counts_;
  counts_ = FramerCounts{};
  return c;
}

}  // namespace vigie::ingest::syslog
