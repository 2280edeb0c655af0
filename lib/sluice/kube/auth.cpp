#include <sluice/kube/auth.hpp>
#include <sluice/util/base64.hpp>
#include <sluice/util/process.hpp>
#include <sluice/util/rfc3339.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::kube {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using util::ErrorKind;
using util::make_error;

namespace {

constexpr util::Duration k_exec_timeout{60000};

Json exec_info(const ExecConfig& exec, const ClusterInfo& cluster, bool interactive) {
  Json spec = {{"interactive", interactive}};
  if (exec.provide_cluster_info) {
    Json c = {{"server", cluster.server}, {"insecure-skip-tls-verify", cluster.insecure_skip_tls_verify}};
    if (!cluster.tls_server_name.empty()) c["tls-server-name"] = cluster.tls_server_name;
    if (!cluster.certificate_authority_data.empty()) {
      c["certificate-authority-data"] = util::base64_encode(cluster.certificate_authority_data);
    }
    if (!cluster.proxy_url.empty()) c["proxy-url"] = cluster.proxy_url;
    spec["cluster"] = c;
  }
  return {{"apiVersion", exec.api_version}, {"kind", "ExecCredential"}, {"spec", spec}};
}

Result<ExecResult> parse_exec_credential(const std::string& out, const ExecConfig& exec) {
  std::string what = fmt::format("exec plugin '{}'", exec.command);
  Json cred = Json::parse(out, nullptr, false);
  if (!cred.is_object())
    return make_error(ErrorKind::unauthorized, what + ": output is not an ExecCredential");
  if (cred.value("apiVersion", "") != exec.api_version) {
    return make_error(ErrorKind::unauthorized,
                      fmt::format("{}: ExecCredential apiVersion \"{}\", want \"{}\"", what,
                                  cred.value("apiVersion", ""), exec.api_version));
  }
  const Json status = cred.value("status", Json::object());
  ExecResult result;
  result.token = status.value("token", "");
  result.client_cert_data = status.value("clientCertificateData", "");
  result.client_key_data = status.value("clientKeyData", "");
  if (result.token.empty() && (result.client_cert_data.empty() || result.client_key_data.empty())) {
    return make_error(
        ErrorKind::unauthorized,
        what + ": ExecCredential status has neither token nor clientCertificateData+clientKeyData");
  }
  std::string expiry = status.value("expirationTimestamp", "");
  if (!expiry.empty()) {
    auto parsed = util::parse_rfc3339(expiry);
    if (parsed) result.expires = *parsed;
    if (!parsed) {
      return make_error(ErrorKind::unauthorized,
                        fmt::format("{}: bad expirationTimestamp \"{}\"", what, expiry));
    }
  }
  return result;
}

std::string first_line(const std::string& text) {
  auto line = text.substr(0, text.find('\n'));
  return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

}  // namespace

Result<ExecResult> run_exec_plugin(const ExecConfig& exec, const ClusterInfo& cluster, bool interactive) {
  Env env = process_env();
  std::string path = util::find_executable(exec.command, env["PATH"]);
  if (path.empty()) {
    std::string message = fmt::format("exec plugin: executable '{}' not found", exec.command);
    if (!exec.install_hint.empty()) message += "; " + exec.install_hint;
    return make_error(ErrorKind::unauthorized, message);
  }
  for (const auto& [k, v] : exec.env) env[k] = v;
  env["KUBERNETES_EXEC_INFO"] = exec_info(exec, cluster, interactive).dump();
  std::vector<std::string> argv{path};
  argv.insert(argv.end(), exec.args.begin(), exec.args.end());
  util::ProcessOptions options;
  options.env = env;
  options.timeout = k_exec_timeout;
  auto output = util::run_process(argv, options);
  if (!output) return output.error().with_context(fmt::format("exec plugin '{}'", exec.command));
  if (output->exit_code != 0) {
    return make_error(ErrorKind::unauthorized,
                      fmt::format("exec plugin '{}' exited with {}: {}", exec.command, output->exit_code,
                                  first_line(output->err)));
  }
  return parse_exec_credential(output->out, exec);
}

Authenticator::Authenticator(const Config& config, util::Clock& clock) : config_(config), clock_(clock) {}

Result<std::string> Authenticator::file_token() {
  std::error_code ec;
  auto mtime = fs::last_write_time(config_.user.token_file, ec);
  if (ec) {
    return make_error(ErrorKind::unauthorized,
                      fmt::format("tokenFile '{}': cannot be read", config_.user.token_file));
  }
  long long stamp = mtime.time_since_epoch().count();
  if (stamp != token_file_mtime_ns_) {
    std::ifstream in(config_.user.token_file);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string token = buffer.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
      token.pop_back();
    token_file_cache_ = token;
    token_file_mtime_ns_ = stamp;
  }
  return token_file_cache_;
}

Result<Credentials> Authenticator::current() {
  std::lock_guard lock(mutex_);
  const UserInfo& user = config_.user;
  Credentials creds;
  if (user.exec) {
    bool expired = exec_cache_ && exec_cache_->expires && *exec_cache_->expires <= clock_.wall_now();
    if (!exec_cache_ || expired) {
      auto fresh = run_exec_plugin(*user.exec, config_.cluster);
      if (!fresh) return fresh.error();
      exec_cache_ = *fresh;
    }
    if (!exec_cache_->token.empty()) creds.authorization = "Bearer " + exec_cache_->token;
    creds.client_cert_data = exec_cache_->client_cert_data;
    creds.client_key_data = exec_cache_->client_key_data;
    return creds;
  }
  if (!user.token_file.empty()) {
    auto token = file_token();
    if (!token) return token.error();
    if (!token->empty()) creds.authorization = "Bearer " + *token;
  }
  if (creds.authorization.empty() && !user.token.empty()) creds.authorization = "Bearer " + user.token;
  if (creds.authorization.empty() && !user.username.empty()) {
    creds.authorization = "Basic " + util::base64_encode(user.username + ":" + user.password);
  }
  return creds;
}

bool Authenticator::invalidate() {
  std::lock_guard lock(mutex_);
  if (config_.user.exec) {
    exec_cache_.reset();
    return true;
  }
  if (!config_.user.token_file.empty()) {
    token_file_mtime_ns_ = -1;  // a rotated file with the same mtime second is still re-read
    return true;
  }
  return false;
}

}  // namespace sluice::kube
