// A release file and the plans it names, read into a typed Release; every
// problem in the file it is in, with its position.
#include <sluice/plan/release_parser.hpp>

#include <catch2/catch.hpp>

#include <filesystem>

#include "plan_test_util.hpp"
#include "tree_paths.hpp"

using namespace sluice::plan;
using plan_test::replace;
using plan_test::ScratchDir;
using Errors = std::vector<std::string>;

namespace {

// Line numbers matter: tests point at them.
const std::string k_release = R"(apiVersion: sluice/v1
kind: Release
metadata: {name: shop-1-4}
image: registry.example.com/shop/app:1.4.2
record: {context: hub, namespace: releases}
onFailure: rollbackAll
waves:
  - name: first
    bake: 5m
    targets:
      - {context: eu, namespace: shop, plan: web.yaml}
  - name: rest
    maxParallel: 2
    failureBudget: 1
    targets:
      - {context: us, namespace: shop, plan: web.yaml}
      - {context: us, namespace: shop, plan: api.yaml}
)";

const std::string k_web_plan = R"(apiVersion: sluice/v1
kind: Plan
metadata: {name: web}
target: {context: elsewhere, namespace: other, deployment: web, service: web}
image: registry.example.com/shop/web:0.9
strategy:
  rolling:
)";

// A plan for a release need not name an image: the release's is used.
const std::string k_api_plan = R"(apiVersion: sluice/v1
kind: Plan
metadata: {name: api}
target: {deployment: api}
strategy:
  canary:
    steps:
      - setWeight: 50
)";

struct Files {
  ScratchDir dir;
  std::string release;
  explicit Files(const std::string& release_text = k_release) {
    dir.write("web.yaml", k_web_plan);
    dir.write("api.yaml", k_api_plan);
    release = dir.write("release.yaml", release_text);
  }
  Errors errors() const {
    Errors out;
    for (const auto& d : load_release(release).diagnostics) out.push_back(d.to_string());
    return out;
  }
};

}  // namespace

TEST_CASE("a valid release becomes waves of targets, each with its plan read for that target") {
  Files files;
  auto parse = load_release(files.release);
  INFO((parse.diagnostics.empty() ? "" : parse.diagnostics[0].to_string()));
  REQUIRE(parse.ok());
  const Release& release = *parse.release;
  CHECK(release.name == "shop-1-4");
  CHECK(release.image == "registry.example.com/shop/app:1.4.2");
  CHECK(release.record.context == "hub");
  CHECK(release.record.ns == "releases");
  CHECK(release.on_failure == OnFailure::rollback_all);
  CHECK(release.source_hash.size() == 64);
  REQUIRE(release.waves.size() == 2);
  CHECK(release.waves[0].name == "first");
  CHECK(release.waves[0].max_parallel == 1);
  CHECK(release.waves[0].bake == Duration(300'000));
  CHECK(release.waves[1].max_parallel == 2);
  CHECK(release.waves[1].failure_budget == 1);
  REQUIRE(release.waves[1].targets.size() == 2);
  const ReleaseTarget& web = release.waves[0].targets[0];
  CHECK(web.plan_path == files.dir.path("web.yaml"));
  CHECK(web.pos.line == 11);
  CHECK(web.pos.column == 9);
  // The release's context, namespace and image replace the plan's own.
  CHECK(web.plan.target.context == "eu");
  CHECK(web.plan.target.ns == "shop");
  CHECK(web.plan.image == "registry.example.com/shop/app:1.4.2");
  const ReleaseTarget& api = release.waves[1].targets[1];
  CHECK(api.plan.name == "api");
  CHECK(api.plan.image == "registry.example.com/shop/app:1.4.2");
  CHECK(kind_of(api.plan.strategy) == StrategyKind::canary);
}

TEST_CASE("a release's onFailure, checks and platforms are read") {
  std::string text = replace(k_release, "onFailure: rollbackAll", "onFailure: hold");
  text = replace(text, "waves:", R"(platforms: [linux/amd64]
checks:
  orders:
    prometheus:
      address: http://global-prom:9090
      query: sum(rate(orders_failed[5m]))
    successCondition: result < 1
waves:)");
  Files files(text);
  auto parse = load_release(files.release);
  INFO((parse.diagnostics.empty() ? "" : parse.diagnostics[0].to_string()));
  REQUIRE(parse.ok());
  CHECK(parse.release->on_failure == OnFailure::hold);
  CHECK(parse.release->platforms == std::vector<std::string>{"linux/amd64"});
  REQUIRE(parse.release->checks.count("orders") == 1);
  CHECK(parse.release->checks.at("orders").pos.line == 10);
  CHECK(parse.release->checks.at("orders").success_condition->text == "result < 1");
}

TEST_CASE("a release naming a plan file that does not exist is an error at the plan's line") {
  Files files(replace(k_release, "plan: api.yaml", "plan: apy.yaml"));
  CHECK(files.errors() == Errors{files.release + ":17:46: waves[1].targets[1].plan: plan file '" +
                                 files.dir.path("apy.yaml") + "' does not exist"});
}

TEST_CASE("a problem inside a plan is reported in that plan's file, at its line") {
  Files files;
  files.dir.write("api.yaml", replace(k_api_plan, "setWeight: 50", "setWeight: 150"));
  CHECK(files.errors() ==
        Errors{files.dir.path("api.yaml") +
               ":8:20: strategy.canary.steps[0].setWeight: must be between 0 and 100, not 150"});
}

TEST_CASE("a bad plan that several targets use is reported once") {
  Files files;
  files.dir.write("web.yaml", replace(k_web_plan, "rolling:", "rollin:"));
  CHECK(files.errors() ==
        Errors{files.dir.path("web.yaml") + ":7:3: strategy.rollin: unknown field (did you mean 'rolling'?)",
               files.dir.path("web.yaml") +
                   ":7:3: strategy: choose one strategy: rolling, blueGreen or canary"});
}

TEST_CASE("the same Deployment in the same namespace and context twice is a duplicate target") {
  SECTION("in another wave") {
    Files files(replace(k_release, "{context: us, namespace: shop, plan: web.yaml}",
                        "{context: eu, namespace: shop, plan: web.yaml}"));
    CHECK(files.errors() ==
          Errors{files.release + ":16:9: waves[1]: duplicate target: Deployment shop/web in context 'eu' is "
                                 "already a target in waves[0] (first) line 11"});
  }
  SECTION("another namespace or context is another target") {
    Files files(replace(k_release, "{context: us, namespace: shop, plan: web.yaml}",
                        "{context: eu, namespace: shop-2, plan: web.yaml}"));
    CHECK(files.errors().empty());
  }
}

TEST_CASE("a release cannot name a release as a target") {
  SECTION("itself") {
    Files files(replace(k_release, "plan: api.yaml", "plan: release.yaml"));
    CHECK(
        files.errors() ==
        Errors{files.release +
               ":17:46: waves[1].targets[1].plan: names this release itself; a release's targets are plans"});
  }
  SECTION("another release") {
    Files files(replace(k_release, "plan: api.yaml", "plan: other.yaml"));
    files.dir.write("other.yaml", k_release);
    CHECK(files.errors() ==
          Errors{files.release + ":17:46: waves[1].targets[1].plan: '" + files.dir.path("other.yaml") +
                 "' is a Release, not a Plan; releases cannot contain releases"});
  }
}

TEST_CASE("unknown release fields are reported with a did-you-mean suggestion") {
  Files files(replace(replace(k_release, "maxParallel: 2", "maxParalel: 2"), "onFailure:", "onFailur:"));
  CHECK(files.errors() ==
        Errors{files.release + ":6:1: onFailur: unknown field (did you mean 'onFailure'?)",
               files.release + ":13:5: waves[1].maxParalel: unknown field (did you mean 'maxParallel'?)"});
}

TEST_CASE("each bad release field is reported at its place") {
  SECTION("onFailure") {
    Files files(replace(k_release, "onFailure: rollbackAll", "onFailure: retry"));
    CHECK(files.errors() ==
          Errors{files.release + ":6:12: onFailure: must be rollbackAll or hold, not 'retry'"});
  }
  SECTION("kind") {
    Files files(replace(k_release, "kind: Release", "kind: Plan"));
    CHECK(files.errors() == Errors{files.release + ":2:7: kind: must be Release, not 'Plan'"});
  }
  SECTION("record missing") {
    Files files(replace(k_release, "record: {context: hub, namespace: releases}\n", ""));
    CHECK(files.errors() == Errors{files.release + ":1:1: record: required field is missing"});
  }
  SECTION("a failure budget as large as the wave") {
    Files files(replace(k_release, "failureBudget: 1", "failureBudget: 2"));
    CHECK(files.errors() ==
          Errors{files.release + ":14:20: waves[1].failureBudget: must be less than the wave's 2 targets, or "
                                 "every target could fail and the release go on"});
  }
  SECTION("two waves with one name") {
    Files files(replace(k_release, "name: rest", "name: first"));
    CHECK(files.errors() ==
          Errors{files.release + ":12:11: waves[1].name: 'first' is already the name of waves[0]"});
  }
  SECTION("no waves") {
    Files files(k_release.substr(0, k_release.find("waves:")) + "waves: []\n");
    CHECK(files.errors() ==
          Errors{files.release + ":7:8: waves: must be a list of at least one wave, not a list"});
  }
  SECTION("a target without a namespace") {
    Files files(replace(k_release, "{context: eu, namespace: shop, plan: web.yaml}",
                        "{context: eu, plan: web.yaml}"));
    CHECK(files.errors() ==
          Errors{files.release + ":11:9: waves[0].targets[0].namespace: required field is missing"});
  }
  SECTION("an invalid image") {
    Files files(replace(k_release, "image: registry.example.com/shop/app:1.4.2", "image: Shop App"));
    auto errors = files.errors();
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].rfind(files.release + ":4:8: image: 'Shop App' is not a valid image reference", 0) == 0);
  }
}

TEST_CASE("is_release_file tells a release from a plan and from anything else") {
  Files files;
  CHECK(is_release_file(files.release));
  CHECK_FALSE(is_release_file(files.dir.path("web.yaml")));
  CHECK_FALSE(is_release_file(files.dir.path("missing.yaml")));
  CHECK_FALSE(is_release_file(files.dir.write("list.yaml", "- kind: Release\n")));
}

TEST_CASE("every example release is valid, and names example plans") {
  int releases = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(SLUICE_SOURCE_DIR) + "/plans/examples")) {
    if (!is_release_file(entry.path().string())) continue;
    ++releases;
    auto parse = load_release(entry.path().string());
    INFO(entry.path().string() << (parse.diagnostics.empty() ? "" : ": " + parse.diagnostics[0].to_string()));
    CHECK(parse.ok());
  }
  CHECK(releases >= 1);
}
