#include <sluice/gate/measurement.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <vector>

using sluice::gate::ConditionOutcome;
using sluice::gate::judge;
using sluice::gate::Phase;

TEST_CASE("a measurement is judged as argo-rollouts judges it") {
  const ConditionOutcome none{};
  const ConditionOutcome yes{true, true};
  const ConditionOutcome no{true, false};
  const ConditionOutcome undecided{true, std::nullopt};
  struct Row {
    const char* what;
    ConditionOutcome success;
    ConditionOutcome failure;
    Phase expected;
  };
  std::vector<Row> rows{
      {"no conditions", none, none, Phase::successful},
      {"success condition holds", yes, none, Phase::successful},
      {"success condition does not hold", no, none, Phase::failed},
      {"failure condition holds", none, yes, Phase::failed},
      {"failure condition does not hold", none, no, Phase::successful},
      {"both: success holds", yes, no, Phase::successful},
      {"both: failure holds", no, yes, Phase::failed},
      {"both hold: failure wins", yes, yes, Phase::failed},
      {"both: neither holds", no, no, Phase::inconclusive},
      {"success undecidable", undecided, none, Phase::error},
      {"failure undecidable", none, undecided, Phase::error},
      {"one undecidable of two", yes, undecided, Phase::error},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(judge(row.success, row.failure) == row.expected);
  }
}

TEST_CASE("phases have argo-rollouts' names") {
  CHECK(std::string(to_string(Phase::successful)) == "Successful");
  CHECK(std::string(to_string(Phase::failed)) == "Failed");
  CHECK(std::string(to_string(Phase::inconclusive)) == "Inconclusive");
  CHECK(std::string(to_string(Phase::error)) == "Error");
}
