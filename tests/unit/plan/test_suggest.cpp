#include <sluice/plan/suggest.hpp>

#include <catch2/catch.hpp>

using namespace sluice::plan;

TEST_CASE("edit distance counts insertions, deletions and substitutions, ignoring case") {
  CHECK(edit_distance("interval", "interval") == 0);
  CHECK(edit_distance("intervall", "interval") == 1);
  CHECK(edit_distance("intreval", "interval") == 2);
  CHECK(edit_distance("Interval", "interval") == 0);
  CHECK(edit_distance("", "abc") == 3);
}

TEST_CASE("did you mean suggests only plausible typos") {
  std::vector<std::string> fields = {"deployment", "namespace", "service"};
  CHECK(did_you_mean("deploymnet", fields) == " (did you mean 'deployment'?)");
  CHECK(did_you_mean("servce", fields) == " (did you mean 'service'?)");
  CHECK(did_you_mean("colour", fields) == "");
  CHECK(did_you_mean("", fields) == "");
  CHECK(did_you_mean(std::string(1000, 'x'), fields) == "");
}
