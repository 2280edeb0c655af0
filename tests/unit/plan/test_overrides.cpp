// --image and --set: fields replaced before the plan is read, checked like
// the file's own values, and part of the plan's identity.
#include <sluice/plan/overrides.hpp>
#include <sluice/plan/parser.hpp>

#include <catch2/catch.hpp>

#include "plan_test_util.hpp"

using namespace sluice::plan;
using plan_test::k_valid_plan;
using plan_test::replace;

namespace {

Overrides read_ok(const std::vector<std::string>& sets, const std::string& image = "") {
  auto read = read_overrides(sets, image);
  REQUIRE(std::holds_alternative<Overrides>(read));
  return std::get<Overrides>(read);
}

std::string read_error(const std::vector<std::string>& sets) {
  auto read = read_overrides(sets, "");
  REQUIRE(std::holds_alternative<Diagnostic>(read));
  const auto& problem = std::get<Diagnostic>(read);
  return problem.path + ": " + problem.message;
}

std::vector<std::string> errors_with(const std::string& text, const Overrides& overrides) {
  std::vector<std::string> out;
  for (const auto& d : parse_plan(text, "plan.yaml", overrides).diagnostics) out.push_back(d.to_string());
  return out;
}

}  // namespace

TEST_CASE("--image and --set replace the plan's fields") {
  auto parse = parse_plan(k_valid_plan, "plan.yaml",
                          read_ok({"target.container=app", "progressDeadline=15m", "rollback.automatic=false",
                                   "strategy.canary.maxSurge=1"},
                                  "registry.example.com/shop/web:2.0"));
  REQUIRE(parse.ok());
  CHECK(parse.plan->image == "registry.example.com/shop/web:2.0");
  CHECK(parse.plan->target.container == "app");
  CHECK(parse.plan->progress_deadline == Duration(900'000));
  CHECK_FALSE(parse.plan->rollback_automatic);
  CHECK(std::get<CanaryStrategy>(parse.plan->strategy).max_surge.value == 1);
  CHECK(parse.plan->overrides.size() == 5);
}

TEST_CASE("--image wins over --set image=") {
  CHECK(read_ok({"image=a:1"}, "b:2") == Overrides{{"image", "b:2"}});
}

TEST_CASE("an override's bad value is an error naming its flag, as the file's would be") {
  CHECK(errors_with(k_valid_plan, {{"image", "Registry/Web:2"}}) ==
        std::vector<std::string>{"plan.yaml: --image: 'Registry/Web:2' is not a valid image reference "
                                 "(repository name must be lowercase); write e.g. "
                                 "registry.example.com/shop/app:1.4.2"});
  CHECK(errors_with(k_valid_plan, {{"progressDeadline", "10"}}) ==
        std::vector<std::string>{
            "plan.yaml: --set progressDeadline: '10' needs a unit: ms, s, m or h (e.g. 10s)"});
  CHECK(errors_with(k_valid_plan, {{"rollback.automatic", "yes"}}) ==
        std::vector<std::string>{"plan.yaml: --set rollback.automatic: must be true or false, not 'yes'"});
}

TEST_CASE("a field --set cannot change, or text that is not field=value, is an error naming --set") {
  CHECK(read_error({"metadata.name=other"}) ==
        "--set: 'metadata.name' cannot be set from the command line; the fields --set changes are image, "
        "target.container, progressDeadline, minAvailable, rollback.automatic, strategy.rolling.maxSurge, "
        "strategy.rolling.maxUnavailable, strategy.blueGreen.autoPromote, "
        "strategy.blueGreen.scaleDownDelay, strategy.canary.maxSurge, strategy.canary.maxUnavailable");
  CHECK(read_error({"progresDeadline=5m"}).find("(did you mean 'progressDeadline'?)") != std::string::npos);
  CHECK(read_error({"image"}) == "--set: 'image' is not field=value, e.g. --set progressDeadline=15m");
  CHECK(read_error({"=x"}) == "--set: '=x' is not field=value, e.g. --set progressDeadline=15m");
}

TEST_CASE("a strategy field --set for a strategy the plan does not use is an error") {
  CHECK(errors_with(k_valid_plan, {{"strategy.blueGreen.autoPromote", "false"}}) ==
        std::vector<std::string>{
            "plan.yaml: --set strategy.blueGreen.autoPromote: the plan's strategy is canary, not blueGreen"});
}

TEST_CASE("`rolling:` with no settings takes a --set of its fields") {
  std::string rolling = replace(
      k_valid_plan, "  canary:\n    steps:\n      - setWeight: 20\n      - analysis: {checks: [errors]}\n",
      "  rolling:\n");
  auto parse = parse_plan(rolling, "plan.yaml", {{"strategy.rolling.maxUnavailable", "1"}});
  REQUIRE(parse.ok());
  CHECK(std::get<RollingStrategy>(parse.plan->strategy).max_unavailable.value == 1);
}

TEST_CASE("overrides are part of the plan's identity; one that changes nothing is not") {
  auto plain = parse_plan(k_valid_plan, "plan.yaml");
  auto same = parse_plan(k_valid_plan, "plan.yaml", {{"image", "registry.example.com/shop/web:1.0"}});
  auto other = parse_plan(k_valid_plan, "plan.yaml", {{"image", "registry.example.com/shop/web:2.0"}});
  auto other_again = parse_plan(k_valid_plan, "plan.yaml", {{"image", "registry.example.com/shop/web:2.0"}});
  REQUIRE((plain.ok() && same.ok() && other.ok() && other_again.ok()));
  CHECK(same.plan->source_hash == plain.plan->source_hash);
  CHECK(same.plan->overrides.empty());
  CHECK(other.plan->source_hash != plain.plan->source_hash);
  CHECK(other.plan->source_hash == other_again.plan->source_hash);
  CHECK(other.plan->overrides == Overrides{{"image", "registry.example.com/shop/web:2.0"}});
}
