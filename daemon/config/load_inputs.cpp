// inputs: and sites: sections, plus the path and time-zone checks shared by all sections.
#include <pcap/pcap.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <system_error>
#include <tuple>

#include "config/load.hpp"
#include "config/syntax.hpp"
#include "core/timezone.hpp"

namespace vigie::config::detail {

namespace fs = std::filesystem;

std::optional<fs::path> read_path(const Value& v, const LoadContext& ctx) {
  auto s = v.string();
  if (!s) return std::nullopt;
  if (s->empty()) {
    v.error("empty path");
    return std::nullopt;
  }
  return ctx.resolve(*s);
}

std::optional<fs::path> read_readable_file(const Value& v, const LoadContext& ctx) {
  auto p = read_path(v, ctx);
  if (!p) return std::nullopt;
  std::error_code ec;
  const auto st = fs::status(*p, ec);
  if (ec || !fs::exists(st)) {
    v.error("no such file: " + p->string());
  } else if (!fs::is_regular_file(st)) {
    v.error("not a regular file: " + p->string());
  } else if (std::ifstream f(*p); !f) {
    v.error("cannot read " + p->string() + " (permissions?)");
  }
  // The path is kept either way: a later error should not hide this field's value.
  return p;
}

std::optional<std::string> time_zone_problem(std::string_view name) {
  if (name == "UTC") return std::nullopt;
  auto zone = core::TimeZone::load(name);
  if (zone) return std::nullopt;
  // core's reason starts with the same words when the file is missing; keep one copy of them.
  constexpr std::string_view kUnknown = "unknown time zone";
  std::string_view why = zone.error().what;
  if (why.starts_with(kUnknown))
    why.remove_prefix(kUnknown.size());
  else
    why = zone.error().what;
  std::string out = "unknown time zone '" + std::string(name) + "'";
  if (why.empty()) return out;
  return out + (why.front() == ' ' ? std::string(why) : " (" + std::string(why) + ")");
}

namespace {

using Proto = SyslogInput::Proto;

const char* proto_name(Proto p) { return p == Proto::udp ? "udp" : p == Proto::tcp ? "tcp" : "tls"; }

// The network with its host bits cleared: "10.29.1.0/16" → "10.29.0.0/16".
core::Cidr masked(core::Cidr c) {
  int bits = c.prefix + (c.network.v4 ? 96 : 0);
  for (auto& byte : c.network.bytes) {
    if (bits >= 8) {
      bits -= 8;
      continue;
    }
    byte = static_cast<uint8_t>(byte & (bits > 0 ? 0xff << (8 - bits) : 0));
    bits = 0;
  }
  return c;
}

// A network as written in `networks` or `allow`: a CIDR (or bare address) without host bits.
std::optional<core::Cidr> read_network(const Value& item) {
  auto text = item.string();
  if (!text) return std::nullopt;
  auto cidr = core::Cidr::parse(*text);
  if (!cidr) {
    item.error("'" + *text + "' is not an IP network (e.g. 10.29.0.0/16, 2001:db8::/32)");
    return std::nullopt;
  }
  const core::Cidr net = masked(*cidr);
  if (!(net.network == cidr->network)) {
    item.error("'" + *text + "' has host bits set; the network is " + net.to_string());
    return std::nullopt;
  }
  return net;
}

void load_allow(const Value& v, SyslogInput& in) {
  auto items = v.sequence();
  if (!items) return;
  if (items->empty()) {
    v.error("an empty list would refuse every sender; remove the key to accept all");
    return;
  }
  for (const auto& item : *items)
    if (auto net = read_network(item)) in.allow.push_back(*net);
}

void load_receive_buffer(const Value& v, SyslogInput& in) {
  auto s = v.string();
  if (!s) return;
  auto n = parse_size(*s);
  if (!n) {
    v.error("invalid size '" + *s + "' (bytes, or with a suffix: 4MiB)");
  } else if (*n < 4096 || *n > (std::size_t{1} << 30)) {
    v.error("must be between 4KiB and 1GiB, found " + *s);
  } else {
    in.receive_buffer = *n;
  }
}

// The bounds of a TCP listener (ingest/README.md, "TCP session").
void load_tcp_bounds(const Map& m, SyslogInput& in) {
  if (auto v = m.get("max_connections"))
    if (auto n = v->integer(1, 1'000'000)) in.max_connections = static_cast<std::size_t>(*n);
  if (auto v = m.get("max_connections_per_peer"))
    if (auto n = v->integer(1, 1'000'000)) in.max_connections_per_peer = static_cast<std::size_t>(*n);
  if (auto v = m.get("idle_timeout"))
    if (auto d = v->duration(false)) in.idle_timeout = *d;
  if (auto v = m.get("min_rate"))
    if (auto n = v->integer(0, 1'000'000'000)) in.min_rate = static_cast<std::size_t>(*n);
  if (auto v = m.get("min_rate_window"))
    if (auto d = v->duration(false)) in.min_rate_window = *d;
}

constexpr std::string_view kTcpKeys[] = {"max_connections", "max_connections_per_peer", "idle_timeout", "min_rate",
                                         "min_rate_window"};
constexpr std::string_view kTlsKeys[] = {"cert", "key", "client_ca", "require_client_cert"};

std::optional<SyslogInput> load_syslog_input(const Value& item) {
  auto m = item.map({"listen", "allow", "max_connections", "max_connections_per_peer", "idle_timeout", "min_rate",
                     "min_rate_window", "receive_buffer", "cert", "key", "client_ca", "require_client_cert"});
  if (!m) return std::nullopt;
  SyslogInput in;
  auto listen = m->get("listen");
  if (!listen) {
    item.error("missing required key 'listen' (e.g. listen: \"udp://0.0.0.0:514\")");
    return std::nullopt;
  }
  auto url = listen->string();
  if (!url) return std::nullopt;
  in.listen = *url;
  auto addr = parse_listen(*url);
  if (!addr) {
    listen->error(addr.error().what);
    return std::nullopt;
  }
  in.proto = addr->proto;
  in.address = addr->address;
  in.port = addr->port;

  // TLS comes later; `serve` could not honour these, so `check` must not accept them.
  for (auto key : kTlsKeys)
    if (auto v = m->get(key)) v->error("TLS options are not available yet (tls:// inputs come in a later version)");
  if (in.proto == Proto::tls) {
    listen->error("tls:// inputs are not available yet; use tcp:// (on a trusted network) or a local relay");
    return std::nullopt;
  }
  if (auto v = m->get("allow")) load_allow(*v, in);
  if (in.proto == Proto::tcp) {
    load_tcp_bounds(*m, in);
    if (auto v = m->get("receive_buffer")) v->error("applies only to udp:// listeners, not tcp://");
  } else {
    for (auto key : kTcpKeys)
      if (auto v = m->get(key))
        v->error(std::string("applies only to tcp:// listeners, not ") + proto_name(in.proto) + "://");
    if (auto v = m->get("receive_buffer")) load_receive_buffer(*v, in);
  }
  return in;
}

void load_message_size(const Value& v, Inputs& inputs) {
  auto s = v.string();
  if (!s) return;
  auto n = parse_size(*s);
  if (!n) {
    v.error("invalid size '" + *s + "' (bytes, or with a suffix: 4096, 64KiB, 1MiB)");
  } else if (*n < kMinMessageSize || *n > kMaxMessageSize) {
    v.error("must be between 480 (RFC 5426 minimum) and 16MiB, found " + *s);
  } else {
    inputs.max_message_size = *n;
  }
}

// One `inputs.pcap[]` entry. The filter is compiled here, on an Ethernet link: a filter serve
// would refuse is an error of `check` too.
std::optional<PcapInput> load_pcap_input(const Value& item) {
  auto m = item.map({"interface", "filter", "snaplen", "promiscuous", "buffer_size", "immediate"});
  if (!m) return std::nullopt;
  PcapInput in;
  if (auto v = m->get("interface")) in.interface = v->string().value_or("");
  if (in.interface.empty() || in.interface.size() >= 16) {
    item.error("pcap: interface: the name of a network interface is required (eth1, ens4, any)");
    return std::nullopt;
  }
  if (auto v = m->get("snaplen"))
    if (auto n = v->integer(64, 262144)) in.snaplen = static_cast<int>(*n);
  if (auto v = m->get("promiscuous"))
    if (auto b = v->boolean()) in.promiscuous = *b;
  if (auto v = m->get("immediate"))
    if (auto b = v->boolean()) in.immediate = *b;
  if (auto v = m->get("buffer_size")) {
    if (auto text = v->string()) {
      const auto n = parse_size(*text);
      if (!n || *n < (std::size_t{1} << 20) || *n > (std::size_t{2} << 30))
        v->error("must be a size between 1MiB and 2GiB (bytes, or with a suffix: 32MiB), found " + *text);
      else
        in.buffer_size = *n;
    }
  }
  if (auto v = m->get("filter")) {
    in.filter = v->string().value_or("");
    std::unique_ptr<pcap_t, decltype(&pcap_close)> dead(pcap_open_dead(DLT_EN10MB, in.snaplen), &pcap_close);
    bpf_program program{};
    if (pcap_compile(dead.get(), &program, in.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
      v->error("filter: " + std::string(pcap_geterr(dead.get())));
    else
      pcap_freecode(&program);
  }
  return in;
}

// `inputs.spool`. The directories must not nest in a way that would read a done file again:
// done_dir and failed_dir are skipped when they are inside dir (hidden names, or named so).
void load_spool(const Value& v, const LoadContext& ctx, Spool& spool) {
  auto m = v.map({"dir", "after", "done_dir", "failed_dir", "every", "settle", "max_file_size"});
  if (!m) return;
  const auto dir = m->get("dir") ? m->get("dir")->string() : std::nullopt;
  if (!dir || dir->empty()) {
    v.error("spool: dir: the directory sites drop their files in is required");
    return;
  }
  spool.dir = ctx.resolve(*dir);
  spool.done_dir = spool.dir / ".done";
  spool.failed_dir = spool.dir / ".failed";
  if (auto a = m->get("after")) {
    const auto text = a->string().value_or("");
    if (text == "move")
      spool.after = Spool::After::move;
    else if (text == "delete")
      spool.after = Spool::After::remove;
    else
      a->error("must be move or delete, found '" + text + "'");
  }
  if (auto d = m->get("done_dir")) {
    if (spool.after == Spool::After::remove) d->error("is not used with after: delete");
    if (auto t = d->string()) spool.done_dir = ctx.resolve(*t);
  }
  if (auto d = m->get("failed_dir"))
    if (auto t = d->string()) spool.failed_dir = ctx.resolve(*t);
  if (auto e = m->get("every"))
    if (auto d = e->duration(false)) spool.every = *d;
  if (auto e = m->get("settle"))
    if (auto d = e->duration(true)) spool.settle = *d;
  if (auto e = m->get("max_file_size"))
    if (auto t = e->string()) {
      const auto n = parse_size(*t);
      if (!n || *n == 0)
        e->error("must be a size (bytes, or with a suffix: 512MiB, 4GiB), found " + *t);
      else
        spool.max_file_size = *n;
    }
  // Compared without trailing separators ("spool/" and "spool/." are "spool").
  const auto plain = [](std::filesystem::path p) {
    p = p.lexically_normal();
    return p.has_filename() || !p.has_parent_path() ? p : p.parent_path();
  };
  spool.dir = plain(spool.dir);
  spool.done_dir = plain(spool.done_dir);
  spool.failed_dir = plain(spool.failed_dir);
  for (const auto* d : {&spool.done_dir, &spool.failed_dir})
    if (*d == spool.dir) v.error("spool: done_dir and failed_dir must differ from dir (" + d->string() + ")");
}

}  // namespace

void load_inputs(const Value& v, LoadContext& ctx, Config& cfg) {
  auto m = v.map({"syslog", "max_message_size", "queue_batches", "queue_bytes", "default_timezone", "pcap", "spool"});
  if (!m) return;
  Inputs& inputs = cfg.inputs;
  if (auto s = m->get("spool")) load_spool(*s, ctx, inputs.spool);
  if (auto s = m->get("pcap")) {
    std::set<std::string> seen;
    for (const auto& item : s->sequence().value_or(std::vector<Value>{})) {
      auto in = load_pcap_input(item);
      if (!in) continue;
      if (!seen.insert(in->interface).second) item.error("interface " + in->interface + " is captured twice");
      inputs.pcap.push_back(std::move(*in));
    }
  }
  if (auto s = m->get("syslog")) {
    // TCP and TLS share the TCP port space; port 0 never collides (the kernel picks).
    std::map<std::tuple<bool, std::string, uint16_t>, std::string> bound;
    for (const auto& item : s->sequence().value_or(std::vector<Value>{})) {
      auto in = load_syslog_input(item);
      if (!in) continue;
      if (in->port != 0) {
        const auto key = std::make_tuple(in->proto == Proto::udp, in->address, in->port);
        auto [it, fresh] = bound.emplace(key, item.path());
        if (!fresh) item.error("listen " + in->listen + " uses the same address and port as " + it->second);
      }
      inputs.syslog.push_back(std::move(*in));
    }
  }
  if (auto s = m->get("max_message_size")) load_message_size(*s, inputs);
  if (auto s = m->get("queue_batches"))
    if (auto n = s->integer(1, 1'000'000)) inputs.queue_batches = static_cast<std::size_t>(*n);
  if (auto s = m->get("queue_bytes")) {
    if (auto text = s->string()) {
      const auto n = parse_size(*text);
      if (!n || *n < (std::size_t{1} << 20) || *n > (std::size_t{16} << 30))
        s->error("must be a size between 1MiB and 16GiB (bytes, or with a suffix: 64MiB), found " + *text);
      else
        inputs.queue_bytes = *n;
    }
  }
  if (auto s = m->get("default_timezone")) {
    if (auto name = s->string()) {
      if (auto problem = time_zone_problem(*name))
        s->error(*problem);
      else
        inputs.default_timezone = *name;
    }
  }
}

namespace {

void load_networks(const Value& v, Site& site, std::map<std::string, std::string>& owner) {
  for (const auto& item : v.sequence().value_or(std::vector<Value>{})) {
    auto net = read_network(item);
    if (!net) continue;
    auto [it, fresh] = owner.emplace(net->to_string(), site.id);
    if (!fresh) {
      item.error("network " + net->to_string() + " is already listed for site '" + it->second + "'");
      continue;
    }
    site.networks.push_back(*net);
  }
}

}  // namespace

void load_sites(const Value& v, LoadContext& /*ctx*/, Config& cfg) {
  auto items = v.sequence();
  if (!items) return;
  std::map<std::string, int> first_line;     // site id → line of its first definition
  std::map<std::string, std::string> owner;  // network → site id, to reject ambiguous attribution
  for (const auto& item : *items) {
    auto m = item.map({"id", "name", "networks", "timezone", "contacts", "tls_subject_cn"});
    if (!m) continue;
    Site site;
    if (auto id = m->get("id")) {
      if (auto s = id->string()) {
        site.id = *s;
        if (!is_site_id(*s)) {
          id->error("'" + *s + "' is not a valid site id (lower-case letters, digits and '-')");
        } else if (auto [it, fresh] = first_line.emplace(*s, id->line()); !fresh) {
          id->error("duplicate site id '" + *s + "' (first defined on line " + std::to_string(it->second) + ")");
        }
      }
    } else {
      item.error("missing required key 'id'");
    }
    site.name = site.id;
    if (auto name = m->get("name"))
      if (auto s = name->string()) site.name = *s;
    if (auto nets = m->get("networks")) load_networks(*nets, site, owner);
    site.timezone = cfg.inputs.default_timezone;
    if (auto tz = m->get("timezone")) {
      if (auto s = tz->string()) {
        if (auto problem = time_zone_problem(*s))
          tz->error(*problem);
        else
          site.timezone = *s;
      }
    }
    if (auto contacts = m->get("contacts")) {
      for (const auto& c : contacts->sequence().value_or(std::vector<Value>{})) {
        auto s = c.string();
        if (!s) continue;
        if (is_email_address(*s))
          site.contacts.push_back(*s);
        else
          c.error("'" + *s + "' is not an e-mail address");
      }
    }
    if (auto cn = m->get("tls_subject_cn"))
      cn->error("not available yet (it names the client certificate of a tls:// input, which comes later)");
    cfg.sites.push_back(std::move(site));
  }
}

}  // namespace vigie::config::detail
