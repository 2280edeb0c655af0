#include <sluice/kube/config.hpp>

#include <catch2/catch.hpp>
#include <support/temp_dir.hpp>

using sluice::kube::Env;
using sluice::kube::load_kubeconfig;
using sluice::kube::LoadOptions;
using sluice::testing::TempDir;
using sluice::util::ErrorKind;

namespace {

const char* k_first = R"(apiVersion: v1
kind: Config
current-context: first
clusters:
- name: shared
  cluster: {server: "https://first.example:6443/", certificate-authority: certs/ca.crt}
- name: only-first
  cluster: {server: "https://only-first.example"}
users:
- name: shared
  user: {token: first-token, client-certificate: ../client.crt, client-key: /abs/client.key}
contexts:
- name: first
  context: {cluster: shared, user: shared, namespace: prod}
)";

const char* k_second = R"(apiVersion: v1
kind: Config
current-context: second
clusters:
- name: shared
  cluster: {server: "https://second.example"}
- name: only-second
  cluster: {server: "https://only-second.example", insecure-skip-tls-verify: true, tls-server-name: api.internal, proxy-url: "http://proxy:3128"}
users:
- name: shared
  user: {token: second-token}
- name: basic
  user: {username: alice, password: wonderland}
contexts:
- name: first
  context: {cluster: only-second, user: basic}
- name: second
  context: {cluster: only-second, user: basic}
)";

LoadOptions with_env(Env env) {
  LoadOptions options;
  options.env = std::move(env);
  options.service_account_dir = "/nonexistent/serviceaccount";
  return options;
}

}  // namespace

TEST_CASE("KUBECONFIG merges files: the first file to set a key wins", "[kube][config]") {
  TempDir dir;
  auto a = dir.write("a/config", k_first);
  auto b = dir.write("b/config", k_second);
  auto missing = dir.path() / "missing";
  auto options = with_env({{"KUBECONFIG", missing.string() + ":" + a.string() + ":" + b.string()}});

  SECTION("current-context, context, cluster and user come from the first file") {
    auto config = load_kubeconfig(options);
    REQUIRE(config.ok());
    CHECK(config->context == "first");
    CHECK(config->ns == "prod");
    CHECK(config->cluster.server == "https://first.example:6443");
    CHECK(config->user.token == "first-token");
    CHECK(config->sources == std::vector<std::string>{a.string(), b.string()});
  }
  SECTION("a context only the second file has is found, with its own cluster and user") {
    options.context = "second";
    auto config = load_kubeconfig(options);
    REQUIRE(config.ok());
    CHECK(config->cluster.server == "https://only-second.example");
    CHECK(config->cluster.insecure_skip_tls_verify);
    CHECK(config->cluster.tls_server_name == "api.internal");
    CHECK(config->cluster.proxy_url == "http://proxy:3128");
    CHECK(config->user.username == "alice");
    CHECK(config->ns == "default");
  }
  SECTION("the order of the list decides") {
    options.env = Env{{"KUBECONFIG", b.string() + ":" + a.string()}};
    auto config = load_kubeconfig(options);
    REQUIRE(config.ok());
    CHECK(config->context == "second");
    options.context = "first";
    config = load_kubeconfig(options);
    REQUIRE(config.ok());
    CHECK(config->cluster.server == "https://only-second.example");
  }
}

TEST_CASE("relative paths resolve against the directory of the file that holds them", "[kube][config]") {
  TempDir dir;
  auto a = dir.write("a/config", k_first);
  auto config = load_kubeconfig(with_env({{"KUBECONFIG", a.string()}}));
  REQUIRE(config.ok());
  CHECK(config->cluster.certificate_authority == (dir.path() / "a/certs/ca.crt").string());
  CHECK(config->user.client_certificate == (dir.path() / "client.crt").string());
  CHECK(config->user.client_key == "/abs/client.key");
}

TEST_CASE("an unparsable file in KUBECONFIG is an error naming it", "[kube][config]") {
  TempDir dir;
  auto a = dir.write("a/config", k_first);
  auto bad = dir.write("bad", "clusters: [unclosed\n");
  auto config = load_kubeconfig(with_env({{"KUBECONFIG", a.string() + ":" + bad.string()}}));
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().kind == ErrorKind::invalid);
  CHECK(config.error().message.find("kubeconfig '" + bad.string() + "': line 2") == 0);
}

TEST_CASE("--kubeconfig is exactly one file that must exist", "[kube][config]") {
  TempDir dir;
  auto a = dir.write("a/config", k_first);
  auto b = dir.write("b/config", k_second);
  auto options = with_env({{"KUBECONFIG", a.string()}});
  options.explicit_path = b.string();
  auto config = load_kubeconfig(options);
  REQUIRE(config.ok());
  CHECK(config->context == "second");

  options.explicit_path = (dir.path() / "nope").string();
  config = load_kubeconfig(options);
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().kind == ErrorKind::not_found);
  CHECK(config.error().message == "kubeconfig '" + options.explicit_path + "': no such file");
}

TEST_CASE("without KUBECONFIG, $HOME/.kube/config is read", "[kube][config]") {
  TempDir dir;
  dir.write(".kube/config", k_second);
  auto config = load_kubeconfig(with_env({{"HOME", dir.path().string()}}));
  REQUIRE(config.ok());
  CHECK(config->context == "second");
}

TEST_CASE("unknown context, cluster or user are not_found errors", "[kube][config]") {
  TempDir dir;
  auto a = dir.write("a/config", k_first);
  auto options = with_env({{"KUBECONFIG", a.string()}});
  options.context = "nope";
  auto config = load_kubeconfig(options);
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().kind == ErrorKind::not_found);
  CHECK(config.error().message == "kubeconfig (" + a.string() + "): context \"nope\" not found");

  auto c = dir.write("c", "contexts: [{name: x, context: {cluster: ghost}}]\ncurrent-context: x\n");
  config = load_kubeconfig(with_env({{"KUBECONFIG", c.string()}}));
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().message ==
        "kubeconfig (" + c.string() + "): context \"x\": cluster \"ghost\" not found");
}

TEST_CASE("*-data fields are base64-decoded and exec plugins parsed", "[kube][config]") {
  const char* yaml = R"(current-context: c
clusters: [{name: k, cluster: {server: "https://k", certificate-authority-data: "Q0EgUEVN"}}]
users:
- name: u
  user:
    client-certificate-data: "Q0VSVA=="
    client-key-data: "S0VZ"
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/get-token
      args: [--cluster, k]
      env: [{name: REGION, value: eu}]
      installHint: "install get-token from example.com"
      provideClusterInfo: true
contexts: [{name: c, context: {cluster: k, user: u}}]
)";
  auto config = sluice::kube::config_from_yaml(yaml, "/etc/kube", "");
  REQUIRE(config.ok());
  CHECK(config->cluster.certificate_authority_data == "CA PEM");
  CHECK(config->user.client_certificate_data == "CERT");
  CHECK(config->user.client_key_data == "KEY");
  REQUIRE(config->user.exec.has_value());
  CHECK(config->user.exec->command == "/etc/kube/bin/get-token");
  CHECK(config->user.exec->args == std::vector<std::string>{"--cluster", "k"});
  CHECK(config->user.exec->env.at(0) == std::pair<std::string, std::string>{"REGION", "eu"});
  CHECK(config->user.exec->install_hint == "install get-token from example.com");
  CHECK(config->user.exec->provide_cluster_info);
}

TEST_CASE("a bare exec command name is looked up in PATH, not resolved", "[kube][config]") {
  const char* yaml = R"(current-context: c
clusters: [{name: k, cluster: {server: "https://k"}}]
users: [{name: u, user: {exec: {command: aws, args: [eks]}}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
)";
  auto config = sluice::kube::config_from_yaml(yaml, "/etc/kube", "");
  REQUIRE(config.ok());
  CHECK(config->user.exec->command == "aws");
}

TEST_CASE("in-cluster config is used when no kubeconfig exists", "[kube][config]") {
  TempDir dir;
  dir.write("sa/token", "sa-token\n");
  dir.write("sa/ca.crt", "pem");
  dir.write("sa/namespace", "jobs\n");
  LoadOptions options;
  options.env = Env{{"HOME", (dir.path() / "nohome").string()},
                    {"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                    {"KUBERNETES_SERVICE_PORT", "443"}};
  options.service_account_dir = (dir.path() / "sa").string();
  auto config = load_kubeconfig(options);
  REQUIRE(config.ok());
  CHECK(config->context == "in-cluster");
  CHECK(config->cluster.server == "https://10.0.0.1:443");
  CHECK(config->cluster.certificate_authority == (dir.path() / "sa/ca.crt").string());
  CHECK(config->user.token_file == (dir.path() / "sa/token").string());
  CHECK(config->ns == "jobs");

  options.env = Env{{"HOME", (dir.path() / "nohome").string()}};
  config = load_kubeconfig(options);
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().message ==
        "no kubeconfig found: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config");
}
