// Bad input given to the real sluice binary: files that are not plans, huge
// or malformed values and out-of-range flags are refused at once, with one
// clear line and exit 2, before anything is contacted.
#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include "tree_paths.hpp"

using sluice::test::RunResult;

namespace {

std::string sluice_bin() {
  const char* bin = std::getenv("SLUICE_BIN");
  return bin != nullptr ? bin : SLUICE_BINARY_DIR "/sluice";
}

// A kubeconfig naming a port nothing listens on, so nothing can be reached by accident.
std::vector<std::string> no_cluster(const sluice::test::TempDir& dir) {
  std::ofstream(dir.file("kubeconfig"))
      << "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n"
         "users: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
         "current-context: x\n";
  return {"--kubeconfig", dir.file("kubeconfig")};
}

// Runs sluice with `args`; a hung run is killed after `timeout` and has exit code -1.
RunResult run_sluice(std::vector<std::string> args,
                     std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  return sluice::test::run(sluice_bin(), args, {"HOME=/nonexistent"}, timeout);
}

std::string plan_with_image(const std::string& image) {
  return "apiVersion: sluice/v1\nkind: Plan\nmetadata: {name: web}\n"
         "target: {namespace: shop, deployment: web}\nimage: " +
         image + "\nstrategy: {rolling: {}}\n";
}

}  // namespace

TEST_CASE("apply and plan refuse a FIFO as validate does, without waiting for a writer") {
  sluice::test::TempDir dir;
  std::string fifo = dir.file("plan.yaml");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  RunResult validate = run_sluice({"validate", fifo});
  CHECK(validate.exit_code == 2);
  CHECK(validate.err == fifo + ": is not a regular file\n");
  for (const char* verb : {"apply", "plan"}) {
    INFO(verb);
    std::vector<std::string> args{verb, fifo};
    for (const auto& flag : no_cluster(dir)) args.push_back(flag);
    RunResult run = run_sluice(args, std::chrono::seconds(10));
    CHECK(run.exit_code == validate.exit_code);
    CHECK(run.err == validate.err);
    CHECK(run.out.empty());
  }
}

TEST_CASE("apply refuses a symlink to /dev/zero without reading it") {
  sluice::test::TempDir dir;
  std::string link = dir.file("zero.yaml");
  std::filesystem::create_symlink("/dev/zero", link);
  std::vector<std::string> args{"apply", link};
  for (const auto& flag : no_cluster(dir)) args.push_back(flag);
  // Bounded: the bug was reading /dev/zero into memory until killed.
  RunResult run = run_sluice(args, std::chrono::seconds(5));
  CHECK(run.exit_code == 2);
  CHECK(run.err == link + ": is not a regular file\n");
}

TEST_CASE("apply refuses a file over the size cap with validate's words") {
  sluice::test::TempDir dir;
  std::string path = dir.file("big.yaml");
  std::ofstream(path) << plan_with_image("web:1") << "# " << std::string(1024 * 1024, 'x') << "\n";
  RunResult validate = run_sluice({"validate", path});
  std::vector<std::string> args{"-o", "json", "apply", path};
  for (const auto& flag : no_cluster(dir)) args.push_back(flag);
  RunResult apply = run_sluice(args);
  CHECK(validate.exit_code == 2);
  CHECK(validate.err == path + ": the file is 1048714 bytes; plans are limited to 1048576 bytes (1 MiB)\n");
  CHECK(apply.exit_code == 2);
  RunResult validate_json = run_sluice({"-o", "json", "validate", path});
  CHECK(apply.out == validate_json.out);
}

TEST_CASE("a malformed or huge image is a plan error for validate and apply alike (exit 2)") {
  sluice::test::TempDir dir;
  std::string upper = dir.file("upper.yaml");
  std::ofstream(upper) << plan_with_image("registry.example.com/Shop/web:1");
  std::string expected =
      upper +
      ":5:8: image: 'registry.example.com/Shop/web:1' is not a valid image reference "
      "(repository name must be lowercase); write e.g. registry.example.com/shop/app:1.4.2\n";
  RunResult validate = run_sluice({"validate", upper});
  CHECK(validate.exit_code == 2);
  CHECK(validate.err == expected);
  std::vector<std::string> args{"apply", upper};
  for (const auto& flag : no_cluster(dir)) args.push_back(flag);
  RunResult apply = run_sluice(args);
  CHECK(apply.exit_code == 2);
  CHECK(apply.err == expected);

  std::string huge = dir.file("huge.yaml");
  std::ofstream(huge) << plan_with_image(std::string(900 * 1000, 'a'));
  RunResult big = run_sluice({"validate", huge});
  CHECK(big.exit_code == 2);
  CHECK(big.err == huge + ":5:8: image: '" + std::string(80, 'a') +
                       "\u2026' (900000 bytes) is not a valid image reference (repository name must not be "
                       "more than 255 characters); write e.g. registry.example.com/shop/app:1.4.2\n");
}

TEST_CASE("rollback --to-revision takes rollout numbers from 1 up; 0 and negatives are usage errors") {
  sluice::test::TempDir dir;
  for (const char* revision : {"0", "-3", "x"}) {
    INFO(revision);
    std::vector<std::string> args{"rollback", "web", "-n", "shop", "--to-revision", revision};
    for (const auto& flag : no_cluster(dir)) args.push_back(flag);
    RunResult run = run_sluice(args);
    CHECK(run.exit_code == 2);
    CHECK(run.err.rfind("--to-revision: must be a rollout number from `sluice history` (1 or more), not '" +
                            std::string(revision) + "'\n",
                        0) == 0);
    CHECK(run.out.empty());
  }
}
