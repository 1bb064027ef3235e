// RFC 5424 §6: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]
#include "ingest/syslog/header.hpp"

namespace vigie::ingest::syslog {
namespace {

// Next SP-delimited token; "-" (NILVALUE) reads as empty. False if no SP follows and
// `need_sp` (every header field but the last is followed by one).
bool token(std::string_view& s, std::string_view& out, bool need_sp = true) {
  const auto sp = s.find(' ');
  if (sp == std::string_view::npos && need_sp) return false;
  out = s.substr(0, sp);
  s.remove_prefix(sp == std::string_view::npos ? s.size() : sp + 1);
  if (out.empty()) return false;
  if (out == "-") out = {};
  return true;
}

// One or more "[id param="value" ...]"; false (and `s` untouched) on any syntax error.
bool structured_data(std::string_view& s, std::vector<SdParam>& out, bool& truncated) {
  std::string_view in = s;
  std::vector<SdParam> params;
  if (in.empty() || in.front() != '[') return false;
  while (!in.empty() && in.front() == '[') {
    in.remove_prefix(1);
    const auto id_end = in.find_first_of(" ]");
    if (id_end == 0 || id_end == std::string_view::npos) return false;
    const auto id = in.substr(0, id_end);
    in.remove_prefix(id_end);
    while (!in.empty() && in.front() == ' ') {
      in.remove_prefix(1);
      const auto eq = in.find('=');
      if (eq == 0 || eq == std::string_view::npos || eq + 1 >= in.size() || in[eq + 1] != '"') return false;
      SdParam p{id, in.substr(0, eq), {}};
      if (p.name.find_first_of(" ]\"") != std::string_view::npos) return false;
      std::size_t i = eq + 2;
      for (; i < in.size() && in[i] != '"'; ++i) {
        if (in[i] == '\\' && i + 1 < in.size() && (in[i + 1] == '"' || in[i + 1] == '\\' || in[i + 1] == ']')) ++i;
        p.value.push_back(in[i]);
      }
      if (i >= in.size()) return false;
      in.remove_prefix(i + 1);
      // Read to the end either way (the syntax decides where MSG starts), keep at most the cap.
      if (params.size() < kMaxSdParams) params.push_back(std::move(p));
      else truncated = true;
    }
    if (in.empty() || in.front() != ']') return false;
    in.remove_prefix(1);
  }
  s = in;
  for (auto& p : params) out.push_back(std::move(p));
  return true;
}

}  // namespace

void parse_rfc5424(std::string_view rest, SyslogHeader& h) {
  h.format = Format::rfc5424;
  std::string_view s = rest;
  std::string_view version, ts;
  // Whatever cannot be read is kept whole in msg, so nothing the sender wrote is lost.
  const auto broken = [&] {
    h.malformed = true;
    h.msg = s;
  };
  if (!token(s, version) || !token(s, ts)) return broken();
  if (!ts.empty()) {
    if (auto t = core::parse_rfc3339(ts))
      h.time = t;
    else if (auto l = parse_iso_local(ts))
      h.local = l;
    else
      h.malformed = true;
  }
  if (!token(s, h.hostname) || !token(s, h.app_name) || !token(s, h.proc_id)) return broken();
  if (!token(s, h.msg_id, false)) return broken();
  if (s.empty()) return broken();
  if (s.front() == '-') {
    s.remove_prefix(1);
  } else if (!structured_data(s, h.sd, h.sd_truncated)) {
    return broken();
  }
  if (!s.empty()) {
    if (s.front() != ' ') return broken();
    s.remove_prefix(1);
  }
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);  // BOM announcing UTF-8
  // Relays that re-encode an RFC 3164 message (rsyslog's %msg%, used by its
  // RSYSLOG_SyslogProtocol23Format) keep the space that followed "tag:": drop that one space so
  // a relayed message reads exactly as the same message received directly (anchored decoders).
  if (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  h.msg = s;
}

}  // namespace vigie::ingest::syslog
