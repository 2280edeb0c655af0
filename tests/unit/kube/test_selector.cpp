// The one label-selector parser: what it accepts, and the apiserver's words
// for what it refuses (kubesim answers 400 with them).
#include <sluice/kube/selector.hpp>

#include <catch2/catch.hpp>

using namespace sluice::kube;
using Op = Requirement::Op;

TEST_CASE("a label selector parses into one requirement per term", "[kube][selector]") {
  auto parsed = parse_label_selector(" app==web, tier!=db,env in (a, b),track notin (),canary,!beta ");
  REQUIRE(parsed.ok());
  const auto& r = *parsed;
  REQUIRE(r.size() == 6);
  CHECK((r[0].key == "app" && r[0].op == Op::equals && r[0].values == std::vector<std::string>{"web"}));
  CHECK((r[1].key == "tier" && r[1].op == Op::not_equals && r[1].values == std::vector<std::string>{"db"}));
  CHECK((r[2].key == "env" && r[2].op == Op::in && r[2].values == std::vector<std::string>{"a", "b"}));
  CHECK((r[3].key == "track" && r[3].op == Op::not_in && r[3].values.empty()));
  CHECK((r[4].key == "canary" && r[4].op == Op::exists));
  CHECK((r[5].key == "beta" && r[5].op == Op::not_exists));
  CHECK(parse_label_selector("  ")->empty());
}

TEST_CASE("an invalid label selector is refused in the apiserver's words", "[kube][selector]") {
  struct Row {
    const char* selector;
    const char* message;
  };
  const Row rows[] = {
      {"env in prod", "unable to parse requirement: found 'prod', expected: '('"},
      {"a=b,", "found '', expected: identifier"},
      {"a=b,,c", "found '', expected: identifier"},
      {"b$d=x", "unable to parse requirement: invalid label key \"b$d\""},
      {"=x", "unable to parse requirement: invalid label key \"\""},
  };
  for (const auto& row : rows) {
    INFO(row.selector);
    auto parsed = parse_label_selector(row.selector);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().kind == sluice::util::ErrorKind::invalid);
    CHECK(parsed.error().message == row.message);
  }
}

TEST_CASE("a selector that does not parse matches no labels", "[kube][selector]") {
  const Json labels = {{"app", "web"}};
  CHECK(labels_match(labels, "app=web"));
  CHECK_FALSE(labels_match(labels, "app=web,"));
  CHECK_FALSE(labels_match(labels, "app in web"));
}

TEST_CASE("labels that are not strings, or not an object, count as absent", "[kube][selector]") {
  const Json labels = {{"replicas", 3}};
  CHECK(labels_match(labels, "!replicas"));
  CHECK_FALSE(labels_match(labels, "replicas"));
  CHECK(labels_match(Json(), "app!=web"));
  CHECK_FALSE(labels_match(Json::array(), "app"));
}
