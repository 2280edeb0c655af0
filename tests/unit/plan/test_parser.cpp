#include <sluice/plan/condition.hpp>
#include <sluice/plan/parser.hpp>

#include <catch2/catch.hpp>

#include "plan_test_util.hpp"

using namespace sluice::plan;
using plan_test::errors_of;
using plan_test::k_valid_plan;
using plan_test::replace;
using Errors = std::vector<std::string>;

TEST_CASE("a valid plan becomes a typed Plan with defaults filled in") {
  PlanParse parse = parse_plan(k_valid_plan, "plan.yaml");
  REQUIRE(parse.diagnostics.empty());
  REQUIRE(parse.ok());
  const Plan& plan = *parse.plan;
  CHECK(plan.name == "web");
  CHECK(plan.target.ns == "shop");
  CHECK(plan.target.deployment == "web");
  CHECK(plan.target.service == "web");
  CHECK(plan.target.context.empty());
  CHECK(plan.image == "registry.example.com/shop/web:1.0");
  CHECK(plan.progress_deadline == Duration(600'000));
  CHECK(plan.rollback_automatic);
  CHECK(plan.source_path == "plan.yaml");
  const auto& canary = std::get<CanaryStrategy>(plan.strategy);
  CHECK(canary.traffic == CanaryStrategy::Traffic::replicas);
  REQUIRE(canary.steps.size() == 2);
  CHECK(std::get<SetWeightStep>(canary.steps[0].action).percent == 20);
  CHECK(canary.steps[0].pos.line == 9);
  CHECK(std::get<AnalysisStep>(canary.steps[1].action).checks == std::vector<std::string>{"errors"});
  const Check& check = plan.checks.at("errors");
  CHECK(std::get<PrometheusSource>(check.source).address == "http://prom:9090");
  REQUIRE(check.success_condition);
  CHECK(check.success_condition->text == "result < 0.01");
  CHECK(evaluate(*check.success_condition->expr, {0.001, std::nullopt}) == true);
  CHECK(check.interval == Duration(30'000));
  CHECK(check.count == 1);
  CHECK(check.pos.line == 13);
}

TEST_CASE("the source hash is the sha256 of the file's bytes") {
  auto parse = parse_plan(k_valid_plan, "plan.yaml");
  REQUIRE(parse.ok());
  CHECK(parse.plan->source_hash.size() == 64);
  auto changed = parse_plan(k_valid_plan + "# a comment\n", "plan.yaml");
  REQUIRE(changed.ok());
  CHECK(changed.plan->source_hash != parse.plan->source_hash);
  auto empty_hash = parse_plan(replace(k_valid_plan, "web:1.0", "web:1.1"), "plan.yaml");
  REQUIRE(empty_hash.ok());
  CHECK(empty_hash.plan->source_hash != parse.plan->source_hash);
}

TEST_CASE("unknown fields are reported with a did-you-mean suggestion") {
  CHECK(errors_of(replace(k_valid_plan, "deployment: web", "deploymnet: web")) ==
        Errors{"plan.yaml:4:9: target.deployment: required field is missing",
               "plan.yaml:4:27: target.deploymnet: unknown field (did you mean 'deployment'?)"});
  CHECK(errors_of(k_valid_plan + "colour: blue\n") == Errors{"plan.yaml:15:1: colour: unknown field"});
  CHECK(errors_of(replace(k_valid_plan, "    successCondition", "    Interval: 30s\n    successCondition")) ==
        Errors{"plan.yaml:14:5: checks.errors.Interval: unknown field (did you mean 'interval'?)"});
}

TEST_CASE("required fields are reported when missing") {
  CHECK(errors_of(replace(k_valid_plan, "image: registry.example.com/shop/web:1.0\n", "")) ==
        Errors{"plan.yaml:1:1: image: required field is missing"});
  CHECK(errors_of(replace(k_valid_plan, "kind: Plan\n", "")) ==
        Errors{"plan.yaml:1:1: kind: required field is missing"});
  CHECK(errors_of(replace(k_valid_plan, "metadata: {name: web}", "metadata: {}")) ==
        Errors{"plan.yaml:3:11: metadata.name: required field is missing"});
}

TEST_CASE("every error in a file is reported, in file order") {
  std::string text = replace(k_valid_plan, "apiVersion: sluice/v1", "apiVersion: sluice/v2");
  text = replace(text, "setWeight: 20", "setWeight: 120");
  text = replace(text, "result < 0.01", "result <");
  CHECK(errors_of(text) ==
        Errors{
            "plan.yaml:1:13: apiVersion: must be sluice/v1, not 'sluice/v2'",
            "plan.yaml:9:20: strategy.canary.steps[0].setWeight: must be between 0 and 100, not 120",
            "plan.yaml:14:31: checks.errors.successCondition: the condition ends where a value was "
            "expected",
        });
}

TEST_CASE("durations are typed and range-checked") {
  CHECK(errors_of(k_valid_plan + "progressDeadline: 10\n") ==
        Errors{"plan.yaml:15:19: progressDeadline: '10' needs a unit: ms, s, m or h (e.g. 10s)"});
  CHECK(errors_of(k_valid_plan + "progressDeadline: 1s\n") ==
        Errors{"plan.yaml:15:19: progressDeadline: must be between 10s and 24h, not 1s"});
  CHECK(errors_of(k_valid_plan + "progressDeadline: [1m]\n") ==
        Errors{"plan.yaml:15:19: progressDeadline: must be a duration, not a list"});
  CHECK(
      errors_of(replace(k_valid_plan, "      - setWeight: 20", "      - pause: {duration: 500ms}")) ==
      Errors{
          "plan.yaml:9:27: strategy.canary.steps[0].pause.duration: must be between 1s and 24h, not 500ms"});
}

TEST_CASE("integers are typed and range-checked") {
  CHECK(errors_of(replace(k_valid_plan, "setWeight: 20", "setWeight: twenty")) ==
        Errors{"plan.yaml:9:20: strategy.canary.steps[0].setWeight: 'twenty' is not an integer"});
  CHECK(errors_of(replace(k_valid_plan, "setWeight: 20", "setWeight: -1")) ==
        Errors{"plan.yaml:9:20: strategy.canary.steps[0].setWeight: must be between 0 and 100, not -1"});
  CHECK(errors_of(k_valid_plan + "    count: 0\n") ==
        Errors{"plan.yaml:15:12: checks.errors.count: must be between 1 and 1000, not 0"});
}

TEST_CASE("failureLimit must leave the check a way to fail") {
  CHECK(errors_of(k_valid_plan + "    count: 3\n    failureLimit: 3\n") ==
        Errors{"plan.yaml:16:19: checks.errors.failureLimit: must be less than count (3), or the check could "
               "never "
               "fail"});
  CHECK(errors_of(k_valid_plan + "    count: 3\n    failureLimit: 2\n").empty());
}

TEST_CASE("percentages are typed and range-checked") {
  std::string text =
      replace(k_valid_plan, "    steps:", "    maxSurge: 150%\n    maxUnavailable: 1.5\n    steps:");
  CHECK(errors_of(text) == Errors{"plan.yaml:8:15: strategy.canary.maxSurge: '150%' is more than 100%",
                                  "plan.yaml:9:21: strategy.canary.maxUnavailable: '1.5' is not a count or a "
                                  "percentage; write e.g. 1 or 25%"});
  text = replace(k_valid_plan, "    steps:", "    maxSurge: 0\n    steps:");
  CHECK(errors_of(text) ==
        Errors{"plan.yaml:8:15: strategy.canary.maxSurge: maxSurge and maxUnavailable cannot both "
               "be 0: the rollout could never make progress"});
}

TEST_CASE("booleans are true or false, not yes or no") {
  CHECK(errors_of(k_valid_plan + "rollback: {automatic: yes}\n") ==
        Errors{"plan.yaml:15:23: rollback.automatic: must be true or false, not 'yes'"});
  auto parse = parse_plan(k_valid_plan + "rollback: {automatic: false}\n", "plan.yaml");
  REQUIRE(parse.ok());
  CHECK_FALSE(parse.plan->rollback_automatic);
}

TEST_CASE("references to unknown checks are reported everywhere checks are named") {
  SECTION("an analysis step") {
    CHECK(errors_of(replace(k_valid_plan, "checks: [errors]", "checks: [eror]")) ==
          Errors{"plan.yaml:10:29: strategy.canary.steps[1].analysis.checks[0]: unknown check 'eror' (did "
                 "you mean "
                 "'errors'?)"});
  }
  SECTION("canary background checks") {
    CHECK(errors_of(replace(k_valid_plan, "    steps:", "    backgroundChecks: [latency]\n    steps:")) ==
          Errors{"plan.yaml:8:24: strategy.canary.backgroundChecks[0]: unknown check 'latency'"});
  }
  SECTION("rolling checks") {
    std::string text = replace(
        k_valid_plan, "  canary:\n    steps:\n      - setWeight: 20\n      - analysis: {checks: [errors]}",
        "  rolling: {checks: [errors, smoke]}");
    CHECK(errors_of(text) == Errors{"plan.yaml:7:30: strategy.rolling.checks[1]: unknown check 'smoke'"});
  }
  SECTION("blue-green pre- and post-promotion checks") {
    std::string text = replace(
        k_valid_plan, "  canary:\n    steps:\n      - setWeight: 20\n      - analysis: {checks: [errors]}",
        "  blueGreen:\n    prePromotionChecks: [smoke]\n    postPromotionChecks: [error]");
    CHECK(errors_of(text) ==
          Errors{
              "plan.yaml:8:26: strategy.blueGreen.prePromotionChecks[0]: unknown check 'smoke'",
              "plan.yaml:9:27: strategy.blueGreen.postPromotionChecks[0]: unknown check 'error' "
              "(did you mean 'errors'?)",
          });
  }
}

TEST_CASE("exactly one strategy") {
  std::string none =
      replace(k_valid_plan,
              "  canary:\n    steps:\n      - setWeight: 20\n      - analysis: {checks: [errors]}", "  {}");
  CHECK(errors_of(none) ==
        Errors{"plan.yaml:7:3: strategy: choose one strategy: rolling, blueGreen or canary"});
  std::string two = replace(k_valid_plan, "  canary:", "  rolling: {}\n  canary:");
  CHECK(errors_of(two) ==
        Errors{"plan.yaml:7:3: strategy: has both 'rolling' and 'canary'; choose one strategy"});
  CHECK(errors_of(replace(k_valid_plan, "  canary:", "  canry:")) ==
        Errors{"plan.yaml:7:3: strategy.canry: unknown field (did you mean 'canary'?)",
               "plan.yaml:7:3: strategy: choose one strategy: rolling, blueGreen or canary"});
}

TEST_CASE("a bare rolling strategy takes Kubernetes' defaults") {
  std::string text = replace(
      k_valid_plan, "  canary:\n    steps:\n      - setWeight: 20\n      - analysis: {checks: [errors]}",
      "  rolling:");
  auto parse = parse_plan(text, "plan.yaml");
  REQUIRE(parse.ok());
  const auto& rolling = std::get<RollingStrategy>(parse.plan->strategy);
  CHECK(rolling.max_surge.value == 25);
  CHECK(rolling.max_surge.percent);
  CHECK(rolling.max_unavailable.value == 0);
}

TEST_CASE("blue-green needs the target's Service and a different preview Service") {
  std::string text = replace(
      k_valid_plan, "  canary:\n    steps:\n      - setWeight: 20\n      - analysis: {checks: [errors]}",
      "  blueGreen: {previewService: web, scaleDownDelay: 5m, autoPromote: false}");
  CHECK(errors_of(text) ==
        Errors{"plan.yaml:7:31: strategy.blueGreen.previewService: must differ from target.service"});
  text = replace(replace(text, ", service: web", ""), "previewService: web", "previewService: web-preview");
  CHECK(errors_of(text) == Errors{"plan.yaml:7:14: target.service: blueGreen needs the Service users reach, "
                                  "to switch it between versions"});
}

TEST_CASE("each canary step has exactly one action") {
  CHECK(errors_of(replace(k_valid_plan, "      - setWeight: 20", "      - {setWeight: 20, pause: {}}")) ==
        Errors{"plan.yaml:9:9: strategy.canary.steps[0]: has both 'setWeight' and 'pause'; give each action "
               "its own "
               "step"});
  CHECK(errors_of(replace(k_valid_plan, "      - setWeight: 20", "      - {}")) ==
        Errors{
            "plan.yaml:9:9: strategy.canary.steps[0]: a step needs one action: setWeight, pause, analysis or "
            "setCanaryScale"});
  CHECK(errors_of(replace(k_valid_plan, "      - setWeight: 20", "      - setweight: 20")) ==
        Errors{
            "plan.yaml:9:9: strategy.canary.steps[0].setweight: unknown field (did you mean 'setWeight'?)",
            "plan.yaml:9:9: strategy.canary.steps[0]: a step needs one action: setWeight, pause, analysis or "
            "setCanaryScale"});
  CHECK(errors_of(replace(k_valid_plan, "      - setWeight: 20\n      - analysis: {checks: [errors]}\n",
                          "      []\n")) ==
        Errors{"plan.yaml:9:7: strategy.canary.steps: must be a list of at least "
               "one step, not a list"});
}

TEST_CASE("pause without a duration waits for promote") {
  auto parse = parse_plan(replace(k_valid_plan, "      - setWeight: 20", "      - pause: {}\n      - pause:"),
                          "plan.yaml");
  REQUIRE(parse.ok());
  const auto& steps = std::get<CanaryStrategy>(parse.plan->strategy).steps;
  CHECK_FALSE(std::get<PauseStep>(steps[0].action).duration);
  CHECK_FALSE(std::get<PauseStep>(steps[1].action).duration);
}

TEST_CASE("gatewayRoute traffic names a route and defaults the canary Service") {
  std::string text = replace(
      k_valid_plan, "    steps:",
      "    traffic: {gatewayRoute: {name: web-route}}\n    steps:\n      - setCanaryScale: {replicas: 2}");
  auto parse = parse_plan(text, "plan.yaml");
  REQUIRE(parse.ok());
  const auto& canary = std::get<CanaryStrategy>(parse.plan->strategy);
  CHECK(canary.traffic == CanaryStrategy::Traffic::gateway_route);
  CHECK(canary.route_name == "web-route");
  CHECK(canary.canary_service == "web-canary");
  CHECK(std::get<SetCanaryScaleStep>(canary.steps[0].action).replicas == 2);
}

TEST_CASE("traffic must be replicas or a gatewayRoute, and setCanaryScale needs the route") {
  CHECK(errors_of(replace(k_valid_plan, "    steps:", "    traffic: istio\n    steps:")) ==
        Errors{
            "plan.yaml:8:14: strategy.canary.traffic: must be 'replicas' or {gatewayRoute: {name: ...}}, not "
            "'istio'"});
  CHECK(
      errors_of(replace(k_valid_plan, "      - setWeight: 20", "      - setCanaryScale: {weight: 20}")) ==
      Errors{
          "plan.yaml:9:25: strategy.canary.steps[0].setCanaryScale: needs traffic: {gatewayRoute: ...}; with "
          "replica traffic the weight sets the scale"});
  CHECK(errors_of(replace(k_valid_plan, "    steps:", "    traffic: {gatewayRoute: {}}\n    steps:")) ==
        Errors{"plan.yaml:8:29: strategy.canary.traffic.gatewayRoute.name: required field is missing"});
}

TEST_CASE("multi-target plans are refused, not ignored") {
  CHECK(errors_of(replace(k_valid_plan, "target: {namespace: shop, deployment: web, service: web}",
                          "targets: [{deployment: web}]")) ==
        Errors{"plan.yaml:4:10: targets: multi-target plans are not supported yet; name one target with "
               "'target'"});
}

TEST_CASE("names are checked as Kubernetes names") {
  CHECK(
      errors_of(replace(k_valid_plan, "name: web}", "name: Web}")) ==
      Errors{
          "plan.yaml:3:18: metadata.name: 'Web' is not a valid plan name: use at most 53 lowercase letters, "
          "digits and '-', starting and ending with a letter or digit"});
  CHECK(
      errors_of(replace(k_valid_plan, "namespace: shop", "namespace: shop_eu")) ==
      Errors{"plan.yaml:4:21: target.namespace: 'shop_eu' is not a valid namespace: use at most 63 lowercase "
             "letters, digits and '-', starting and ending with a letter or digit"});
  CHECK(errors_of(replace(k_valid_plan, "  errors:\n", "  Errors:\n")) ==
        Errors{"plan.yaml:10:29: strategy.canary.steps[1].analysis.checks[0]: unknown check 'errors'",
               "plan.yaml:12:3: checks: 'Errors' is not a valid check name: use lowercase letters, digits "
               "and '-'"});
}

TEST_CASE("Deployment names may have dots, as DNS subdomains") {
  auto parse = parse_plan(replace(k_valid_plan, "deployment: web", "deployment: web.v2"), "plan.yaml");
  REQUIRE(parse.ok());
  CHECK(parse.plan->target.deployment == "web.v2");
  CHECK(errors_of(replace(k_valid_plan, "deployment: web", "deployment: web..v2")) ==
        Errors{"plan.yaml:4:39: target.deployment: 'web..v2' is not a valid Deployment name: use at most 253 "
               "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"});
}

TEST_CASE("image references and platforms are checked") {
  CHECK(errors_of(
            replace(k_valid_plan, "image: registry.example.com/shop/web:1.0", "image: 'shop/web: 1.0'")) ==
        Errors{"plan.yaml:5:8: image: 'shop/web: 1.0' is not a valid image reference (invalid tag format); "
               "write e.g. registry.example.com/shop/app:1.4.2"});
  CHECK(
      errors_of(k_valid_plan + "platforms: [linux/amd64, linux, linux/amd64, {os: linux}]\n") ==
      Errors{
          "plan.yaml:15:26: platforms[1]: 'linux' is not a platform; write os/arch or os/arch/variant, e.g. "
          "linux/arm64",
          "plan.yaml:15:33: platforms[2]: 'linux/amd64' is listed twice",
          "plan.yaml:15:46: platforms[3]: must be a string, not a mapping"});
}

TEST_CASE("image references follow the distribution reference grammar") {
  auto image_errors = [](const std::string& image) {
    return errors_of(replace(k_valid_plan, "image: registry.example.com/shop/web:1.0", "image: " + image));
  };
  auto refused = [](const std::string& shown, const std::string& why) {
    return Errors{"plan.yaml:5:8: image: " + shown + " is not a valid image reference (" + why +
                  "); write e.g. registry.example.com/shop/app:1.4.2"};
  };
  SECTION("valid references are taken as written") {
    for (const std::string& image : std::vector<std::string>{"nginx", "localhost:5000/app:dev",
                                                             "[::1]:5000/a/b__c/d-e.f/g--h:Tag_1.0-rc",
                                                             "reg.io/app@sha256:" + std::string(64, 'a')}) {
      INFO(image);
      CHECK(image_errors("'" + image + "'").empty());
    }
  }
  SECTION("an uppercase repository") {
    CHECK(image_errors("registry.example.com/Shop/web:1.0") ==
          refused("'registry.example.com/Shop/web:1.0'", "repository name must be lowercase"));
  }
  SECTION("characters a path component may not have") {
    CHECK(image_errors("registry.example.com/shop/web$:1.0") ==
          refused("'registry.example.com/shop/web$:1.0'", "invalid reference format"));
    CHECK(image_errors("shop/web...x") == refused("'shop/web...x'", "invalid reference format"));
  }
  SECTION("a bad tag or digest") {
    CHECK(image_errors("web:.1") == refused("'web:.1'", "invalid tag format"));
    CHECK(image_errors("web@sha256:abc") ==
          refused("'web@sha256:abc'", "invalid digest format (want sha256:<64 lowercase hex>)"));
  }
  SECTION("control characters from YAML escapes are shown escaped") {
    CHECK(image_errors("\"web\\e[2J\\a\\n:1\"") ==
          refused("'web\\x1B[2J\\x07\\n:1'", "repository name must be lowercase"));
  }
}

TEST_CASE("a huge image value is refused with its first 80 characters and its size") {
  std::string huge(900 * 1000, 'a');
  Errors errors = errors_of(replace(k_valid_plan, "registry.example.com/shop/web:1.0", huge));
  CHECK(errors == Errors{"plan.yaml:5:8: image: '" + std::string(80, 'a') +
                         "\u2026' (900000 bytes) is not a valid image reference (repository name must not be "
                         "more than 255 characters); write e.g. registry.example.com/shop/app:1.4.2"});
}

TEST_CASE("duplicate keys are reported") {
  CHECK(errors_of(k_valid_plan + "image: other:1\n") ==
        Errors{"plan.yaml:15:1: image: duplicate key; first given on line 5"});
}

TEST_CASE("checks have exactly one source and conditions only where they apply") {
  std::string both =
      replace(k_valid_plan, "    prometheus:", "    http: {url: http://web/healthz}\n    prometheus:");
  CHECK(errors_of(both) ==
        Errors{"plan.yaml:13:5: checks.errors: has both 'prometheus' and 'http'; a check has one "
               "source"});
  std::string http = replace(k_valid_plan, "prometheus: {address: http://prom:9090, query: up}",
                             "http: {url: http://web/healthz, method: DELETE}");
  CHECK(errors_of(http) ==
        Errors{
            "plan.yaml:13:45: checks.errors.http.method: must be GET, HEAD or POST, not 'DELETE'",
            "plan.yaml:14:23: checks.errors.successCondition: applies to prometheus checks only",
        });
  std::string no_condition = replace(k_valid_plan, "    successCondition: result < 0.01\n", "");
  CHECK(
      errors_of(no_condition) ==
      Errors{"plan.yaml:13:5: checks.errors: a prometheus check needs successCondition or failureCondition"});
}

TEST_CASE("URLs must be http or https") {
  CHECK(errors_of(replace(k_valid_plan, "http://prom:9090", "prom:9090")) ==
        Errors{"plan.yaml:13:27: checks.errors.prometheus.address: 'prom:9090' is not an http:// or https:// "
               "URL"});
}

TEST_CASE("URLs with spaces or control characters are refused, shown escaped") {
  // Such a URL would otherwise reach preflight and gate messages raw.
  CHECK(errors_of(replace(k_valid_plan, "http://prom:9090", "\"http://prom\\e[2J:9090\"")) ==
        Errors{"plan.yaml:13:27: checks.errors.prometheus.address: 'http://prom\\x1B[2J:9090' is not an "
               "http:// or https:// URL"});
}

TEST_CASE("a condition's syntax error points at the column inside the string") {
  SECTION("plain scalar") {
    CHECK(errors_of(replace(k_valid_plan, "result < 0.01", "result < 0.01 and")) ==
          Errors{"plan.yaml:14:40: checks.errors.successCondition: the condition ends where a value was "
                 "expected"});
  }
  SECTION("quoted scalar") {
    CHECK(
        errors_of(replace(k_valid_plan, "result < 0.01", "\"result >> 0.01\"")) ==
        Errors{"plan.yaml:14:32: checks.errors.successCondition: unexpected '>' where a value was expected"});
  }
  SECTION("block scalar: the character is named instead") {
    CHECK(
        errors_of(replace(k_valid_plan, "result < 0.01", "|\n      result >> 0.01")) ==
        Errors{
            "plan.yaml:14:23: checks.errors.successCondition: unexpected '>' where a value was expected (at "
            "character 9)"});
  }
}

TEST_CASE("baseline in a condition needs a baseline query") {
  CHECK(errors_of(replace(k_valid_plan, "result < 0.01", "result < baseline * 1.1")) ==
        Errors{"plan.yaml:14:23: checks.errors.successCondition: uses 'baseline' but the check has no "
               "baseline query"});
  std::string with_baseline =
      replace(k_valid_plan, "result < 0.01", "result < baseline * 1.1\n    baseline: {query: up}");
  auto parse = parse_plan(with_baseline, "plan.yaml");
  REQUIRE(parse.ok());
  CHECK(parse.plan->checks.at("errors").baseline->query == "up");
}

TEST_CASE("the plan itself must be a mapping") {
  CHECK(errors_of("- a\n- b\n") ==
        Errors{"plan.yaml:1:1: a plan is a mapping of fields (apiVersion, kind, metadata, ...), not a list"});
  CHECK(
      errors_of("just text\n") ==
      Errors{
          "plan.yaml:1:1: a plan is a mapping of fields (apiVersion, kind, metadata, ...), not 'just text'"});
}

TEST_CASE("Windows line endings and a UTF-8 byte order mark are fine") {
  std::string crlf;
  for (char c : k_valid_plan) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  CHECK(errors_of(crlf).empty());
  CHECK(errors_of("\xEF\xBB\xBF" + k_valid_plan).empty());
}

TEST_CASE("an empty checks section means no checks") {
  std::string text = replace(k_valid_plan, "      - analysis: {checks: [errors]}\n", "");
  text = text.substr(0, text.find("checks:\n")) + "checks:\n";
  auto parse = parse_plan(text, "plan.yaml");
  REQUIRE(parse.diagnostics.empty());
  CHECK(parse.plan->checks.empty());
}

TEST_CASE("errors are capped per file") {
  std::string text = k_valid_plan;
  for (int i = 0; i < 80; ++i) text += "unknown" + std::to_string(i) + ": 1\n";
  Errors errors = errors_of(text);
  REQUIRE(errors.size() == 51);
  CHECK(errors.back() == "plan.yaml: too many errors; stopped after 50");
}

TEST_CASE("a value has the type YAML 1.2 gives it, as the JSON Schema reads it") {
  SECTION("a quoted number or boolean is text, not an integer or a boolean") {
    CHECK(
        errors_of(replace(k_valid_plan, "setWeight: 20", "setWeight: \"20\"")) ==
        Errors{"plan.yaml:9:20: strategy.canary.steps[0].setWeight: must be an integer, not the string '20'; "
               "write it without quotes"});
    CHECK(
        errors_of(k_valid_plan + "rollback: {automatic: 'false'}\n") ==
        Errors{"plan.yaml:15:23: rollback.automatic: must be true or false, not the string 'false'; write it "
               "without quotes"});
  }
  SECTION("an unquoted number or boolean is not text") {
    CHECK(errors_of(replace(k_valid_plan, "namespace: shop", "namespace: 2024")) ==
          Errors{
              "plan.yaml:4:21: target.namespace: must be a string, not the number 2024; quote it: \"2024\""});
    CHECK(errors_of(replace(k_valid_plan, "checks: [errors]", "checks: [true]")).front() ==
          "plan.yaml:10:29: strategy.canary.steps[1].analysis.checks[0]: must be a string, not the boolean "
          "true; "
          "quote it: \"true\"");
    CHECK(errors_of(replace(k_valid_plan, "namespace: shop", "namespace: \"2024\"")).empty());
  }
}
