// Where sluice finds a cluster and how it proves who it is: kubeconfig files
// resolved exactly as kubectl resolves them (--kubeconfig, KUBECONFIG merge,
// ~/.kube/config) or the in-cluster service account when run as a Job.
#pragma once

#include <sluice/util/result.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::kube {

using util::Result;

// users[].user.exec: a credential plugin (client.authentication.k8s.io/v1).
struct ExecConfig {
  std::string command;  // resolved against the kubeconfig's directory when it contains a '/'
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string api_version = "client.authentication.k8s.io/v1";
  std::string install_hint;
  bool provide_cluster_info = false;
  std::string interactive_mode = "IfAvailable";  // Never | IfAvailable | Always
};

// clusters[].cluster. Paths are absolute after loading.
struct ClusterInfo {
  std::string server;                      // https://host:port, no trailing slash
  std::string certificate_authority;       // file path
  std::string certificate_authority_data;  // PEM text (base64-decoded)
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string proxy_url;
};

// users[].user. Paths are absolute after loading; *_data fields are PEM text.
struct UserInfo {
  std::string client_certificate;
  std::string client_certificate_data;
  std::string client_key;
  std::string client_key_data;
  std::string token;
  std::string token_file;
  std::string username;
  std::string password;
  std::optional<ExecConfig> exec;
};

// One resolved context: everything a client needs to reach one cluster.
struct Config {
  std::string context;  // context name ("in-cluster" for the service account)
  std::string cluster_name;
  std::string user_name;
  std::string ns = "default";  // the context's namespace
  ClusterInfo cluster;
  UserInfo user;
  std::vector<std::string> sources;  // files it was read from, for messages
};

using Env = std::map<std::string, std::string>;

// The process environment as an Env (KUBECONFIG, HOME, KUBERNETES_SERVICE_*).
Env process_env();

struct LoadOptions {
  std::string explicit_path;  // --kubeconfig: exactly this file, which must exist
  std::string context;        // --context or the plan's target.context; empty: current-context
  std::optional<Env> env;     // nullopt: the process environment
  // Where the in-cluster token, ca.crt and namespace live (overridable for tests).
  std::string service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

// Resolves a Config with kubectl's rules:
//  1. explicit_path: that one file; missing or unparsable is an error.
//  2. else KUBECONFIG (':'-separated): files merged, the first file to set a
//     map key (cluster, user, context name; current-context) wins; missing
//     files are skipped, unparsable ones are errors.
//  3. else $HOME/.kube/config.
//  4. when no file was found and KUBERNETES_SERVICE_HOST/PORT are set: in-cluster.
// Relative paths in a file resolve against that file's directory.
// Errors: not_found (no config, unknown context/cluster/user), invalid (bad YAML or fields).
Result<Config> load_kubeconfig(const LoadOptions& options);

// Whether load_kubeconfig has anything to read: an explicit path, a
// KUBECONFIG or ~/.kube/config file that exists, or an in-cluster
// environment. `sluice validate` checks contexts only when it has.
bool kubeconfig_exists(const LoadOptions& options);
// What `validate` adds to "FILE: valid" when it could not check contexts.
inline constexpr const char* k_contexts_unchecked = " (contexts not checked: no kubeconfig found)";

// The service-account config used inside a pod; not_found when not in a cluster.
Result<Config> in_cluster_config(const Env& env, const std::string& service_account_dir);

// Parses one kubeconfig document (for tests and `load_kubeconfig`); `dir` is
// the directory relative paths resolve against, `source` names it in errors.
Result<Config> config_from_yaml(const std::string& yaml, const std::string& dir, const std::string& context,
                                const std::string& source = "<inline>");

}  // namespace sluice::kube
