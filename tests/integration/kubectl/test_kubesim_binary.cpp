// The kubesim binary as scripts use it: --help, --write-kubeconfig appearing
// only once it serves, and a clean exit on SIGTERM.
#include "support/kubesim_fixture.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using sluice::test::Kubesim;
using sluice::test::KubesimOptions;

TEST_CASE("kubesim --help explains how to start it", "[kubesim-binary]") {
  auto help = sluice::test::run(sluice::test::kubesim_binary(), {"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--write-kubeconfig") != std::string::npos);
  CHECK(help.out.find("/kubesim/v1") != std::string::npos);
}

TEST_CASE("kubesim writes its kubeconfig once it serves and stops cleanly on SIGTERM", "[kubesim-binary]") {
  KubesimOptions options;
  options.as_process = true;
  options.tls = true;  // kubectl sends bearer tokens only over HTTPS
  options.token = "t0ken";
  Kubesim sim(options);
  auto ns = sim.get("/api/v1/namespaces/default");
  CHECK(ns.status == 200);
  const std::string kubectl = sluice::test::find_program("kubectl");
  if (!kubectl.empty()) {
    auto get = sluice::test::run(
        kubectl, {"--kubeconfig", sim.kubeconfig_path(), "get", "ns", "default", "-o", "name"},
        {"HOME=" + sim.dir()});
    CHECK(get.out == "namespace/default\n");
  }
  CHECK(sim.process()->terminate() == 0);
  CHECK(sim.process()->stdout_text().find("kubesim listening on https://127.0.0.1:") == 0);
}

TEST_CASE("kubesim refuses a bad flag with a usage error", "[kubesim-binary]") {
  auto bad = sluice::test::run(sluice::test::kubesim_binary(), {"--no-such-flag"});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("--no-such-flag") != std::string::npos);
}
