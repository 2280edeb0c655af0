// Rollout-name completion from the cluster: the generated bash script, loaded
// in a real bash, asks the real binary (`sluice __complete rollouts`) for the
// rollouts recorded in kubesim, and offers nothing, quickly, when the
// cluster does not answer.
#include "support/kubesim_fixture.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include "tree_paths.hpp"

using sluice::test::Kubesim;

namespace {

std::string sluice_bin() {
  const char* bin = std::getenv("SLUICE_BIN");
  return bin != nullptr ? bin : SLUICE_BINARY_DIR "/sluice";
}

// What bash offers after `line` (a trailing space starts a new word), with
// the binary's folder on PATH as an installed sluice would be. `exit_code`
// is -1 when bash had to be killed after 20 s.
sluice::test::RunResult completes(const std::string& line) {
  static sluice::testing::TempDir dir("sluice-completion");
  auto script = sluice::test::run(sluice_bin(), {"completion", "bash"});
  REQUIRE(script.exit_code == 0);
  std::string path = dir.write("sluice.bash", script.out).string();
  std::string program =
      "source " + path + "; read -ra COMP_WORDS <<< \"$LINE\"; " +
      "[[ \"$LINE\" == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _sluice; " +
      "(( ${#COMPREPLY[@]} )) && printf '%s\\n' \"${COMPREPLY[@]}\" | sort | tr '\\n' ' '; true";
  std::string bin_dir = std::filesystem::path(sluice_bin()).parent_path().string();
  return sluice::test::run("/bin/bash", {"--norc", "-c", program},
                           {"LINE=" + line, "PATH=" + bin_dir + ":/usr/bin:/bin"}, std::chrono::seconds(20));
}

// A rollout record as the state store labels it (the data does not matter to completion).
void add_record(Kubesim& sim, const std::string& ns, const std::string& rollout) {
  nlohmann::json cm{
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata",
       {{"name", "sluice-" + rollout},
        {"labels", {{"app.kubernetes.io/managed-by", "sluice"}, {"sluice.io/rollout", rollout}}}}},
      {"data", {{"rollout", "{}"}}}};
  REQUIRE(sim.request("POST", "/api/v1/namespaces/" + ns + "/configmaps", cm).status == 201);
}

// Listens but never accepts: a cluster that does not answer.
struct SilentPort {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  SilentPort() {
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

TEST_CASE("completion: bash offers the rollouts recorded in the namespace -n names",
          "[completion][integration]") {
  // Given two recorded rollouts in shop, one elsewhere, and a ConfigMap that is no record
  Kubesim sim;
  sim.create_namespace("shop");
  add_record(sim, "shop", "web");
  add_record(sim, "shop", "api");
  add_record(sim, "default", "batch");
  nlohmann::json other{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "settings"}}}};
  REQUIRE(sim.request("POST", "/api/v1/namespaces/shop/configmaps", other).status == 201);
  std::string reach = "--kubeconfig " + sim.kubeconfig_path() + " -n shop";

  // Then every verb that takes a rollout NAME offers exactly shop's rollouts
  for (const std::string verb : {"status", "promote", "abort", "rollback", "history"}) {
    auto offered = completes("sluice " + reach + " " + verb + " ");
    INFO(verb << ": " << offered.err);
    CHECK(offered.out == "api web ");
  }
  // with the flags after the verb too, and a prefix narrowing them
  CHECK(completes("sluice status " + reach + " w").out == "web ");
  CHECK(completes("sluice status --kubeconfig=" + sim.kubeconfig_path() + " --namespace=shop a").out ==
        "api ");
  // and the context's namespace when no -n is typed
  CHECK(completes("sluice --kubeconfig " + sim.kubeconfig_path() + " status ").out == "batch ");
}

TEST_CASE("completion: an unreachable cluster yields no names, no errors, within the timeout",
          "[completion][integration]") {
  SilentPort silent;
  sluice::testing::TempDir dir("sluice-completion-silent");
  std::string config =
      dir.write("kubeconfig",
                "current-context: c\nclusters: [{name: k, cluster: {server: \"https://127.0.0.1:" +
                    std::to_string(silent.port) +
                    "\"}}]\nusers: [{name: u, user: {token: t}}]\n"
                    "contexts: [{name: c, context: {cluster: k, user: u, namespace: shop}}]\n")
          .string();
  auto offered = completes("sluice --kubeconfig " + config + " status ");
  CHECK(offered.exit_code == 0);  // not killed at 20 s: the 2 s limit held
  CHECK(offered.out.empty());
  CHECK(offered.err.empty());

  auto direct = sluice::test::run(sluice_bin(), {"--kubeconfig", config, "__complete", "rollouts"}, {},
                                  std::chrono::seconds(20));
  CHECK(direct.exit_code == 0);
  CHECK(direct.out.empty());
  CHECK(direct.err.empty());
}
