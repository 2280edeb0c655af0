#include <sluice/http/connect_probe.hpp>

#include <sluice/http/client.hpp>

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace sluice::http {

namespace {

struct EasyFree {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct UrlFree {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

std::string host_of(const std::string& url) {
  std::unique_ptr<CURLU, UrlFree> parsed(curl_url());
  char* host = nullptr;
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK ||
      curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK)
    return "";
  std::string text(host);
  curl_free(host);
  return text;
}

}  // namespace

ConnectProbe probe_connect(const std::string& url, util::Duration timeout) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  ConnectProbe probe{ConnectOutcome::failed, host_of(url), ""};
  if (probe.host.empty()) {
    probe.message = "invalid URL '" + redact_url(url) + "'";
    return probe;
  }
  std::unique_ptr<CURL, EasyFree> easy(curl_easy_init());
  if (!easy) {
    probe.message = "cannot start a connection";
    return probe;
  }
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
  // CONNECT_ONLY: resolve, connect (and handshake TLS for https), send nothing.
  curl_easy_setopt(easy.get(), CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy.get(), CURLOPT_ERRORBUFFER, errbuf);
  CURLcode code = curl_easy_perform(easy.get());
  if (code == CURLE_OK) {
    probe.outcome = ConnectOutcome::connected;
    return probe;
  }
  probe.outcome = code == CURLE_COULDNT_RESOLVE_HOST ? ConnectOutcome::unresolved : ConnectOutcome::failed;
  probe.message = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
  return probe;
}

}  // namespace sluice::http
