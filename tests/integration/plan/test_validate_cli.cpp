// `sluice validate` and `sluice plan` as a user runs them: exit codes and
// where the output goes.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include "tree_paths.hpp"

namespace {

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs the sluice binary with `args` (already shell-quoted) from the source dir.
Run run_sluice(const std::string& args) {
  const char* bin = std::getenv("SLUICE_BIN");
  REQUIRE(bin != nullptr);
  auto dir = std::filesystem::temp_directory_path() /
             ("sluice-cli-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  std::filesystem::create_directories(dir);
  std::string command = std::string("cd '") + SLUICE_SOURCE_DIR + "' && '" + bin + "' " + args + " >'" +
                        (dir / "out").string() + "' 2>'" + (dir / "err").string() + "'";
  int status = std::system(command.c_str());
  Run run{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir / "out"), slurp(dir / "err")};
  std::filesystem::remove_all(dir);
  return run;
}

}  // namespace

TEST_CASE("sluice validate exits 0 when every example plan is valid") {
  Run run = run_sluice("validate plans/examples/checkout-canary.yaml plans/examples/checkout-rolling.yaml");
  CHECK(run.exit_code == 0);
  CHECK(run.out ==
        "plans/examples/checkout-canary.yaml: valid\nplans/examples/checkout-rolling.yaml: valid\n");
  CHECK(run.err.empty());
}

TEST_CASE("sluice validate exits 2 when any plan is invalid, reporting on stderr") {
  Run run = run_sluice("validate plans/examples/checkout-canary.yaml plans/no-such-plan.yaml");
  CHECK(run.exit_code == 2);
  CHECK(run.out == "plans/examples/checkout-canary.yaml: valid\n");
  CHECK(run.err == "plans/no-such-plan.yaml: cannot open: No such file or directory\n");
}

TEST_CASE("sluice validate -o json writes one object per line to stdout") {
  Run run = run_sluice("validate -o json plans");
  CHECK(run.exit_code == 2);
  CHECK(run.out ==
        "{\"file\":\"plans\",\"line\":0,\"column\":0,\"path\":\"\",\"message\":\"is a directory, not a plan "
        "file\"}\n"
        "{\"file\":\"plans\",\"valid\":false,\"errors\":1}\n");
}

TEST_CASE("sluice plan prints the steps and exits 0") {
  Run run = run_sluice("plan plans/examples/checkout-rolling.yaml");
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("  1. set the new image on Deployment checkout; Kubernetes replaces the pods\n") !=
        std::string::npos);
  CHECK(run.err.empty());
}

TEST_CASE("sluice plan exits 2 on an invalid plan") {
  Run run = run_sluice("plan /dev/null");
  CHECK(run.exit_code == 2);
  CHECK(run.err == "/dev/null: is not a regular file\n");
}

TEST_CASE("sluice apply takes a canary plan to preflight: an unreachable cluster is exit 6") {
  // A kubeconfig naming a port nothing listens on: any request would fail with exit 6.
  auto dir = std::filesystem::temp_directory_path() / ("sluice-canary-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "kubeconfig")
      << "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n"
         "users: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
         "current-context: x\n";
  Run run = run_sluice("apply plans/examples/checkout-canary.yaml --kubeconfig '" +
                       (dir / "kubeconfig").string() + "'");
  std::filesystem::remove_all(dir);
  CHECK(run.exit_code == 6);
  CHECK(run.out.find("127.0.0.1:1") != std::string::npos);
}
