#include <sluice/kube/config.hpp>
#include <sluice/util/base64.hpp>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;  // NOLINT: POSIX

namespace sluice::kube {

namespace fs = std::filesystem;
using util::ErrorKind;
using util::make_error;

namespace {

// One named entry (cluster, user or context) and the directory its file lives in.
struct Entry {
  YAML::Node node;
  std::string dir;
  std::string source;
};

// The merged view of one or more kubeconfig files: first file to name a key wins.
struct Merged {
  std::map<std::string, Entry> clusters, users, contexts;
  std::string current_context;
  std::vector<std::string> sources;
};

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::not_found, fmt::format("kubeconfig '{}': cannot be read", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void merge_named(const YAML::Node& list, const char* field, std::map<std::string, Entry>& into,
                 const std::string& dir, const std::string& source) {
  if (!list || !list.IsSequence()) return;
  for (const auto& item : list) {
    if (!item.IsMap() || !item["name"]) continue;
    auto name = item["name"].as<std::string>();
    if (into.count(name) == 0) into[name] = Entry{item[field], dir, source};
  }
}

util::Status merge_text(Merged& merged, const std::string& text, const std::string& dir,
                        const std::string& source) {
  try {
    YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return {};
    if (!root.IsMap())
      return make_error(ErrorKind::invalid, fmt::format("kubeconfig '{}': not a mapping", source));
    merge_named(root["clusters"], "cluster", merged.clusters, dir, source);
    merge_named(root["users"], "user", merged.users, dir, source);
    merge_named(root["contexts"], "context", merged.contexts, dir, source);
    if (merged.current_context.empty() && root["current-context"]) {
      merged.current_context = root["current-context"].as<std::string>();
    }
  } catch (const YAML::Exception& e) {
    return make_error(ErrorKind::invalid, fmt::format("kubeconfig '{}': line {}, column {}: {}", source,
                                                      e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  merged.sources.push_back(source);
  return {};
}

std::string resolve_path(const std::string& path, const std::string& dir) {
  if (path.empty() || fs::path(path).is_absolute() || dir.empty()) return path;
  return (fs::path(dir) / path).lexically_normal().string();
}

std::string str(const YAML::Node& node, const char* key) {
  return node && node.IsMap() && node[key] && node[key].IsScalar() ? node[key].as<std::string>() : "";
}

Result<std::string> data_field(const YAML::Node& node, const char* key, const std::string& what) {
  std::string text = str(node, key);
  if (text.empty()) return std::string();
  auto decoded = util::base64_decode(text);
  if (!decoded) return make_error(ErrorKind::invalid, fmt::format("{}: {} is not valid base64", what, key));
  return *decoded;
}

Result<ClusterInfo> parse_cluster(const Entry& e, const std::string& name) {
  ClusterInfo c;
  std::string what = fmt::format("kubeconfig '{}': cluster \"{}\"", e.source, name);
  c.server = str(e.node, "server");
  while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
  if (c.server.empty()) return make_error(ErrorKind::invalid, what + ": server is not set");
  c.certificate_authority = resolve_path(str(e.node, "certificate-authority"), e.dir);
  auto ca = data_field(e.node, "certificate-authority-data", what);
  if (!ca) return ca.error();
  c.certificate_authority_data = *ca;
  c.insecure_skip_tls_verify = str(e.node, "insecure-skip-tls-verify") == "true";
  c.tls_server_name = str(e.node, "tls-server-name");
  c.proxy_url = str(e.node, "proxy-url");
  return c;
}

ExecConfig parse_exec(const YAML::Node& node, const std::string& dir) {
  ExecConfig x;
  x.command = str(node, "command");
  if (x.command.find('/') != std::string::npos) x.command = resolve_path(x.command, dir);
  if (node["args"] && node["args"].IsSequence()) {
    for (const auto& a : node["args"]) x.args.push_back(a.as<std::string>());
  }
  if (node["env"] && node["env"].IsSequence()) {
    for (const auto& v : node["env"]) x.env.emplace_back(str(v, "name"), str(v, "value"));
  }
  if (!str(node, "apiVersion").empty()) x.api_version = str(node, "apiVersion");
  x.install_hint = str(node, "installHint");
  x.provide_cluster_info = str(node, "provideClusterInfo") == "true";
  if (!str(node, "interactiveMode").empty()) x.interactive_mode = str(node, "interactiveMode");
  return x;
}

Result<UserInfo> parse_user(const Entry& e, const std::string& name) {
  UserInfo u;
  std::string what = fmt::format("kubeconfig '{}': user \"{}\"", e.source, name);
  u.client_certificate = resolve_path(str(e.node, "client-certificate"), e.dir);
  u.client_key = resolve_path(str(e.node, "client-key"), e.dir);
  auto cert = data_field(e.node, "client-certificate-data", what);
  if (!cert) return cert.error();
  auto key = data_field(e.node, "client-key-data", what);
  if (!key) return key.error();
  u.client_certificate_data = *cert;
  u.client_key_data = *key;
  u.token = str(e.node, "token");
  u.token_file = resolve_path(str(e.node, "tokenFile"), e.dir);
  u.username = str(e.node, "username");
  u.password = str(e.node, "password");
  if (e.node && e.node.IsMap() && e.node["exec"]) u.exec = parse_exec(e.node["exec"], e.dir);
  return u;
}

std::string source_list(const Merged& merged) {
  std::string out;
  for (const auto& s : merged.sources) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Result<Config> resolve(const Merged& merged, const std::string& wanted) {
  std::string name = wanted.empty() ? merged.current_context : wanted;
  if (name.empty()) {
    return make_error(
        ErrorKind::not_found,
        fmt::format("kubeconfig ({}): current-context is not set; pass --context", source_list(merged)));
  }
  auto ctx = merged.contexts.find(name);
  if (ctx == merged.contexts.end()) {
    return make_error(ErrorKind::not_found,
                      fmt::format("kubeconfig ({}): context \"{}\" not found", source_list(merged), name));
  }
  Config config;
  config.context = name;
  config.sources = merged.sources;
  config.cluster_name = str(ctx->second.node, "cluster");
  config.user_name = str(ctx->second.node, "user");
  if (!str(ctx->second.node, "namespace").empty()) config.ns = str(ctx->second.node, "namespace");
  auto cluster = merged.clusters.find(config.cluster_name);
  if (cluster == merged.clusters.end()) {
    return make_error(ErrorKind::not_found,
                      fmt::format("kubeconfig ({}): context \"{}\": cluster \"{}\" not found",
                                  source_list(merged), name, config.cluster_name));
  }
  auto parsed_cluster = parse_cluster(cluster->second, config.cluster_name);
  if (!parsed_cluster) return parsed_cluster.error();
  config.cluster = *parsed_cluster;
  if (config.user_name.empty()) return config;
  auto user = merged.users.find(config.user_name);
  if (user == merged.users.end()) {
    return make_error(ErrorKind::not_found,
                      fmt::format("kubeconfig ({}): context \"{}\": user \"{}\" not found",
                                  source_list(merged), name, config.user_name));
  }
  auto parsed_user = parse_user(user->second, config.user_name);
  if (!parsed_user) return parsed_user.error();
  config.user = *parsed_user;
  return config;
}

std::string env_get(const Env& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}

util::Status merge_file(Merged& merged, const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  return merge_text(merged, *text, fs::absolute(path).parent_path().string(), path);
}

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ':')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

Env process_env() {
  Env env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

Result<Config> config_from_yaml(const std::string& yaml, const std::string& dir, const std::string& context,
                                const std::string& source) {
  Merged merged;
  if (auto st = merge_text(merged, yaml, dir, source); !st) return st.error();
  return resolve(merged, context);
}

Result<Config> in_cluster_config(const Env& env, const std::string& sa_dir) {
  std::string host = env_get(env, "KUBERNETES_SERVICE_HOST");
  std::string port = env_get(env, "KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return make_error(ErrorKind::not_found,
                      "not running in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set");
  }
  if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6
  Config config;
  config.context = "in-cluster";
  config.cluster.server = "https://" + host + ":" + port;
  config.cluster.certificate_authority = (fs::path(sa_dir) / "ca.crt").string();
  config.user.token_file = (fs::path(sa_dir) / "token").string();
  if (!fs::exists(config.user.token_file)) {
    return make_error(
        ErrorKind::not_found,
        fmt::format("in-cluster config: service account token '{}' not found", config.user.token_file));
  }
  auto ns = read_file((fs::path(sa_dir) / "namespace").string());
  if (ns && !ns->empty()) config.ns = ns->substr(0, ns->find_first_of("\r\n"));
  config.sources.push_back(sa_dir);
  return config;
}

namespace {

// The files KUBECONFIG names, else ~/.kube/config (kubectl's order).
std::vector<std::string> kubeconfig_files(const Env& env) {
  std::vector<std::string> files = split_list(env_get(env, "KUBECONFIG"));
  if (files.empty() && !env_get(env, "HOME").empty()) files.push_back(env_get(env, "HOME") + "/.kube/config");
  return files;
}

}  // namespace

bool kubeconfig_exists(const LoadOptions& options) {
  if (!options.explicit_path.empty()) return true;
  Env env = options.env ? *options.env : process_env();
  auto files = kubeconfig_files(env);
  return std::any_of(files.begin(), files.end(), [](const std::string& f) { return fs::exists(f); }) ||
         !env_get(env, "KUBERNETES_SERVICE_HOST").empty();
}

Result<Config> load_kubeconfig(const LoadOptions& options) {
  Env env = options.env ? *options.env : process_env();
  Merged merged;
  if (!options.explicit_path.empty()) {
    if (!fs::exists(options.explicit_path)) {
      return make_error(ErrorKind::not_found,
                        fmt::format("kubeconfig '{}': no such file", options.explicit_path));
    }
    if (auto st = merge_file(merged, options.explicit_path); !st) return st.error();
    return resolve(merged, options.context);
  }
  for (const auto& file : kubeconfig_files(env)) {
    if (!fs::exists(file)) continue;  // kubectl skips missing entries of the list
    if (auto st = merge_file(merged, file); !st) return st.error();
  }
  if (merged.sources.empty()) {
    auto in_cluster = in_cluster_config(env, options.service_account_dir);
    if (in_cluster || !env_get(env, "KUBERNETES_SERVICE_HOST").empty()) return in_cluster;
    return make_error(ErrorKind::not_found,
                      "no kubeconfig found: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config");
  }
  return resolve(merged, options.context);
}

}  // namespace sluice::kube
