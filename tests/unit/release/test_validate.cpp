// `sluice validate RELEASE` and `sluice plan RELEASE` through cli::run: the
// release, its plans and the kubeconfig contexts it names.
#include <sluice/cli/app.hpp>
#include <sluice/release/validate.hpp>

#include <catch2/catch.hpp>

#include <sstream>

#include "../plan/plan_test_util.hpp"

namespace {

using plan_test::replace;
using plan_test::ScratchDir;

struct Ran {
  int code = -1;
  std::string out;
  std::string err;
};

Ran run(const std::vector<std::string>& args) {
  std::istringstream in;
  std::ostringstream out, err;
  Ran ran;
  ran.code = sluice::cli::run(args, in, out, err);
  ran.out = out.str();
  ran.err = err.str();
  return ran;
}

const std::string k_release = R"(apiVersion: sluice/v1
kind: Release
metadata: {name: shop}
image: registry.example.com/shop/app:2.0
record: {context: hub, namespace: releases}
waves:
  - name: first
    targets:
      - {context: eu, namespace: shop, plan: web.yaml}
  - name: rest
    maxParallel: 2
    bake: 2m
    targets:
      - {context: us, namespace: shop, plan: web.yaml}
)";

const std::string k_plan = R"(apiVersion: sluice/v1
kind: Plan
metadata: {name: web}
target: {deployment: web, service: web}
image: registry.example.com/shop/web:1.0
strategy:
  blueGreen:
    autoPromote: true
)";

std::string kubeconfig(const std::vector<std::string>& contexts) {
  std::string text =
      "apiVersion: v1\nkind: Config\ncurrent-context: hub\nclusters:\n- name: c\n  cluster: {server: "
      "'https://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n";
  for (const auto& name : contexts) text += "- name: " + name + "\n  context: {cluster: c, user: u}\n";
  return text;
}

struct Files {
  ScratchDir dir;
  std::string release;
  std::string config;
  explicit Files(const std::vector<std::string>& contexts = {"hub", "eu", "us"}) {
    dir.write("web.yaml", k_plan);
    release = dir.write("release.yaml", k_release);
    config = dir.write("kubeconfig", kubeconfig(contexts));
  }
};

}  // namespace

TEST_CASE("validate RELEASE checks the release, its plans and its contexts") {
  SECTION("valid") {
    Files files;
    auto ran = run({"--kubeconfig", files.config, "validate", files.release});
    CHECK(ran.err.empty());
    CHECK(ran.out == files.release + ": valid\n");
    CHECK(ran.code == 0);
  }
  SECTION("a context not in the kubeconfig is an error at the target that names it") {
    Files files({"hub", "eu"});
    auto ran = run({"--kubeconfig", files.config, "validate", files.release});
    CHECK(ran.err == files.release +
                         ":14:9: waves[1].targets[0].context: context 'us' cannot be used: kubeconfig (" +
                         files.config + "): context \"us\" not found\n");
    CHECK(ran.code == 2);
  }
  SECTION("a plan's problem is reported in the plan's file") {
    Files files;
    files.dir.write("web.yaml", replace(k_plan, "autoPromote: true", "autoPromote: maybe"));
    auto ran = run({"--kubeconfig", files.config, "validate", files.release});
    CHECK(ran.err == files.dir.path("web.yaml") +
                         ":8:18: strategy.blueGreen.autoPromote: must be true or false, not 'maybe'\n");
    CHECK(ran.code == 2);
  }
  SECTION("plans and releases in one run, as JSON") {
    Files files;
    auto ran = run(
        {"--kubeconfig", files.config, "-o", "json", "validate", files.release, files.dir.path("web.yaml")});
    CHECK(ran.code == 0);
    CHECK(ran.out.find("{\"file\":\"" + files.release + "\",\"valid\":true") == 0);
    CHECK(ran.out.find("{\"file\":\"" + files.dir.path("web.yaml") + "\",\"valid\":true") !=
          std::string::npos);
  }
}

TEST_CASE("without any kubeconfig a release's contexts are not checked, and validate says so") {
  // CI validates releases where no cluster credentials exist; the shipped
  // example failed `validate` there only because no kubeconfig was found.
  Files files;
  sluice::kube::LoadOptions none;
  none.env = sluice::kube::Env{{"HOME", files.dir.path("no-home")}};
  std::ostringstream out, err;
  CHECK(sluice::release::validate_release(files.release, none, false, out, err));
  CHECK(out.str() == files.release + ": valid (contexts not checked: no kubeconfig found)\n");
  CHECK(err.str().empty());
  std::ostringstream json;
  CHECK(sluice::release::validate_release(files.release, none, true, json, err));
  CHECK(json.str().find("\"contextsChecked\":false}") != std::string::npos);
}

TEST_CASE("plan RELEASE prints the waves and what each target's plan would do") {
  Files files;
  auto ran = run({"--kubeconfig", files.config, "plan", files.release});
  REQUIRE(ran.code == 0);
  CHECK(ran.err.empty());
  const std::string& out = ran.out;
  CHECK(out.find("release shop from " + files.release) == 0);
  CHECK(out.find("\nimage: registry.example.com/shop/app:2.0, resolved once to a digest that every target "
                 "deploys\n") != std::string::npos);
  CHECK(out.find("\nrecord and lock: context hub, namespace releases\n") != std::string::npos);
  CHECK(out.find("\nwave 1 first: 1 target, at most 1 at once\n") != std::string::npos);
  CHECK(out.find("\nwave 2 rest: 1 target, at most 2 at once, then the release checks stay green for 2m\n") !=
        std::string::npos);
  CHECK(out.find("\n  target us/shop: Deployment web, strategy blueGreen, plan " +
                 files.dir.path("web.yaml") + "\n") != std::string::npos);
  // The target's own plan, as `sluice plan` prints it, with the release's context, namespace and image.
  CHECK(out.find("\n    target: Deployment shop/web (context us), Service web\n") != std::string::npos);
  CHECK(out.find("\n    image: registry.example.com/shop/app:2.0\n") != std::string::npos);
  CHECK(out.find("switch Service web to green") != std::string::npos);
}

TEST_CASE("plan RELEASE -o json: one object per line, a target's lines name it") {
  Files files;
  auto ran = run({"--kubeconfig", files.config, "-o", "json", "plan", files.release});
  REQUIRE(ran.code == 0);
  CHECK(ran.out.find("{\"kind\":\"release\",\"name\":\"shop\"") == 0);
  CHECK(
      ran.out.find("{\"kind\":\"releaseTarget\",\"wave\":\"rest\",\"context\":\"us\",\"namespace\":\"shop\","
                   "\"deployment\":\"web\",\"strategy\":\"blueGreen\"") != std::string::npos);
  CHECK(ran.out.find("\"wave\":\"rest\",\"target\":\"us/shop/web\"") != std::string::npos);
}
