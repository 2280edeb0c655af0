// One conversation with registries: which scheme a host is reached on, the
// credentials and tokens it wants, and bounded retries of 429/5xx answers.
#pragma once

#include <sluice/registry/auth.hpp>
#include <sluice/registry/registry.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace sluice::registry::detail {

bool is_loopback_host(const std::string& host_port);

class Session {
 public:
  Session(const RegistryOptions& options, http::Client& http, util::Clock& clock);

  // "https://host" or, for insecure hosts, "http://host".
  std::string base_url(const std::string& host) const;

  // Sends a request for `ref`'s repository: adds credentials, answers one
  // 401 challenge (Basic, or a Bearer token fetched from the realm), and
  // retries 429/5xx within the limits. An HTTP error status is a Response.
  Result<http::Response> send(http::Request request, const ImageRef& ref, const util::CancelToken* cancel);

  // Sends without credentials (token realm, foreign redirect targets), with retries.
  Result<http::Response> send_plain(http::Request request, const util::CancelToken* cancel);

  // Where the credentials for `host` came from; "" when there are none.
  std::string credential_source(const std::string& host);

 private:
  Result<std::optional<FoundCredentials>> credentials_for(const std::string& host);
  util::Status answer_challenge(const http::Response& response, const ImageRef& ref,
                                const util::CancelToken* cancel);
  Result<std::string> fetch_token(const Challenge& challenge, const std::string& scope, const ImageRef& ref,
                                  const util::CancelToken* cancel);
  void add_credentials(http::Request& request, const ImageRef& ref);
  std::string token_key(const Challenge& challenge, const ImageRef& ref) const;

  const RegistryOptions& options_;
  http::Client& http_;
  util::Clock& clock_;
  TokenCache tokens_;
  std::mutex mutex_;
  std::map<std::string, Challenge> challenges_;                         // by host: how it asked last
  std::map<std::string, std::optional<FoundCredentials>> credentials_;  // by host
};

}  // namespace sluice::registry::detail
