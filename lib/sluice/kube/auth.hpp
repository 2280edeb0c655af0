// Credentials for requests: static tokens and basic auth, token files
// re-read when they change, and exec credential plugins (client.authentication.k8s.io/v1)
// cached until their expiry. Secrets never leave this unit except in headers.
#pragma once

#include <sluice/http/client.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <mutex>
#include <optional>
#include <string>

namespace sluice::kube {

// What to add to a request: an Authorization header value and/or a client certificate.
struct Credentials {
  std::string authorization;     // "Bearer ..." / "Basic ..." or empty
  std::string client_cert_data;  // PEM, from an exec plugin
  std::string client_key_data;
};

// Runs an exec plugin once and parses its ExecCredential (for tests and Authenticator).
struct ExecResult {
  std::string token;
  std::string client_cert_data;
  std::string client_key_data;
  std::optional<util::WallTime> expires;
};
Result<ExecResult> run_exec_plugin(const ExecConfig& exec, const ClusterInfo& cluster,
                                   bool interactive = false);

class Authenticator {
 public:
  Authenticator(const Config& config, util::Clock& clock);

  // The credentials to send now (runs or re-runs the exec plugin when its
  // cached credential expired; re-reads tokenFile when it changed).
  Result<Credentials> current();
  // After a 401: drop cached exec credentials. True when a retry may help
  // (an exec plugin or token file could give something new).
  bool invalidate();

 private:
  Result<std::string> file_token();

  Config config_;
  util::Clock& clock_;
  std::mutex mutex_;
  std::optional<ExecResult> exec_cache_;
  std::string token_file_cache_;
  long long token_file_mtime_ns_ = -1;
};

}  // namespace sluice::kube
