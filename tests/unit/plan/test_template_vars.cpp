#include <sluice/plan/template_vars.hpp>

#include <catch2/catch.hpp>

#include "plan_test_util.hpp"

using namespace sluice::plan;
using plan_test::errors_of;
using plan_test::k_valid_plan;
using plan_test::replace;

namespace {

const std::string k_canary_steps =
    "  canary:\n    steps:\n      - setWeight: 20\n      - analysis: {checks: [errors]}";
const std::string k_query = "query: up}";

// The valid plan with `strategy` in place of its canary and `query` as its check's query.
std::string plan_with(const std::string& strategy, const std::string& query) {
  return replace(replace(k_valid_plan, k_canary_steps, strategy), k_query, "query: '" + query + "'}");
}

}  // namespace

TEST_CASE("template variables are found with their offsets, spaces inside the braces allowed") {
  auto uses = template_uses("a{{hash}}b{{ weight }}c{{x");
  REQUIRE(uses.size() == 3);
  CHECK(uses[0].name == "hash");
  CHECK(uses[0].offset == 1);
  CHECK(uses[1].name == "weight");
  CHECK(uses[1].token == "{{ weight }}");
  CHECK_FALSE(uses[2].closed);
}

TEST_CASE("every variable has a meaning in a canary plan") {
  std::string query;
  for (const auto& name : template_variable_names()) query += "{{" + name + "}}";
  CHECK(errors_of(replace(k_valid_plan, k_query, "query: '" + query + "'}")).empty());
}

TEST_CASE("the hashes have a meaning in every strategy") {
  std::string query = "x{pod_template_hash=\"{{canary_hash}}\",s=\"{{stable_hash}}\",h=\"{{hash}}\"}";
  CHECK(errors_of(plan_with("  rolling: {checks: [errors]}", query)).empty());
  CHECK(errors_of(plan_with("  blueGreen: {prePromotionChecks: [errors]}", query)).empty());
}

TEST_CASE("validate refuses {{weight}} outside a canary, pointing at the variable") {
  SECTION("rolling") {
    CHECK(errors_of(plan_with("  rolling: {checks: [errors]}", "x{w=\"{{weight}}\"}")) ==
          std::vector<std::string>{"plan.yaml:10:58: checks.errors.prometheus.query: '{{weight}}' is a "
                                   "canary's traffic percent; it has no meaning in a rolling plan"});
  }
  SECTION("blue-green") {
    CHECK(errors_of(plan_with("  blueGreen: {prePromotionChecks: [errors]}", "{{ weight }}")) ==
          std::vector<std::string>{"plan.yaml:10:53: checks.errors.prometheus.query: '{{weight}}' is a "
                                   "canary's traffic percent; it has no meaning in a blue-green plan"});
  }
}

TEST_CASE("validate refuses unknown and unclosed variables, and {{service}} without a Service") {
  CHECK(errors_of(replace(k_valid_plan, k_query, "query: '{{canary_hsh}}'}")) ==
        std::vector<std::string>{"plan.yaml:13:53: checks.errors.prometheus.query: unknown template variable "
                                 "'{{canary_hsh}}' (did you mean 'canary_hash'?)"});
  CHECK(errors_of(replace(k_valid_plan, k_query, "query: 'up{a=\"{{name\"}'}")) ==
        std::vector<std::string>{
            "plan.yaml:13:59: checks.errors.prometheus.query: '{{' is not closed with '}}'"});
  std::string no_service =
      replace(plan_with("  rolling: {checks: [errors]}", "x{s=\"{{service}}\"}"), ", service: web}", "}");
  CHECK(errors_of(no_service) ==
        std::vector<std::string>{"plan.yaml:10:58: checks.errors.prometheus.query: '{{service}}' has no "
                                 "meaning here: the plan's target names no Service"});
}

TEST_CASE("a variable in a block scalar, a baseline or a URL is pointed at on its own line") {
  std::string block =
      replace(k_valid_plan, "    prometheus: {address: http://prom:9090, query: up}\n",
              "    prometheus:\n      address: http://prom:9090\n      query: |\n        sum(x)\n          / "
              "{{wieght}}\n"
              "    baseline:\n      query: >-\n        y{h=\"{{hash}}\"}\n        {{weight}} {{zzzzzz}}\n");
  CHECK(
      errors_of(block) ==
      std::vector<std::string>{
          "plan.yaml:17:13: checks.errors.prometheus.query: unknown template variable '{{wieght}}' (did you "
          "mean 'weight'?)",
          "plan.yaml:21:20: checks.errors.baseline.query: unknown template variable '{{zzzzzz}}'"});
  std::string url = replace(replace(k_valid_plan, "prometheus: {address: http://prom:9090, query: up}",
                                    "http: {url: 'http://web.{{namespace}}/{{weight}}'}"),
                            "    successCondition: result < 0.01\n", "");
  CHECK(
      errors_of(replace(url, k_canary_steps, "  rolling: {checks: [errors]}")) ==
      std::vector<std::string>{"plan.yaml:10:43: checks.errors.http.url: '{{weight}}' is a canary's traffic "
                               "percent; it has no meaning in a rolling plan"});
}
