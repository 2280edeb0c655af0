#include <sluice/plan/parser.hpp>
#include <sluice/report/plan_preview.hpp>

#include <catch2/catch.hpp>

#include "../plan/plan_test_util.hpp"

using namespace sluice::plan;
using namespace sluice::report;
using plan_test::k_valid_plan;
using plan_test::replace;
using Lines = std::vector<std::string>;

namespace {

Plan parsed(const std::string& text) {
  auto parse = parse_plan(text, "web.yaml");
  REQUIRE(parse.diagnostics.empty());
  return *parse.plan;
}

Lines text_of(const Plan& plan) {
  Lines out;
  for (const auto& line : describe_plan(plan)) out.push_back(line.text);
  return out;
}

const std::string k_canary_steps =
    "  canary:\n    steps:\n      - setWeight: 20\n      - analysis: {checks: [errors]}";

}  // namespace

TEST_CASE("a canary plan is described step by step") {
  Plan plan = parsed(replace(k_valid_plan, "      - setWeight: 20",
                             "      - setWeight: 20\n      - pause: {duration: 90s}\n      - pause: {}"));
  Lines lines = text_of(plan);
  REQUIRE(lines.size() == 12);
  CHECK(lines[0] == "plan web from web.yaml (sha256 " + plan.source_hash.substr(0, 12) + ")");
  CHECK(lines[1] == "target: Deployment shop/web (current kubeconfig context), Service web");
  CHECK(lines[2] == "image: registry.example.com/shop/web:1.0");
  CHECK(lines[3] == "strategy: canary, traffic split by replica count (maxSurge 25%, maxUnavailable 0)");
  CHECK(lines[4] == "  1. start the canary with the new image");
  CHECK(lines[5] == "  2. run 20% of the replicas as canary (about 20% of traffic)");
  CHECK(lines[6] == "  3. pause 1m30s");
  CHECK(lines[7] == "  4. pause until `sluice promote`");
  CHECK(lines[8] == "  5. run analysis errors");
  CHECK(lines[9] ==
        "  6. promote: the new version becomes stable and takes all traffic; the old one scales down");
  CHECK(lines[10] ==
        "check errors: prometheus at http://prom:9090, passes when result < 0.01; 1 measurement every "
        "30s, fails after 1 failed measurement");
  CHECK(lines[11] == "rollback: automatic when a check fails or the progress deadline (10m) passes");
}

TEST_CASE("every preview line has a JSON twin saying what it is") {
  Plan plan = parsed(k_valid_plan);
  auto lines = describe_plan(plan);
  CHECK(lines[0].json.dump() ==
        "{\"kind\":\"plan\",\"name\":\"web\",\"file\":\"web.yaml\",\"sha256\":\"" + plan.source_hash + "\"}");
  CHECK(lines[5].json.dump() == R"({"kind":"step","step":2,"action":"setWeight","weight":20})");
  CHECK(lines[6].json.dump() == R"({"kind":"step","step":3,"action":"analysis","checks":["errors"]})");
  for (const auto& line : lines) CHECK(line.json.contains("kind"));
}

TEST_CASE("a blue-green plan is described step by step") {
  Plan plan =
      parsed(replace(k_valid_plan, k_canary_steps,
                     "  blueGreen:\n    previewService: web-preview\n    prePromotionChecks: [errors]\n"
                     "    autoPromote: false\n    scaleDownDelay: 1m"));
  Lines lines = text_of(plan);
  REQUIRE(lines.size() == 12);
  CHECK(lines[3] == "strategy: blue-green, Service web switches from blue (stable) to green (new)");
  CHECK(lines[4] == "  1. start green at full scale with the new image, serving no users");
  CHECK(lines[5] == "  2. point preview Service web-preview at green");
  CHECK(lines[6] == "  3. run pre-promotion checks errors");
  CHECK(lines[7] == "  4. pause until `sluice promote`");
  CHECK(lines[8] == "  5. switch Service web to green");
  CHECK(lines[9] == "  6. scale blue down after 1m");
}

TEST_CASE("a rolling plan is described step by step") {
  Plan plan = parsed(replace(k_valid_plan, k_canary_steps,
                             "  rolling: {maxSurge: 1, maxUnavailable: 10%, checks: [errors]}"));
  Lines lines = text_of(plan);
  REQUIRE(lines.size() == 9);
  CHECK(lines[3] == "strategy: rolling update (maxSurge 1, maxUnavailable 10%)");
  CHECK(lines[4] == "  1. set the new image on Deployment web; Kubernetes replaces the pods");
  CHECK(lines[5] == "  2. wait until every new pod is available and the old pods are gone");
  CHECK(lines[6] ==
        "  3. run checks errors against the new version alone, its pods still watched for failures");
}

TEST_CASE("a rolling plan without checks is done when no old replica is left, terminating pods aside") {
  Plan plan = parsed(replace(k_valid_plan, k_canary_steps, "  rolling: {maxSurge: 1}"));
  Lines lines = text_of(plan);
  REQUIRE(lines.size() >= 7);
  CHECK(lines[5] == "  2. wait until every new pod is available and no old replica is left");
  CHECK(lines[6].rfind("  3.", 0) != 0);
}

TEST_CASE("a rolling plan without automatic rollback says a pause holds the Deployment") {
  Plan plan = parsed(
      replace(k_valid_plan, k_canary_steps, "  rolling: {checks: [errors]}\nrollback: {automatic: false}"));
  Lines lines = text_of(plan);
  CHECK(lines.back() ==
        "rollback: manual; on failure sluice stops and leaves the rollout paused (a rolling update still "
        "under way "
        "is held there: the Deployment is paused)");
}

TEST_CASE("a gatewayRoute canary names the route and both Services") {
  Plan plan =
      parsed(replace(k_valid_plan, "    steps:", "    traffic: {gatewayRoute: {name: web}}\n    steps:"));
  Lines lines = text_of(plan);
  CHECK(lines[3] ==
        "strategy: canary, HTTPRoute web weights between Services web and web-canary (maxSurge 25%, "
        "maxUnavailable 0)");
  CHECK(lines[5] == "  2. send 20% of traffic to the canary");
}

TEST_CASE("check descriptions never show header values or URL passwords") {
  Plan plan = parsed(replace(replace(k_valid_plan, "prometheus: {address: http://prom:9090, query: up}",
                                     "webhook: {url: 'https://bot:s3cret@hooks.example.com/judge', headers: "
                                     "{Authorization: Bearer abc123}}"),
                             "    successCondition: result < 0.01\n", ""));
  std::string all;
  for (const auto& line : describe_plan(plan)) all += line.text + "\n" + line.json.dump() + "\n";
  CHECK(all.find("s3cret") == std::string::npos);
  CHECK(all.find("abc123") == std::string::npos);
  CHECK(
      describe_check(plan.checks.at("errors")) ==
      "errors: webhook https://hooks.example.com/judge, basic auth (password inline), headers Authorization "
      "within 5s; 1 measurement every 30s, fails after 1 failed measurement");
}

TEST_CASE("check descriptions hide credential query values and say where secrets come from") {
  Plan plan = parsed(replace(
      replace(k_valid_plan, "prometheus: {address: http://prom:9090, query: up}",
              "http: {url: 'https://h/health?token=planted-tok&api_key=planted-key&x=1', bearerToken: "
              "{valueFrom: {secretKeyRef: {name: probe, key: token}}}, headers: {X-Api-Key: {valueFrom: "
              "{env: PROBE_KEY}}}}"),
      "    successCondition: result < 0.01\n", ""));
  std::string all;
  for (const auto& line : describe_plan(plan)) all += line.text + "\n" + line.json.dump() + "\n";
  CHECK(all.find("planted") == std::string::npos);
  CHECK(describe_check(plan.checks.at("errors")) ==
        "errors: HTTP GET https://h/health?token=***&api_key=***&x=1, bearer token (from Secret probe key "
        "token), headers X-Api-Key expects 200 within 2s; 1 measurement every 30s, fails after 1 failed "
        "measurement");
}

TEST_CASE("a capacity floor is described when the plan sets one") {
  Plan plan = parsed(k_valid_plan + "minAvailable: 75%\n");
  REQUIRE(plan.min_available);
  CHECK(plan.min_available->value == 75);
  Lines lines = text_of(plan);
  CHECK(lines[lines.size() - 2] == "capacity: at least 75% of the replicas serve throughout");
}
