#include <sluice/registry/manifest.hpp>
#include <sluice/registry/session.hpp>
#include <sluice/util/backoff.hpp>
#include <sluice/util/base64.hpp>
#include <sluice/util/url.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace sluice::registry::detail {
namespace {

using nlohmann::json;
using util::ErrorKind;
using util::make_error;

// Docker clients refresh tokens no sooner than this, whatever expires_in says.
constexpr int k_min_token_seconds = 60;

std::string strip_port(const std::string& host_port) {
  if (!host_port.empty() && host_port.front() == '[') return host_port.substr(1, host_port.find(']') - 1);
  return host_port.substr(0, host_port.find(':'));
}

std::string url_encode(const std::string& s) {
  return util::percent_encode(s);
}

// "https://auth.example.com/token?x=1" -> "auth.example.com"
std::string url_host(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool retryable(int status) {
  return status == 429 || (status >= 500 && status <= 599 && status != 501);
}

util::Duration backoff(int attempt) {
  return util::doubling_backoff(util::Duration(500), attempt, util::Duration(8000));
}

}  // namespace

bool is_loopback_host(const std::string& host_port) {
  std::string h = strip_port(host_port);
  return h == "localhost" || h == "::1" || h.rfind("127.", 0) == 0;
}

Session::Session(const RegistryOptions& options, http::Client& http, util::Clock& clock)
    : options_(options), http_(http), clock_(clock) {}

std::string Session::base_url(const std::string& host) const {
  bool insecure = is_loopback_host(host) ||
                  std::find(options_.insecure_hosts.begin(), options_.insecure_hosts.end(), host) !=
                      options_.insecure_hosts.end() ||
                  std::find(options_.insecure_hosts.begin(), options_.insecure_hosts.end(),
                            strip_port(host)) != options_.insecure_hosts.end();
  return (insecure ? "http://" : "https://") + host;
}

Result<http::Response> Session::send_plain(http::Request request, const util::CancelToken* cancel) {
  request.max_attempts = 1;  // retries are decided here, so a shared client's policy does not multiply them
  for (int attempt = 1;; ++attempt) {
    auto response = http_.send(request, cancel);
    if (!response || !retryable(response->status) || attempt >= options_.max_attempts) return response;
    auto wait = http::parse_retry_after(response->header("Retry-After"), clock_.wall_now())
                    .value_or(backoff(attempt));
    if (wait > options_.max_retry_wait) return response;  // not worth waiting for: report it
    if (!clock_.sleep_for(wait, cancel))
      return make_error(ErrorKind::cancelled, "cancelled while waiting to retry");
  }
}

Result<http::Response> Session::send(http::Request request, const ImageRef& ref,
                                     const util::CancelToken* cancel) {
  request.timeout = options_.request_timeout;
  for (bool challenged = false;;) {
    http::Request attempt = request;
    add_credentials(attempt, ref);
    auto response = send_plain(attempt, cancel);
    if (!response || response->status != 401 || challenged) return response;
    challenged = true;
    if (auto answered = answer_challenge(*response, ref, cancel); !answered) return answered.error();
  }
}

std::string Session::credential_source(const std::string& host) {
  auto found = credentials_for(host);
  return found && found->has_value() ? (*found)->source : "";
}

Result<std::optional<FoundCredentials>> Session::credentials_for(const std::string& host) {
  if (options_.credentials)
    return std::optional<FoundCredentials>{{*options_.credentials, options_.credentials_source}};
  {
    std::lock_guard lock(mutex_);
    if (auto it = credentials_.find(host); it != credentials_.end()) return it->second;
  }
  std::string path =
      options_.docker_config_path.empty() ? default_docker_config_path() : options_.docker_config_path;
  auto found = docker_config_credentials(path, host, options_.run_helper);
  if (!found) return found.error();
  std::lock_guard lock(mutex_);
  credentials_[host] = *found;
  return found;
}

std::string Session::token_key(const Challenge& c, const ImageRef& ref) const {
  auto get = [&](const char* k) {
    auto it = c.params.find(k);
    return it == c.params.end() ? "" : it->second;
  };
  return get("realm") + " " + get("service") + " repository:" + ref.repository + ":pull";
}

void Session::add_credentials(http::Request& request, const ImageRef& ref) {
  std::optional<Challenge> challenge;
  {
    std::lock_guard lock(mutex_);
    if (auto it = challenges_.find(ref.api_host()); it != challenges_.end()) challenge = it->second;
  }
  if (!challenge) return;
  if (challenge->scheme == "bearer") {
    if (auto token = tokens_.get(token_key(*challenge, ref), clock_.now()))
      request.headers.emplace_back("Authorization", "Bearer " + *token);
    return;
  }
  auto creds = credentials_for(ref.api_host());
  if (creds && creds->has_value()) {
    const Credentials& c = (*creds)->credentials;
    request.headers.emplace_back("Authorization",
                                 "Basic " + util::base64_encode(c.username + ":" + c.password));
  }
}

util::Status Session::answer_challenge(const http::Response& response, const ImageRef& ref,
                                       const util::CancelToken* cancel) {
  auto challenge = parse_www_authenticate(response.header("WWW-Authenticate"));
  if (!challenge) return util::Status{};  // nothing to answer: the 401 stands
  {
    std::lock_guard lock(mutex_);
    challenges_[ref.api_host()] = *challenge;
  }
  if (challenge->scheme == "basic") {
    auto creds = credentials_for(ref.api_host());
    if (!creds) return creds.error();
    return util::Status{};  // with no credentials the retry gets the same 401, reported as such
  }
  std::string scope = challenge->params.count("scope") ? challenge->params["scope"]
                                                       : "repository:" + ref.repository + ":pull";
  auto token = fetch_token(*challenge, scope, ref, cancel);
  if (!token) return token.error();
  return util::Status{};
}

Result<std::string> Session::fetch_token(const Challenge& challenge, const std::string& scope,
                                         const ImageRef& ref, const util::CancelToken* cancel) {
  std::string realm = challenge.params.count("realm") ? challenge.params.at("realm") : "";
  std::string realm_host = url_host(realm);
  bool https = realm.rfind("https://", 0) == 0;
  if (!https && !(realm.rfind("http://", 0) == 0 && base_url(realm_host).rfind("http://", 0) == 0)) {
    return make_error(ErrorKind::invalid, ref.api_host() + " sent a token realm \"" + realm +
                                              "\" that is neither https nor an insecure host");
  }
  http::Request request;
  request.url = realm + (realm.find('?') == std::string::npos ? "?" : "&");
  if (challenge.params.count("service"))
    request.url += "service=" + url_encode(challenge.params.at("service")) + "&";
  request.url += "scope=" + url_encode(scope);
  request.timeout = options_.request_timeout;
  auto creds = credentials_for(ref.api_host());
  if (!creds) return creds.error();
  if (creds->has_value()) {
    const Credentials& c = (*creds)->credentials;
    request.headers.emplace_back("Authorization",
                                 "Basic " + util::base64_encode(c.username + ":" + c.password));
  }
  auto response = send_plain(request, cancel);
  if (!response) return response.error().with_context("token service " + realm_host);
  if (response->status == 401 || response->status == 403) {
    std::string msg = creds->has_value() ? "the token service " + realm_host +
                                               " rejected the credentials from " + (*creds)->source
                                         : "the token service " + realm_host + " refused anonymous access";
    util::Error e = make_error(ErrorKind::unauthorized, msg);
    e.http_status = response->status;
    return e;
  }
  if (response->status != 200) {
    util::Error e =
        make_error(response->status >= 500 ? ErrorKind::server_error : ErrorKind::internal,
                   "the token service " + realm_host + " answered HTTP " + std::to_string(response->status));
    e.http_status = response->status;
    return e;
  }
  json doc = json::parse(response->body, nullptr, false);
  if (!doc.is_object()) doc = json::object();
  auto text = [&](const char* key) {
    return doc[key].is_string() ? doc[key].get<std::string>() : std::string();
  };
  std::string token = text("token").empty() ? text("access_token") : text("token");
  if (token.empty())
    return make_error(ErrorKind::internal, "the token service " + realm_host + " sent no token");
  int seconds = doc["expires_in"].is_number_integer() ? doc["expires_in"].get<int>() : k_min_token_seconds;
  tokens_.put(token_key(challenge, ref), token,
              clock_.now() + std::chrono::seconds(std::max(seconds, k_min_token_seconds)));
  return token;
}

}  // namespace sluice::registry::detail
