// The drill record: its JSON both ways, refusals naming the field, and the
// rule that says where a failover or failback (re)starts.
#include <sluice/drill/record.hpp>

#include <catch2/catch.hpp>

using namespace sluice::drill;
using nlohmann::json;

namespace {

DrillRecord sample() {
  DrillRecord record;
  record.drill = "web-dr";
  record.from = "eu";
  record.step = DrillStep::capacity_raised;
  record.regions = {{"eu", "eu-1", "shop", "web", 2, "", 0, 0},
                    {"us", "us-1", "shop", "web", 3, "web", 2, 10}};
  record.weights = {{"eu", 50}, {"us", 50}};
  record.started_at = "2026-12-07T22:00:00Z";
  return record;
}

}  // namespace

TEST_CASE("a drill record reads back what was written", "[drill]") {
  json written = to_json(sample());
  CHECK(written["step"] == "CapacityRaised");
  CHECK_FALSE(written["regions"][0].contains("hpa"));
  CHECK(written["regions"][1]["minReplicas"] == 2);
  auto read = drill_record_from_json(written);
  REQUIRE(read);
  CHECK(to_json(*read) == written);
  CHECK(read->regions[1].hpa == "web");
  CHECK(read->regions[1].max_replicas == 10);
  CHECK(record_name("web-dr") == "sluice-drill-web-dr");
}

TEST_CASE("a damaged drill record is refused naming the field", "[drill]") {
  json written = to_json(sample());
  SECTION("step") {
    written["step"] = "Halfway";
    auto read = drill_record_from_json(written);
    REQUIRE_FALSE(read);
    CHECK(read.error().message == "drill record: step: unknown step 'Halfway'");
  }
  SECTION("replicas") {
    written["regions"][1]["replicas"] = -1;
    auto read = drill_record_from_json(written);
    REQUIRE_FALSE(read);
    CHECK(read.error().message == "drill record: regions[1].replicas: must be a non-negative integer");
  }
  SECTION("region") {
    written["regions"][0].erase("deployment");
    auto read = drill_record_from_json(written);
    REQUIRE_FALSE(read);
    CHECK(read.error().message == "drill record: regions[0].deployment: must be a non-empty string");
  }
}

TEST_CASE("the record says whether a failover starts, resumes, is done or is refused", "[drill]") {
  DrillRecord record = sample();
  CHECK(failover_start(std::nullopt, "eu") == FailoverStart::fresh);
  CHECK(failover_start(record, "eu") == FailoverStart::resume);
  CHECK(failover_start(record, "us") == FailoverStart::refuse);
  record.step = DrillStep::traffic_moved;
  CHECK(failover_start(record, "eu") == FailoverStart::already_done);
  record.step = DrillStep::traffic_restored;
  CHECK(failover_start(record, "eu") == FailoverStart::refuse);
  CHECK(failback_start(record) == FailbackStart::resume);
  record.step = DrillStep::restored;
  CHECK(failover_start(record, "us") == FailoverStart::fresh);
  CHECK(failback_start(record) == FailbackStart::nothing_to_do);
  CHECK(failback_start(std::nullopt) == FailbackStart::nothing_to_do);
}
