// Shared fixtures for the notify tests: temp dirs, a sample alert and config, a real SMTP
// server (Debian's python3-aiosmtpd) on an ephemeral loopback port, and a tiny mail parser.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "core/alert.hpp"

namespace vigie::test {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    static int n = 0;
    path = fs::temp_directory_path() / ("vigie-notify-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

inline core::TimePoint at(int64_t seconds) { return core::TimePoint{std::chrono::seconds(seconds)}; }

// 2023-11-14T22:13:20Z
inline core::Alert sample_alert() {
  core::Alert a;
  a.rule = {"ssh-bruteforce", "SSH brute force", core::Level::high, {"attack.credential_access", "attack.t1110"}, "",
            "AMBER"};
  a.site = "ch-quimper";
  a.key = {{"observer.site", "ch-quimper"}, {"source.ip", "183.62.140.253"}};
  a.count = 10;
  a.first_seen = at(1'700'000'000);
  a.last_seen = at(1'700'000'060);
  a.evidence = {"Failed password for root from 183.62.140.253 port 4242 ssh2"};
  a.id = core::make_alert_id(a.rule.id, a.key, a.first_seen);
  return a;
}

inline std::shared_ptr<config::Config> sample_config(const fs::path& dir) {
  auto c = std::make_shared<config::Config>();
  c->storage.path = dir / "vigie.db";
  c->notify.hostname = "vigie.test";
  c->sites.push_back({"ch-quimper", "CH de Cornouaille", {}, "Europe/Paris", {"rssi@ch-quimper.example"}, ""});
  c->notify.receivers.push_back({"regional-list", {"alertes-ssi@listes.example"}, false});
  c->notify.receivers.push_back({"site-contacts", {}, true});
  config::Route high;
  high.match["level"] = {"high", "critical"};
  high.receivers = {"regional-list", "site-contacts"};
  config::Route rest;
  rest.receivers = {"site-contacts"};
  c->notify.routes = {high, rest};
  return c;
}

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Header value (unfolded) by name, from a message with CRLF or LF line ends.
inline std::string header_of(const std::string& msg, const std::string& name) {
  std::istringstream in(msg);
  std::string line, value;
  bool in_header = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if (line[0] == ' ' || line[0] == '\t') {
      if (in_header) value += line;
      continue;
    }
    if (in_header) return value;
    const auto colon = line.find(':');
    if (colon != std::string::npos && line.substr(0, colon) == name) {
      in_header = true;
      value = line.substr(colon + 2);
    }
  }
  return in_header ? value : std::string();
}

inline uint16_t free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

inline bool port_open(uint16_t port) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(s);
  return ok;
}

// `/usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c aiosmtpd.handlers.Mailbox DIR`, with
// STARTTLS when a certificate is given. Stopped (SIGTERM) by the destructor.
class SmtpServer {
 public:
  explicit SmtpServer(const fs::path& mailbox, const fs::path& cert = {}, const fs::path& key = {})
      : port_(free_port()) {
    std::vector<std::string> args = {
        "/usr/bin/python3",         "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(port_), "-c",
        "aiosmtpd.handlers.Mailbox"};
    if (!cert.empty()) {
      args.insert(args.end(), {"--tlscert", cert.string(), "--tlskey", key.string()});
    }
    args.push_back(mailbox.string());
    const std::string log = (mailbox.parent_path() / "aiosmtpd.log").string();
    pid_ = ::fork();
    if (pid_ == 0) {
      // The server's own traces (e.g. the refused TLS handshake) go to a file, not the test output.
      if (FILE* f = std::fopen(log.c_str(), "w")) {
        ::dup2(::fileno(f), 1);
        ::dup2(::fileno(f), 2);
      }
      std::vector<char*> argv;
      for (auto& s : args) argv.push_back(s.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline && !port_open(port_))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ~SmtpServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;
  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] bool ready() const { return port_open(port_); }
  [[nodiscard]] std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

 private:
  uint16_t port_;
  pid_t pid_ = -1;
};

inline std::vector<std::string> maildir_messages(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir / "new")) return out;
  for (const auto& e : fs::directory_iterator(dir / "new")) out.push_back(read_file(e.path()));
  return out;
}

}  // namespace vigie::test

namespace vigie::test {

inline std::string base64_decode(std::string_view in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else
      continue;
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}

// Decodes an unfolded header made of "=?UTF-8?B?...?=" words separated by whitespace (RFC 2047
// §6.2: whitespace between adjacent encoded words is dropped); plain text is kept as is.
inline std::string decode_2047(const std::string& v) {
  std::string out;
  std::size_t i = 0;
  bool prev_word = false;
  while (i < v.size()) {
    if (v.compare(i, 10, "=?UTF-8?B?") == 0) {
      const auto end = v.find("?=", i + 10);
      out += base64_decode(std::string_view(v).substr(i + 10, end - i - 10));
      i = end + 2;
      prev_word = true;
      std::size_t j = i;
      while (j < v.size() && v[j] == ' ') ++j;
      if (j < v.size() && v.compare(j, 10, "=?UTF-8?B?") == 0) i = j;
      continue;
    }
    (void)prev_word;
    out += v[i++];
  }
  return out;
}

inline std::string qp_decode(const std::string& body) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '=' && i + 2 < body.size() && body[i + 1] == '\r' && body[i + 2] == '\n') {
      i += 2;
    } else if (body[i] == '=' && i + 1 < body.size() && body[i + 1] == '\n') {
      i += 1;
    } else if (body[i] == '=' && i + 2 < body.size()) {
      out += static_cast<char>(std::stoi(body.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += body[i];
    }
  }
  return out;
}

inline std::string body_of(const std::string& msg) {
  auto p = msg.find("\r\n\r\n");
  if (p != std::string::npos) return msg.substr(p + 4);
  p = msg.find("\n\n");
  return p == std::string::npos ? std::string() : msg.substr(p + 2);
}

}  // namespace vigie::test
