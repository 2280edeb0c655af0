// `sluice doctor` as a user runs it, against kubesim; and the guarantee that no
// credential appears on any output stream at any verbosity.
#include "kube_env.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include "tree_paths.hpp"

using sluice::test::Kubesim;
using sluice::test::KubesimOptions;
using sluice::test::run;

namespace {

std::string sluice_binary() {
  if (const char* bin = std::getenv("SLUICE_BIN")) return bin;
  return std::string(SLUICE_BINARY_DIR) + "/sluice";
}

constexpr const char* k_planted = "PLANTED-SECRET-7f3a9c";

// A kubeconfig for `server` whose user carries the planted token.
std::string planted_kubeconfig(const sluice::test::TempDir& dir, const std::string& server, bool insecure) {
  std::string path = dir.file("planted-kubeconfig");
  std::ofstream(path) << "current-context: c\nclusters: [{name: k, cluster: {server: \"" << server
                      << "\", insecure-skip-tls-verify: " << (insecure ? "true" : "false")
                      << "}}]\nusers: [{name: u, user: {token: " << k_planted
                      << ", username: admin, password: " << k_planted
                      << "}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n";
  return path;
}

// Listens but never accepts: connections hang in the handshake, like a black-holed server.
struct SilentPort {
  int fd = -1;
  int port = 0;
  SilentPort() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 16) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~SilentPort() { ::close(fd); }
};

}  // namespace

TEST_CASE("doctor passes against kubesim and checks the plan's target", "[kube][integration][doctor]") {
  KubesimOptions options;
  options.tls = true;
  options.token = "doctor-token";
  options.controllers = false;
  Kubesim sim(options);
  sim.create_namespace("shop");
  sim.create_service("shop", "web", {{"app", "web"}});
  sluice::test::TempDir dir;
  std::string plan = dir.file("plan.yaml");
  std::ofstream(plan) << "apiVersion: sluice/v1\nkind: Plan\nmetadata: {name: web}\n"
                         "target: {namespace: shop, deployment: web, service: web}\nimage: web:2\n"
                         "strategy: {rolling: {maxSurge: 1, maxUnavailable: 0}}\n";
  auto plain = run(sluice_binary(), {"--kubeconfig", sim.kubeconfig_path(), "-n", "shop", "doctor"});
  INFO(plain.out << plain.err);
  CHECK(plain.exit_code == 0);
  CHECK(plain.out.find("ok    reachable: " + sim.url()) != std::string::npos);
  CHECK(plain.out.find("ok    Namespace shop: exists") != std::string::npos);

  auto with_plan = run(sluice_binary(), {"--kubeconfig", sim.kubeconfig_path(), "doctor", plan});
  INFO(with_plan.out << with_plan.err);
  CHECK(with_plan.exit_code == 6);  // the Deployment does not exist yet
  CHECK(with_plan.out.find("FAIL  Deployment shop/web: not found") != std::string::npos);
  CHECK(with_plan.out.find("ok    Service shop/web: exists") != std::string::npos);

  // -o json: one object per line, each check and then the result.
  auto json = run(sluice_binary(), {"--kubeconfig", sim.kubeconfig_path(), "-o", "json", "doctor", plan});
  INFO(json.out << json.err);
  CHECK(json.exit_code == 6);
  std::vector<nlohmann::json> lines;
  std::istringstream stream(json.out);
  for (std::string line; std::getline(stream, line);) lines.push_back(nlohmann::json::parse(line));
  REQUIRE(lines.size() >= 3);
  bool deployment_failed = false;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    CHECK(lines[i]["kind"] == "check");
    if (lines[i]["check"] == "Deployment shop/web") deployment_failed = lines[i]["ok"] == false;
  }
  CHECK(deployment_failed);
  CHECK(lines.back()["kind"] == "result");
  CHECK(lines.back()["ok"] == false);
  CHECK(lines.back()["exitCode"] == 6);
}

TEST_CASE("doctor fails with exit 6 within the timeout when the server does not answer",
          "[kube][integration][doctor]") {
  SilentPort silent;
  sluice::test::TempDir dir;
  auto kubeconfig = planted_kubeconfig(dir, "https://127.0.0.1:" + std::to_string(silent.port), false);
  auto started = std::chrono::steady_clock::now();
  auto result = run(sluice_binary(), {"--kubeconfig", kubeconfig, "doctor", "--timeout", "1"});
  auto took = std::chrono::steady_clock::now() - started;
  INFO(result.out << result.err);
  CHECK(result.exit_code == 6);
  CHECK(result.out.find("FAIL  reachable: https://127.0.0.1:" + std::to_string(silent.port)) !=
        std::string::npos);
  CHECK(took < std::chrono::seconds(5));
}

TEST_CASE("no credential appears in any output stream at any verbosity",
          "[kube][integration][doctor][secrets]") {
  KubesimOptions options;
  options.tls = true;
  options.token = "the-real-token";  // the planted one is refused: the 401 path is exercised too
  options.controllers = false;
  Kubesim sim(options);
  sluice::test::TempDir dir;
  SilentPort silent;
  struct Case {
    std::string server;
    std::vector<std::string> flags;
  };
  const std::string silent_url = "https://127.0.0.1:" + std::to_string(silent.port);
  const std::vector<Case> cases = {
      {sim.url(), {}},
      {sim.url(), {"-v"}},
      {sim.url(), {"-vv"}},
      {sim.url(), {"-vv", "-o", "json"}},
      {"https://127.0.0.1:1", {"-vv"}},
      {silent_url, {"-vv"}},
  };
  for (const auto& c : cases) {
    auto kubeconfig = planted_kubeconfig(dir, c.server, true);
    std::vector<std::string> args = {"--kubeconfig", kubeconfig};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    args.insert(args.end(), {"doctor", "--timeout", "1"});
    auto result = run(sluice_binary(), args);
    INFO(c.server << " " << args.size() << "\n" << result.out << result.err);
    CHECK(result.exit_code == 6);
    CHECK(result.out.find(k_planted) == std::string::npos);
    CHECK(result.err.find(k_planted) == std::string::npos);
    CHECK((result.out + result.err).find("insecure-skip-tls-verify") != std::string::npos);
  }
}
