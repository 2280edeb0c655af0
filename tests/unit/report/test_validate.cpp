#include <sluice/report/validate.hpp>

#include <catch2/catch.hpp>

#include <sstream>

#include "../plan/plan_test_util.hpp"

using namespace sluice::plan;
using namespace sluice::report;
using plan_test::ScratchDir;

TEST_CASE("validate prints valid files to out and each problem on one line to err") {
  ScratchDir dir;
  std::string good = dir.write("good.yaml", plan_test::k_valid_plan);
  std::string bad =
      dir.write("bad.yaml", plan_test::replace(plan_test::k_valid_plan, "kind: Plan", "kind: Plan2"));
  std::ostringstream out, err;
  CHECK_FALSE(validate_files({good, bad}, false, out, err));
  CHECK(out.str() == good + ": valid\n");
  CHECK(err.str() == bad + ":2:7: kind: must be Plan, not 'Plan2'\n");
}

TEST_CASE("validate succeeds when every file is valid") {
  ScratchDir dir;
  std::string good = dir.write("good.yaml", plan_test::k_valid_plan);
  std::ostringstream out, err;
  CHECK(validate_files({good, good}, false, out, err));
  CHECK(err.str().empty());
}

TEST_CASE("validate -o json writes one JSON object per line") {
  ScratchDir dir;
  std::string bad =
      dir.write("bad.yaml", plan_test::replace(plan_test::k_valid_plan, "kind: Plan", "kind: Plan2"));
  std::ostringstream out, err;
  CHECK_FALSE(validate_files({bad}, true, out, err));
  CHECK(out.str() == "{\"file\":\"" + bad +
                         "\",\"line\":2,\"column\":7,\"path\":\"kind\",\"message\":\"must be Plan, "
                         "not 'Plan2'\"}\n{\"file\":\"" +
                         bad + "\",\"valid\":false,\"errors\":1}\n");
  CHECK(err.str().empty());
}

TEST_CASE("plan preview of an invalid file reports its problems instead") {
  ScratchDir dir;
  std::string bad = dir.write("bad.yaml", "");
  std::ostringstream out, err;
  CHECK_FALSE(preview_file(bad, false, out, err));
  CHECK(out.str().empty());
  CHECK(err.str() == bad + ": the plan is empty; a plan starts with 'apiVersion: sluice/v1'\n");
}

TEST_CASE("plan preview -o json writes one JSON object per line") {
  ScratchDir dir;
  std::string good = dir.write("good.yaml", plan_test::k_valid_plan);
  std::ostringstream out, err;
  CHECK(preview_file(good, true, out, err));
  std::istringstream lines(out.str());
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count)
    CHECK(nlohmann::json::parse(line).contains("kind"));
  CHECK(count == 10);
}
