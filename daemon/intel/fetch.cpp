#include "intel/fetch.hpp"

#include <curl/curl.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string_view>

namespace vigie::intel {
namespace {

namespace fs = std::filesystem;

struct Sink {
  std::FILE* file = nullptr;
  std::size_t bytes = 0;
  std::size_t max = 0;
  bool too_big = false;
  Validators got;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto& s = *static_cast<Sink*>(user);
  const std::size_t len = size * n;
  if (s.bytes + len > s.max) {
    s.too_big = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  s.bytes += len;
  return std::fwrite(data, 1, len, s.file);
}

std::string_view trimmed(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
  return v;
}

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  return true;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto& s = *static_cast<Sink*>(user);
  const std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) s.got = {};  // a redirect's headers are not the final ones
  if (header_is(line, "etag")) s.got.etag = trimmed(line.substr(5));
  if (header_is(line, "last-modified")) s.got.last_modified = trimmed(line.substr(14));
  return size * n;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

tl::expected<FetchResult, std::string> fetch_to_file(const std::string& url, const fs::path& out,
                                                     const Validators& previous, const FetchOptions& options) {
  global_init();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return tl::unexpected(std::string("cannot initialise libcurl"));
  std::error_code ec;
  fs::create_directories(out.parent_path(), ec);
  const fs::path part = out.string() + ".part";
  Sink sink;
  sink.max = options.max_bytes;
  sink.file = std::fopen(part.c_str(), "wb");
  if (sink.file == nullptr) return tl::unexpected("cannot write " + part.string());
  char error[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, std::min(30L, static_cast<long>(options.timeout.count())));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // gzip and deflate, decoded by libcurl
  curl_easy_setopt(c, CURLOPT_USERAGENT, "vigie/0.1 (feed reader)");
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
  if (!options.proxy.empty()) curl_easy_setopt(c, CURLOPT_PROXY, options.proxy.c_str());
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
  curl_slist* headers = nullptr;
  std::error_code exists_ec;
  if (fs::exists(out, exists_ec)) {  // validators only for a body we still have
    if (!previous.etag.empty()) headers = curl_slist_append(headers, ("If-None-Match: " + previous.etag).c_str());
    if (!previous.last_modified.empty())
      headers = curl_slist_append(headers, ("If-Modified-Since: " + previous.last_modified).c_str());
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, curl_slist_free_all);
  if (headers != nullptr) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  const CURLcode rc = curl_easy_perform(c);
  std::fclose(sink.file);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  const auto fail = [&](std::string why) {
    fs::remove(part, ec);
    return tl::unexpected(url + ": " + why);
  };
  if (sink.too_big || rc == CURLE_FILESIZE_EXCEEDED)
    return fail("response larger than " +
                (options.max_bytes >= (std::size_t{1} << 20) ? std::to_string(options.max_bytes >> 20) + " MiB"
                                                             : std::to_string(options.max_bytes) + " bytes") +
                " (max_size), refused");
  if (rc != CURLE_OK) return fail(error[0] != '\0' ? std::string(error) : curl_easy_strerror(rc));
  FetchResult r;
  r.status = status;
  char* effective = nullptr;
  curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);
  if (effective != nullptr) r.effective_url = effective;
  if (status == 304) {
    fs::remove(part, ec);
    r.not_modified = true;
    r.validators = previous;
    return r;
  }
  if (status < 200 || status >= 300) return fail("HTTP status " + std::to_string(status));
  fs::rename(part, out, ec);
  if (ec) return fail("cannot write " + out.string() + ": " + ec.message());
  r.validators = sink.got;
  return r;
}

}  // namespace vigie::intel
