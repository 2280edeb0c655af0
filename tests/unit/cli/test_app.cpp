// cli::run in process: every verb's flags live in the run, so two runs in a
// row with different flags see only their own.
#include <sluice/cli/app.hpp>
#include <sluice/util/version.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "../plan/plan_test_util.hpp"

namespace {

struct Ran {
  int code = -1;
  std::string out;
  std::string err;
};

Ran run(const std::vector<std::string>& args, const std::string& in = "") {
  std::istringstream input(in);
  std::ostringstream out, err;
  Ran ran;
  ran.code = sluice::cli::run(args, input, out, err);
  ran.out = out.str();
  ran.err = err.str();
  return ran;
}

}  // namespace

TEST_CASE("cli --help lists the verbs on out and exits 0") {
  for (int i = 0; i < 2; ++i) {
    auto ran = run({"--help"});
    CHECK(ran.code == 0);
    CHECK(ran.out.find("validate") != std::string::npos);
    CHECK(ran.out.find("rollback") != std::string::npos);
    CHECK(ran.err.empty());
  }
}

TEST_CASE("cli bad usage exits 2 with CLI11's message on err") {
  SECTION("unknown verb") {
    auto ran = run({"frobnicate"});
    CHECK(ran.code == 2);
    CHECK(ran.err == "A subcommand is required\nRun with --help for more information.\n");
  }
  SECTION("missing required argument") {
    auto ran = run({"validate"});
    CHECK(ran.code == 2);
    CHECK(ran.err.find("PLAN is required") != std::string::npos);
  }
  SECTION("no verb") {
    CHECK(run({}).code == 2);
  }
  SECTION("bad --to-revision is refused before any cluster is contacted") {
    auto ran = run({"--kubeconfig", "/nonexistent", "rollback", "web", "--to-revision", "0"});
    CHECK(ran.code == 2);
    CHECK(ran.err.find("must be a rollout number") != std::string::npos);
  }
}

TEST_CASE("cli validate twice in a row: the second run sees only its own files and flags") {
  plan_test::ScratchDir dir;
  std::string good = dir.write("good.yaml", plan_test::k_valid_plan);
  std::string bad =
      dir.write("bad.yaml", plan_test::replace(plan_test::k_valid_plan, "kind: Plan", "kind: Plan2"));

  auto first = run({"-o", "json", "validate", bad});
  CHECK(first.code == 2);
  CHECK(first.out.find("\"valid\":false") != std::string::npos);

  auto second = run({"validate", good});
  CHECK(second.code == 0);
  CHECK(second.out == good + ": valid\n");
  CHECK(second.err.empty());
}

TEST_CASE("cli plan previews a plan in text, then in JSON") {
  plan_test::ScratchDir dir;
  std::string good = dir.write("good.yaml", plan_test::k_valid_plan);
  auto text = run({"plan", good});
  CHECK(text.code == 0);
  CHECK(text.out.find("canary") != std::string::npos);
  CHECK(text.out.front() != '{');
  auto json = run({"-o", "json", "plan", good});
  CHECK(json.code == 0);
  CHECK(json.out.front() == '{');
}

TEST_CASE("cli image resolve: flags of an earlier run do not leak into the next") {
  // First run: a bad --platform. Second run: none, but --username without
  // --password-stdin. With flags kept across runs the second would still see
  // the first's platform and fail on it instead.
  auto first = run({"image", "resolve", "nginx:1.25", "--platform", "bogus"});
  CHECK(first.code == 2);
  CHECK(
      first.err ==
      "sluice image resolve: invalid platform \"bogus\": want os/architecture[/variant], e.g. linux/arm64\n");

  auto second = run({"image", "resolve", "nginx:1.25", "--username", "u"});
  CHECK(second.code == 2);
  CHECK(second.err == "sluice image resolve: --username needs --password-stdin\n");
}

TEST_CASE("cli apply reads the plan through the 1 MiB-capped loader before contacting anything") {
  plan_test::ScratchDir dir;
  std::string huge =
      dir.write("huge.yaml", plan_test::k_valid_plan + "# " + std::string(1024 * 1024, 'x') + "\n");
  auto ran = run({"--kubeconfig", "/nonexistent", "apply", huge});
  CHECK(ran.code == 2);  // 6 would mean it went on to load the kubeconfig
  CHECK(ran.err.find("plans are limited to 1048576 bytes (1 MiB)") != std::string::npos);
}

TEST_CASE("cli --version names the project version and, from a git checkout, the commit") {
  auto ran = run({"--version"});
  CHECK(ran.code == 0);
  CHECK(ran.out.rfind("sluice " SLUICE_VERSION, 0) == 0);
  CHECK(ran.out == sluice::util::version_line("sluice") + "\n");
  if (!sluice::util::git_commit().empty()) {
    CHECK(ran.out.find(" (commit " + std::string(sluice::util::git_commit()) + ")") != std::string::npos);
  }
}

TEST_CASE("cli --timeout takes a plan duration above 0, and status takes it only with --watch") {
  SECTION("not a duration") {
    auto ran = run({"--kubeconfig", "/nonexistent", "apply", "web.yaml", "--timeout", "soon"});
    CHECK(ran.code == 2);
    CHECK(ran.err.find("--timeout: ") != std::string::npos);
  }
  SECTION("zero") {
    auto ran = run({"--kubeconfig", "/nonexistent", "apply", "web.yaml", "--timeout", "0s"});
    CHECK(ran.code == 2);
    CHECK(ran.err.find("must be more than 0") != std::string::npos);
  }
  SECTION("status without --watch") {
    auto ran = run({"--kubeconfig", "/nonexistent", "status", "web", "--timeout", "5m"});
    CHECK(ran.code == 2);
    CHECK(ran.err.find("--timeout requires --watch") != std::string::npos);
  }
}
