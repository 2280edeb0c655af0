// Where registry credentials come from (flags, environment, Docker's config
// file and credential helpers) and how a registry asks for them
// (WWW-Authenticate challenges). No network I/O here.
#pragma once

#include <sluice/registry/registry.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace sluice::registry::detail {

struct Challenge {
  std::string scheme;                         // "bearer" or "basic", lowercased
  std::map<std::string, std::string> params;  // realm, service, scope, error
};

// The Bearer challenge if the header offers one, else the Basic one.
std::optional<Challenge> parse_www_authenticate(const std::string& header);

struct FoundCredentials {
  Credentials credentials;
  std::string source;  // for messages: "docker config auths", "docker-credential-pass", ...
};

// $DOCKER_CONFIG/config.json, else ~/.docker/config.json ("" without HOME).
std::string default_docker_config_path();

// The key Docker stores credentials under for a registry host.
std::string docker_config_server(const std::string& api_host);

// Looks `api_host` up in a Docker config: credHelpers[host], then credsStore,
// then auths. nullopt when none applies or the file does not exist.
Result<std::optional<FoundCredentials>> docker_config_credentials(const std::string& config_path,
                                                                  const std::string& api_host,
                                                                  const CredentialHelperRunner& run_helper);

// Runs docker-credential-<helper> from $PATH with a 10 s limit.
Result<std::string> run_credential_helper(const std::string& helper, const std::string& server);

// Bearer tokens by realm/service/scope, dropped once expired.
class TokenCache {
 public:
  std::optional<std::string> get(const std::string& key, util::TimePoint now) const;
  void put(const std::string& key, std::string token, util::TimePoint expires);

 private:
  struct Entry {
    std::string token;
    util::TimePoint expires;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace sluice::registry::detail
