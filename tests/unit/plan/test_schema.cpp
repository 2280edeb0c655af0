// docs/plan.schema.json and plans/examples/ must agree with the parser.
#include <sluice/plan/condition.hpp>
#include <sluice/plan/drill_parser.hpp>
#include <sluice/plan/parser.hpp>
#include <sluice/plan/release_parser.hpp>
#include <sluice/registry/reference.hpp>

#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

#include "plan_test_util.hpp"
#include "tree_paths.hpp"

using namespace sluice::plan;
using nlohmann::json;
using plan_test::k_valid_plan;
using plan_test::replace;

namespace {

const json& schema() {
  static const json loaded =
      json::parse(std::ifstream(std::string(SLUICE_SOURCE_DIR) + "/docs/plan.schema.json"));
  return loaded;
}

std::vector<std::string> example_plans() {
  std::vector<std::string> out;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(SLUICE_SOURCE_DIR) + "/plans/examples"))
    // Releases and drills have their own schema and tests (test_release_parser.cpp, the drill tests).
    if (entry.path().extension() == ".yaml" && !is_release_file(entry.path().string()) &&
        !is_drill_file(entry.path().string()))
      out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> property_names(const json& object) {
  std::vector<std::string> out;
  for (const auto& [name, value] : object.at("properties").items()) out.push_back(name);
  return out;
}

// Whether the parser calls `key` unknown when `text` puts it in a section.
bool parser_knows(const std::string& text, const std::string& key) {
  for (const auto& error : plan_test::errors_of(text))
    if (error.find(key + ": unknown field") != std::string::npos) return false;
  return true;
}

}  // namespace

TEST_CASE("every example plan is valid") {
  auto plans = example_plans();
  REQUIRE(plans.size() >= 4);
  for (const auto& path : plans) {
    auto parse = load_plan(path);
    INFO(path << (parse.diagnostics.empty() ? "" : ": " + parse.diagnostics[0].to_string()));
    CHECK(parse.ok());
  }
}

TEST_CASE("every top-level key of every example plan is in the schema") {
  const json& properties = schema().at("properties");
  for (const auto& path : example_plans()) {
    YAML::Node root = YAML::LoadFile(path);
    for (const auto& entry : root) {
      INFO(path << ": " << entry.first.Scalar());
      CHECK(properties.contains(entry.first.Scalar()));
    }
  }
}

TEST_CASE("the schema's required top-level fields are the parser's") {
  for (const auto& key : schema().at("required")) {
    std::string name = key.get<std::string>();
    std::string line_start = name + ":";
    auto at = k_valid_plan.find(line_start);
    REQUIRE(at != std::string::npos);
    std::string without = k_valid_plan;
    without.erase(at, without.find('\n', at) - at + 1);
    if (name == "strategy")
      without =
          replace(without,
                  "  canary:\n    steps:\n      - setWeight: 20\n      - analysis: {checks: [errors]}\n", "");
    auto errors = plan_test::errors_of(without);
    INFO(name);
    CHECK(std::find(errors.begin(), errors.end(), "plan.yaml:1:1: " + name + ": required field is missing") !=
          errors.end());
  }
}

TEST_CASE("every field the schema names is one the parser knows") {
  const json& defs = schema().at("$defs");
  SECTION("top level") {
    for (const auto& key : property_names(schema())) CHECK(parser_knows(k_valid_plan + key + ": x\n", key));
  }
  SECTION("target") {
    for (const auto& key : property_names(schema().at("properties").at("target")))
      CHECK(parser_knows(replace(k_valid_plan, "service: web}", "service: web, " + key + ": x}"), key));
  }
  SECTION("check") {
    for (const auto& key : property_names(defs.at("check")))
      CHECK(parser_knows(k_valid_plan + "    " + key + ": x\n", key));
  }
  SECTION("check sources") {
    for (const auto& source : {"prometheus", "http", "webhook"})
      for (const auto& key : property_names(defs.at("check").at("properties").at(source))) {
        std::string text = replace(k_valid_plan, "prometheus: {address: http://prom:9090, query: up}",
                                   std::string(source) + ": {" + key + ": x}");
        CHECK(parser_knows(text, key));
      }
  }
  SECTION("strategies and steps") {
    const std::string canary =
        "  canary:\n    steps:\n      - setWeight: 20\n      - analysis: {checks: [errors]}";
    for (const auto& strategy : {"rolling", "blueGreen"})
      for (const auto& key : property_names(defs.at(strategy)))
        CHECK(parser_knows(replace(k_valid_plan, canary, "  " + std::string(strategy) + ": {" + key + ": x}"),
                           key));
    for (const auto& key : property_names(defs.at("canary")))
      CHECK(parser_knows(replace(k_valid_plan, "    steps:", "    " + key + ": x\n    steps:"), key));
    for (const auto& key : property_names(defs.at("step")))
      CHECK(parser_knows(replace(k_valid_plan, "      - setWeight: 20", "      - {" + key + ": x}"), key));
  }
  SECTION("and an unknown one is caught by the same probe") {
    CHECK_FALSE(parser_knows(k_valid_plan + "bogus: x\n", "bogus"));
  }
}

TEST_CASE("every condition shown in docs/plan-format.md parses") {
  std::ifstream doc(std::string(SLUICE_SOURCE_DIR) + "/docs/plan-format.md");
  int seen = 0;
  for (std::string line; std::getline(doc, line);) {
    // YAML lines of the examples only: `   successCondition: <text>   # comment`.
    std::string trimmed = line.substr(std::min(line.size(), line.find_first_not_of(' ')));
    if (trimmed.rfind("successCondition: ", 0) != 0 && trimmed.rfind("failureCondition: ", 0) != 0) continue;
    std::string text = trimmed.substr(18);
    text = text.substr(0, text.find("  #"));
    while (!text.empty() && text.back() == ' ') text.pop_back();
    auto parsed = parse_condition(text);
    INFO(text << ": " << (parsed.error ? parsed.error->message : ""));
    CHECK(parsed.expr);
    ++seen;
  }
  CHECK(seen >= 6);
}

TEST_CASE("the schema's image pattern accepts the references the parser accepts") {
  const json& image = schema().at("properties").at("image");
  std::regex pattern(image.at("pattern").get<std::string>(), std::regex::ECMAScript);
  const std::string digest = "@sha256:" + std::string(64, 'a');
  // Name length (255 after normalising) is the parser's alone; the schema bounds the whole text.
  for (const std::string& text : std::vector<std::string>{"nginx",
                                                          "nginx:1.25",
                                                          "bitnami/redis:7",
                                                          "ghcr.io/org/team/app:v1.2.3",
                                                          "localhost:5000/app:dev",
                                                          "127.0.0.1:5000/a/b",
                                                          "[::1]:5000/app:x",
                                                          "Registry.Example.com/app",
                                                          "Shop/app",
                                                          "a/b__c/d-e.f/g--h:Tag_1.0-rc",
                                                          "app" + digest,
                                                          "reg.io:443/app:1" + digest,
                                                          "localhost:5000",
                                                          "a.b",
                                                          "registry.example.com/Shop/web:1",
                                                          "shop/web$:1",
                                                          "Nginx",
                                                          "app:",
                                                          "app:-x",
                                                          "app@sha256:abc",
                                                          "app/",
                                                          "a//b",
                                                          "-app",
                                                          "app.",
                                                          "a..b",
                                                          "a___b",
                                                          "host:port/app",
                                                          "-bad.host/app",
                                                          "app b",
                                                          "shop/web: 1.0",
                                                          "Shop_x/app",
                                                          "example.com:/app",
                                                          std::string(64, 'f'),
                                                          "web\x1b[2J:1"}) {
    INFO(text);
    CHECK(std::regex_match(text, pattern) == !sluice::registry::image_ref_problem(text).has_value());
  }
  CHECK(image.at("maxLength") == 255 + 1 + 128 + digest.size());
}
