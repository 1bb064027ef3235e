// The events of PacketDecoder (packet_decoder.hpp): ECS names, values copied into the batch's
// arena (dissectors' results view buffers that do not outlive the packet).
#include <cstdio>
#include <string>

#include "core/net.hpp"
#include "ingest/pcap/packet_decoder.hpp"

namespace vigie::ingest::pcap {
namespace {

core::TimePoint at(int64_t ns) { return core::TimePoint(core::Duration(ns / 1000)); }

core::IpAddress ip_of(const std::array<uint8_t, 16>& b, bool v4) {
  core::IpAddress ip;
  ip.bytes = b;
  ip.v4 = v4;
  return ip;
}

std::string_view transport_name(uint8_t proto) {
  switch (proto) {
    case kTcp:
      return "tcp";
    case kUdp:
      return "udp";
    case kIcmp:
      return "icmp";
    case kIcmp6:
      return "ipv6-icmp";
    default:
      return "";
  }
}

// Zeek's conn_state, from the TCP flags each side sent (Zeek's conn.log documentation): S0 no
// reply, REJ refused, S1 established and still open, SF closed normally, RSTO/RSTR reset by
// the originator/responder, SH/SHR a FIN from one side with no handshake; OTH anything else.
// UDP and ICMP: SF when both sides spoke, S0 when only the originator did.
std::string_view conn_state(const Flow& f) {
  if (f.proto != kTcp) return f.packets[1] > 0 ? "SF" : "S0";
  const uint8_t o = f.flags[0], r = f.flags[1];
  const bool syn = (o & kSyn) != 0, synack = (r & (kSyn | kAck)) == (kSyn | kAck);
  if (syn && f.packets[1] == 0) return "S0";
  if (syn && (r & kRst) != 0 && !synack) return "REJ";
  if (syn && synack) {
    if ((o & kRst) != 0) return "RSTO";
    if ((r & kRst) != 0) return "RSTR";
    if ((o & kFin) != 0 && (r & kFin) != 0) return "SF";
    return "S1";
  }
  if (syn && (o & kFin) != 0) return "SH";
  if (!syn && (r & kSyn) != 0 && (r & kFin) != 0) return "SHR";
  return "OTH";
}

}  // namespace

core::Event& PacketDecoder::begin(int64_t ts, const Flow& f, int dir, std::string_view dataset) {
  core::Event& e = batch_->add();
  e.time = at(ts);
  // A file's frames were received when it was read (serve's clocks run on reception: an old
  // capture must not move them back, nor one stamped in the future forward); a live frame when
  // it was captured.
  e.ingested = received_ != core::TimePoint{} ? received_ : e.time;
  const auto& src = dir == 0 ? f.orig : f.resp;
  const auto& dst = dir == 0 ? f.resp : f.orig;
  e.set_copy(core::Field::source_ip, ip_of(src, f.v4).to_string());
  e.set_copy(core::Field::destination_ip, ip_of(dst, f.v4).to_string());
  e.set_copy(core::Field::source_port, std::to_string(dir == 0 ? f.orig_port : f.resp_port));
  e.set_copy(core::Field::destination_port, std::to_string(dir == 0 ? f.resp_port : f.orig_port));
  e.set(core::Field::transport, transport_name(f.proto));
  e.set("event.module", "pcap");
  e.set("event.dataset", dataset);
  // The site: the input's, else the one whose networks hold the originator, else the responder's.
  // An input that knows the site (a spool sub-directory) says so first.
  const config::Site* site = input_site_;
  if (site == nullptr) site = cfg_->site_for(ip_of(f.orig, f.v4));
  if (site == nullptr) site = cfg_->site_for(ip_of(f.resp, f.v4));
  if (site != nullptr && !site->id.empty()) e.set_copy(core::Field::site, site->id);
  return e;
}

void PacketDecoder::dns_event(const dissect::DnsMessage& m, const Flow& f, int dir, int64_t ts) {
  core::Event& e = begin(ts, f, dir, "pcap.dns");
  e.set("network.protocol", "dns");
  e.set("dns.type", m.response ? "answer" : "query");
  e.set_copy("dns.id", std::to_string(m.id));
  std::string message = m.response ? "dns answer" : "dns query";
  if (!m.questions.empty()) {
    const auto& q = m.questions.front();
    e.set_copy(core::Field::dns_question, q.name);
    const std::string_view type = dissect::dns_type_name(q.type);
    e.set_copy("dns.question.type", type.empty() ? std::to_string(q.type) : std::string(type));
    message.append(" ").append(q.name);
    if (!type.empty()) message.append(" ").append(type);
  }
  if (m.response) {
    const std::string_view rcode = dissect::dns_rcode_name(m.rcode);
    e.set("dns.response_code", rcode);
    message.append(" ").append(rcode);
    std::string answers, resolved;
    for (const auto& a : m.answers) {
      if (a.data.empty()) continue;
      (answers.empty() ? answers : answers.append(",")).append(a.data);
      if (a.type == 1 || a.type == 28) (resolved.empty() ? resolved : resolved.append(",")).append(a.data);
    }
    if (!answers.empty()) {
      e.set_copy("dns.answers.data", answers);
      message.append(" ").append(answers);
    }
    if (!resolved.empty()) e.set_copy("dns.resolved_ip", resolved);
  }
  e.set_copy(core::Field::message, message);
}

void PacketDecoder::tls_event(const dissect::TlsHello& h, const Flow& f, int dir, int64_t ts) {
  core::Event& e = begin(ts, f, dir, "pcap.tls");
  e.set("network.protocol", "tls");
  const std::string_view version = dissect::tls_version_name(h.version);
  if (!version.empty()) e.set("tls.version", version);
  std::string message = h.client ? "tls client hello" : "tls server hello";
  if (h.client) {
    if (!h.sni.empty()) {
      e.set_copy(core::Field::tls_sni, h.sni);
      message.append(" ").append(h.sni);
    }
    std::string alpn;
    for (const auto& a : h.alpn) (alpn.empty() ? alpn : alpn.append(",")).append(a);
    if (!alpn.empty()) e.set_copy("tls.client.alpn", alpn);
    if (!h.ja3_hash.empty()) e.set_copy("tls.client.ja3", h.ja3_hash);
    if (!h.ja4.empty()) e.set_copy("tls.client.ja4", h.ja4);
  } else {
    // ECS tls.cipher: the IANA name, else the code point.
    char code[8];
    std::snprintf(code, sizeof code, "0x%04x", h.cipher);
    const std::string_view named = dissect::tls_cipher_name(h.cipher);
    const std::string_view cipher = named.empty() ? std::string_view(code) : named;
    e.set_copy("tls.cipher", cipher);
    if (!h.ja3_hash.empty()) e.set_copy("tls.server.ja3s", h.ja3_hash);
    if (!h.cert_subject.empty()) e.set_copy("tls.server.subject", h.cert_subject);
    if (!h.cert_issuer.empty()) e.set_copy("tls.server.issuer", h.cert_issuer);
    message.append(" ").append(cipher);
  }
  if (!version.empty()) message.append(" ").append(version);
  e.set_copy(core::Field::message, message);
}

void PacketDecoder::ssh_event(std::string_view banner, std::string_view software, const Flow& f, int dir, int64_t ts) {
  core::Event& e = begin(ts, f, dir, "pcap.ssh");
  e.set("network.protocol", "ssh");
  // The originator is the client (RFC 4253: both sides send an identification string).
  if (dir == 0)
    e.set_copy(core::Field::ssh_version, banner);
  else
    e.set_copy("ssh.server.version", banner);
  if (!software.empty()) e.set_copy(dir == 0 ? "ssh.client.software" : "ssh.server.software", software);
  e.set_copy(core::Field::message, std::string(dir == 0 ? "ssh client " : "ssh server ").append(banner));
}

void PacketDecoder::http_request_event(const dissect::HttpRequest& r, const Flow& f, int dir, int64_t ts) {
  core::Event& e = begin(ts, f, dir, "pcap.http");
  e.set("network.protocol", "http");
  e.set_copy(core::Field::http_method, r.method);
  std::string_view host = r.host;
  // The host without its port (an IPv6 literal keeps its brackets off).
  if (!host.empty() && host.front() == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (!host.empty()) e.set_copy(core::Field::url_domain, host);
  // url.original: absolute, so that URL indicators match it (the request line's absolute form
  // as it is, else http:// + Host + the path).
  std::string url;
  if (r.uri.find("://") != std::string_view::npos)
    url = r.uri;
  else if (!r.host.empty())
    url.append("http://").append(r.host).append(r.uri);
  else
    url = r.uri;
  e.set_copy(core::Field::url_original, url);
  if (!r.uri.empty()) e.set_copy("url.path", r.uri.substr(0, r.uri.find('?')));
  if (!r.user_agent.empty()) e.set_copy(core::Field::user_agent, r.user_agent);
  if (!r.referrer.empty()) e.set_copy("http.request.referrer", r.referrer);
  if (!r.version.empty()) e.set_copy("http.version", r.version);
  e.set_copy(core::Field::message, std::string("http request ").append(r.method).append(" ").append(url));
}

void PacketDecoder::http_response_event(const dissect::HttpResponse& r, const Flow& f, int dir, int64_t ts) {
  core::Event& e = begin(ts, f, dir, "pcap.http");
  e.set("network.protocol", "http");
  e.set_copy("http.response.status_code", std::to_string(r.status));
  if (!r.server.empty()) e.set_copy("http.response.server", r.server);
  if (!r.content_type.empty()) e.set_copy("http.response.mime_type", r.content_type);
  std::string message = "http response " + std::to_string(r.status);
  if (!r.server.empty()) message.append(" ").append(r.server);
  e.set_copy(core::Field::message, message);
}

void PacketDecoder::flow_event(const Flow& f, const char* why) {
  core::Event& e = begin(f.last_ns, f, 0, "pcap.flow");
  e.set("event.category", "network");
  e.set("event.type", "connection");
  e.set("event.action", "flow");
  e.set("event.reason", why);
  const std::string_view app = app_name(f.app);
  if (!app.empty()) e.set("network.protocol", app);
  e.set_copy("event.start", core::format_rfc3339(at(f.first_ns)));
  e.set_copy("event.end", core::format_rfc3339(at(f.last_ns)));
  e.set_copy("event.duration", std::to_string(f.last_ns - f.first_ns));
  e.set_copy("source.bytes", std::to_string(f.bytes[0]));
  e.set_copy("source.packets", std::to_string(f.packets[0]));
  e.set_copy("destination.bytes", std::to_string(f.bytes[1]));
  e.set_copy("destination.packets", std::to_string(f.packets[1]));
  e.set_copy("network.bytes", std::to_string(f.bytes[0] + f.bytes[1]));
  e.set_copy("network.packets", std::to_string(f.packets[0] + f.packets[1]));
  const std::string_view state = conn_state(f);
  e.set("network.connection.state", state);
  std::string message = "flow ";
  message.append(transport_name(f.proto))
      .append(" ")
      .append(e.value(core::Field::source_ip))
      .append(":")
      .append(e.value(core::Field::source_port))
      .append(" -> ")
      .append(e.value(core::Field::destination_ip))
      .append(":")
      .append(e.value(core::Field::destination_port))
      .append(" ")
      .append(state);
  e.set_copy(core::Field::message, message);
}

void PacketDecoder::syslog_event(std::string_view data, const Flow& f, int dir, int64_t ts, bool copy) {
  core::Event& e = batch_->add();
  if (copy) data = e.arena().copy(data);
  const std::string peer = ip_of(dir == 0 ? f.orig : f.resp, f.v4).to_string();
  parser_.parse_into(data, peer, received_ != core::TimePoint{} ? received_ : at(ts), batch_->raw.input, e);
}

void PacketDecoder::dissect_http(Flow& f, int dir, int64_t ts) {
  // Requests one after the other on a kept-alive connection: each one's header, then its body
  // passed over unbuffered (Stream::skip). A body of unknown length ends the dissection.
  Stream& s = f.streams[dir];
  while (!s.done && !s.buffer.empty()) {
    uint64_t next = 0;  // where the next message starts; 0: unknown (chunked, or to the close)
    dissect::Result r{};
    if (dir == 0) {
      dissect::HttpRequest req;
      r = dissect::parse_http_request(s.buffer, req);
      if (r == dissect::Result::ok) {
        http_request_event(req, f, dir, ts);
        f.http_head = req.method == "HEAD";
        next = dissect::next_request_offset(req);
      }
    } else {
      dissect::HttpResponse resp;
      r = dissect::parse_http_response(s.buffer, resp);
      if (r == dissect::Result::ok) {
        http_response_event(resp, f, dir, ts);
        next = dissect::next_response_offset(resp, f.http_head);
      }
    }
    if (r == dissect::Result::need_more) return;
    if (r != dissect::Result::ok || next == 0) {
      if (r != dissect::Result::ok) ++counts_.dissect_errors[static_cast<std::size_t>(App::http)];
      table_->finish_stream(f, dir);
      return;
    }
    if (next <= s.buffer.size()) {
      table_->consume(f, dir, static_cast<std::size_t>(next));
    } else {
      s.skip = next - s.buffer.size();
      table_->consume(f, dir, s.buffer.size());
    }
  }
}

}  // namespace vigie::ingest::pcap
