#include <sluice/gate/secrets.hpp>

#include <sluice/kube/client.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/plan/secrets.hpp>
#include <sluice/util/base64.hpp>

#include <strings.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sluice::gate {

namespace {

using util::ErrorKind;
using util::make_error;

// Set by KubeSecretsScope for the length of a command; read by the thread
// that measures. A process runs one command, so one slot is enough.
std::atomic<kube::Client*> g_kube{nullptr};

// A file written by `echo` ends in a newline that is no part of the secret.
std::string without_final_newline(std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

util::Result<std::string> read_secret_key(kube::Client& client, const plan::SecretRef& ref,
                                          const std::string& ns) {
  std::string where = "Secret " + ns + "/" + ref.name;
  auto secret = client.get(kube::k_secrets, ns, ref.name);
  if (!secret) return secret.error().with_context("reading " + where);
  const auto* data = secret->contains("data") ? &(*secret)["data"] : nullptr;
  if (data == nullptr || !data->contains(ref.key) || !(*data)[ref.key].is_string())
    return make_error(ErrorKind::not_found, where + " has no key '" + ref.key + "'");
  auto decoded = util::base64_decode((*data)[ref.key].get<std::string>());
  if (!decoded) return make_error(ErrorKind::invalid, where + " key '" + ref.key + "' is not base64");
  return *decoded;
}

class DefaultReader final : public SecretReader {
 public:
  util::Result<std::string> read(const plan::SecretRef& ref, const std::string& ns) override {
    switch (ref.kind) {
      case plan::SecretRef::Kind::env: {
        const char* value = std::getenv(ref.name.c_str());
        if (value == nullptr)
          return make_error(ErrorKind::not_found, "environment variable " + ref.name + " is not set");
        return std::string(value);
      }
      case plan::SecretRef::Kind::file: {
        std::ifstream in(ref.name, std::ios::binary);
        if (!in) return make_error(ErrorKind::not_found, "cannot read file '" + ref.name + "'");
        std::stringstream text;
        text << in.rdbuf();
        return without_final_newline(text.str());
      }
      case plan::SecretRef::Kind::secret_key: {
        kube::Client* client = g_kube.load();
        if (client == nullptr)
          return make_error(ErrorKind::invalid, "no Kubernetes client to read Secret " + ref.name);
        return read_secret_key(*client, ref, ns);
      }
    }
    return make_error(ErrorKind::invalid, "unknown secret reference");
  }
};

const std::string k_inline_hint =
    " was written inline in the plan and is not kept in the rollout record; give it with valueFrom "
    "(env, file or secretKeyRef) so that promote, abort and rollback can send it";

}  // namespace

SecretReader& default_secret_reader() {
  static DefaultReader reader;
  return reader;
}

KubeSecretsScope::KubeSecretsScope(kube::Client& client) : previous_(g_kube.exchange(&client)) {}
KubeSecretsScope::~KubeSecretsScope() {
  g_kube.store(previous_);
}

util::Result<std::string> resolve_secret(const plan::SecretValue& value, const std::string& what,
                                         const std::string& ns, SecretReader& reader) {
  if (plan::is_redacted(value)) return make_error(ErrorKind::invalid, what + k_inline_hint);
  if (!value.from) return value.literal;
  auto read = reader.read(*value.from, ns);
  if (!read) return read.error().with_context(what);
  return read;
}

util::Result<http::Headers> credential_headers(const plan::Credentials& credentials, const std::string& ns,
                                               SecretReader& reader) {
  http::Headers headers;
  for (const auto& [name, value] : credentials.headers) {
    auto resolved = resolve_secret(value, "header '" + name + "'", ns, reader);
    if (!resolved) return resolved.error();
    headers.emplace_back(name, *resolved);
  }
  bool has_authorization = false;
  for (const auto& [name, value] : headers)
    has_authorization |= strcasecmp(name.c_str(), "authorization") == 0;
  // URL user-info beside an Authorization header: the header wins (plan/credentials_parser.cpp).
  if (const auto& basic = credentials.basic_auth; basic && !has_authorization) {
    if (basic->username == plan::k_redacted)
      return make_error(ErrorKind::invalid, "the URL's user-info" + k_inline_hint);
    auto password = resolve_secret(basic->password, "the basic-auth password", ns, reader);
    if (!password) return password.error();
    headers.emplace_back("Authorization", "Basic " + util::base64_encode(basic->username + ":" + *password));
  }
  if (const auto& bearer = credentials.bearer_token) {
    auto token = resolve_secret(*bearer, "the bearer token", ns, reader);
    if (!token) return token.error();
    headers.emplace_back("Authorization", "Bearer " + *token);
  }
  return headers;
}

util::Status check_url_credentials(const std::string& url) {
  if (plan::has_redacted_credentials(url))
    return make_error(ErrorKind::invalid, "a credential in the URL's query" + k_inline_hint);
  return {};
}

}  // namespace sluice::gate
