// The credentials a check sends, resolved at the moment it measures: inline
// values as written, references (valueFrom) from the environment, a file or a
// Kubernetes Secret in the rollout's namespace. Resolved values go into the
// request and nowhere else; errors name where a value was looked for, never it.
#pragma once

#include <sluice/http/client.hpp>
#include <sluice/plan/model.hpp>
#include <sluice/util/result.hpp>

#include <string>

namespace sluice::kube {
class Client;
}

namespace sluice::gate {

class SecretReader {
 public:
  virtual ~SecretReader() = default;
  // The value `ref` points at; `ns` is the namespace of a Secret.
  virtual util::Result<std::string> read(const plan::SecretRef& ref, const std::string& ns) = 0;
};

// Reads env and files; Secrets through the Kubernetes client a
// KubeSecretsScope installed (an error when none is).
SecretReader& default_secret_reader();

// While alive, default_secret_reader() reads Secrets through `client`. The
// commands that run checks (apply, promote, abort, rollback) hold one.
class KubeSecretsScope {
 public:
  explicit KubeSecretsScope(kube::Client& client);
  ~KubeSecretsScope();
  KubeSecretsScope(const KubeSecretsScope&) = delete;
  KubeSecretsScope& operator=(const KubeSecretsScope&) = delete;

 private:
  kube::Client* previous_;
};

// The value to send for `value`; `what` names it in errors ("header
// 'Authorization'"). An inline value that the record redacted is an error
// telling the user to use valueFrom: the marker is never sent.
util::Result<std::string> resolve_secret(const plan::SecretValue& value, const std::string& what,
                                         const std::string& ns, SecretReader& reader);

// The headers `credentials` stand for: its headers, then Authorization for
// basic auth or a bearer token.
util::Result<http::Headers> credential_headers(const plan::Credentials& credentials, const std::string& ns,
                                               SecretReader& reader);

// An error when `url` holds credentials the record redacted (see resolve_secret).
util::Status check_url_credentials(const std::string& url);

}  // namespace sluice::gate
