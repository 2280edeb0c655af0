// The drill document's parser: a valid drill, and each kind of bad input
// reported file:line:col with its exact text.
#include <sluice/plan/drill_parser.hpp>

#include <catch2/catch.hpp>

#include "plan_test_util.hpp"
#include "tree_paths.hpp"

using namespace sluice::plan;
using plan_test::replace;
using Errors = std::vector<std::string>;

namespace {

// Line numbers matter: tests point at them.
const std::string k_valid_drill = R"(apiVersion: sluice/v1
kind: Drill
metadata: {name: web-dr}
service:
  - {name: eu, context: eu-1, namespace: shop, deployment: web}
  - {name: us, context: us-1, namespace: shop, deployment: web}
  - {name: ap, context: ap-1, namespace: shop, deployment: web}
record: {context: eu-1, namespace: shop}
director:
  httpRoute: {context: edge, namespace: shop, name: web}
failover: {from: eu}
checks:
  up:
    http: {url: "http://web.example/healthz"}
objectives: {rto: 5m, failback: 10m}
)";

Errors errors_of(const std::string& text) {
  Errors out;
  for (const auto& diagnostic : parse_drill(text, "drill.yaml").diagnostics)
    out.push_back(diagnostic.to_string());
  return out;
}

}  // namespace

TEST_CASE("a valid drill becomes a typed Drill", "[drill]") {
  DrillParse parse = parse_drill(k_valid_drill, "drill.yaml");
  REQUIRE(parse.diagnostics.empty());
  REQUIRE(parse.ok());
  const Drill& drill = *parse.drill;
  CHECK(drill.name == "web-dr");
  REQUIRE(drill.regions.size() == 3);
  CHECK(drill.regions[1].name == "us");
  CHECK(drill.regions[1].context.name == "us-1");
  CHECK(drill.regions[1].context.path == "service[1].context");
  CHECK(drill.regions[1].context.pos.line == 6);
  CHECK(drill.regions[1].ns == "shop");
  CHECK(drill.regions[1].deployment == "web");
  CHECK(drill.record.context.name == "eu-1");
  CHECK(drill.record.ns == "shop");
  const auto& route = std::get<HttpRouteDirector>(drill.director);
  CHECK(route.context.name == "edge");
  CHECK(route.name == "web");
  CHECK(drill.failover_from == "eu");
  CHECK(drill.checks.count("up") == 1);
  CHECK(drill.objectives.rto == Duration(300'000));
  CHECK(drill.objectives.failback == Duration(600'000));
  CHECK(drill.source_path == "drill.yaml");
  std::vector<std::string> contexts;
  for (const auto& ref : drill.contexts()) contexts.push_back(ref.name);
  CHECK(contexts == std::vector<std::string>{"eu-1", "us-1", "ap-1", "eu-1", "edge"});
}

TEST_CASE("a drill's director may be none or a webhook with a secret from env or file", "[drill]") {
  SECTION("none") {
    auto parse = parse_drill(
        replace(k_valid_drill, "director:\n  httpRoute: {context: edge, namespace: shop, name: web}",
                "director: none"),
        "drill.yaml");
    REQUIRE(parse.ok());
    CHECK(std::holds_alternative<NoDirector>(parse.drill->director));
  }
  SECTION("webhook") {
    auto parse = parse_drill(
        replace(k_valid_drill, "httpRoute: {context: edge, namespace: shop, name: web}",
                "webhook: {url: \"https://glb.example/shares\", secretFrom: {env: GLB_TOKEN}, timeout: 3s}"),
        "drill.yaml");
    REQUIRE(parse.ok());
    const auto& webhook = std::get<WebhookDirector>(parse.drill->director);
    CHECK(webhook.url == "https://glb.example/shares");
    CHECK(webhook.secret.kind == SecretRef::Kind::env);
    CHECK(webhook.secret.name == "GLB_TOKEN");
    CHECK(webhook.header == "Authorization");
    CHECK(webhook.timeout == Duration(3000));
    CHECK(parse.drill->contexts().size() == 4);  // no director context
  }
}

TEST_CASE("a drill naming an unknown region is refused with its place", "[drill]") {
  CHECK(errors_of(replace(k_valid_drill, "from: eu}", "from: eu2}")) ==
        Errors{"drill.yaml:11:18: failover.from: unknown region 'eu2' (did you mean 'eu'?)"});
}

TEST_CASE("a drill's director with missing fields is refused field by field", "[drill]") {
  CHECK(errors_of(replace(k_valid_drill, "{context: edge, namespace: shop, name: web}", "{context: edge}")) ==
        Errors{"drill.yaml:10:14: director.httpRoute.namespace: required field is missing",
               "drill.yaml:10:14: director.httpRoute.name: required field is missing"});
  CHECK(errors_of(replace(k_valid_drill, "httpRoute: {context: edge, namespace: shop, name: web}",
                          "webhook: {secretFrom: {env: T}}")) ==
        Errors{"drill.yaml:10:12: director.webhook.url: required field is missing"});
  CHECK(errors_of(replace(k_valid_drill, "httpRoute: {context: edge, namespace: shop, name: web}",
                          "webhook: {url: \"http://x\", secretFrom: {env: T, file: /t}}")) ==
        Errors{"drill.yaml:10:42: director.webhook.secretFrom: needs exactly one of env or file"});
  CHECK(
      errors_of(replace(k_valid_drill, "director:\n  httpRoute: {context: edge, namespace: shop, name: web}",
                        "director: dns")) ==
      Errors{"drill.yaml:9:11: director: unknown director 'dns'; write 'none', {httpRoute: {context, "
             "namespace, name}} or {webhook: {url, ...}}"});
  CHECK(errors_of(replace(k_valid_drill,
                          "director:\n  httpRoute: {context: edge, namespace: shop, name: web}\n", "")) ==
        Errors{"drill.yaml:1:1: director: required field is missing"});
}

TEST_CASE("a drill's regions must be at least two, named once each, with every field", "[drill]") {
  CHECK(errors_of(replace(k_valid_drill, "{name: us, context: us-1, namespace: shop, deployment: web}",
                          "{name: eu, context: us-1, namespace: shop, deployment: web}")) ==
        Errors{"drill.yaml:6:5: service[1].name: region 'eu' is listed twice"});
  CHECK(errors_of(replace(k_valid_drill, "{name: ap, context: ap-1, namespace: shop, deployment: web}",
                          "{name: ap, namespace: shop, deployment: web}")) ==
        Errors{"drill.yaml:7:5: service[2].context: required field is missing"});
  const std::string one_region =
      replace(replace(k_valid_drill, "  - {name: us, context: us-1, namespace: shop, deployment: web}\n", ""),
              "  - {name: ap, context: ap-1, namespace: shop, deployment: web}\n", "");
  CHECK(errors_of(one_region) ==
        Errors{
            "drill.yaml:5:3: service: needs at least two regions: one to fail over from and one to carry its "
            "traffic"});
}

TEST_CASE("a drill's header and objectives are checked as a plan's are", "[drill]") {
  CHECK(errors_of(replace(k_valid_drill, "kind: Drill", "kind: Drll")) ==
        Errors{"drill.yaml:2:7: kind: must be Drill, not 'Drll'"});
  CHECK(errors_of(replace(k_valid_drill, "rto: 5m", "rto: soon")) ==
        Errors{"drill.yaml:15:19: objectives.rto: 'soon' is not a duration; write e.g. 500ms, 30s, 10m, 1h "
               "or 1h30m"});
  CHECK(errors_of(k_valid_drill + "targets: []\n") == Errors{"drill.yaml:16:1: targets: unknown field"});
}

TEST_CASE("only a document whose kind is Drill is read as a drill", "[drill]") {
  plan_test::ScratchDir dir;
  CHECK(is_drill_file(dir.write("d.yaml", k_valid_drill)));
  CHECK_FALSE(is_drill_file(dir.write("p.yaml", plan_test::k_valid_plan)));
  CHECK_FALSE(is_drill_file(dir.path("missing.yaml")));
}

TEST_CASE("the example drill is valid", "[drill]") {
  auto parse = load_drill(std::string(SLUICE_SOURCE_DIR) + "/plans/examples/drill.yaml");
  INFO((parse.diagnostics.empty() ? "" : parse.diagnostics[0].to_string()));
  REQUIRE(parse.ok());
  CHECK(parse.drill->regions.size() == 3);
  CHECK(parse.drill->failover_from == "eu-west");
}

TEST_CASE("an httpRoute director maps regions to backends, each a known region", "[drill]") {
  auto parse =
      parse_drill(replace(k_valid_drill, "name: web}", "name: web, backends: {eu: web-eu}}"), "drill.yaml");
  REQUIRE(parse.ok());
  const auto& route = std::get<HttpRouteDirector>(parse.drill->director);
  CHECK(route.backend_of("eu") == "web-eu");
  CHECK(route.backend_of("us") == "us");
  CHECK(errors_of(replace(k_valid_drill, "name: web}", "name: web, backends: {ue: web-eu}}")) ==
        Errors{"drill.yaml:10:69: director.httpRoute.backends.ue: unknown region 'ue' (did you mean 'us'?)"});
}

TEST_CASE("a webhook director's header must be one logs keep secret", "[drill]") {
  CHECK(
      errors_of(replace(k_valid_drill, "httpRoute: {context: edge, namespace: shop, name: web}",
                        "webhook: {url: \"http://x\", secretFrom: {env: T}, header: X-Shared}")) ==
      Errors{
          "drill.yaml:10:60: director.webhook.header: 'X-Shared' is not a name sluice keeps out of logs; use "
          "Authorization or a name containing token, secret, key or auth"});
}
