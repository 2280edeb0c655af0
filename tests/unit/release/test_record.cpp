// The release record's JSON: what a resumed apply reads back.
#include <sluice/release/record.hpp>

#include <catch2/catch.hpp>

using namespace sluice::release;

TEST_CASE("a release record reads back as it was written") {
  ReleaseRecord r;
  r.name = "shop";
  r.source_hash = "abc";
  r.image = "registry.example.com/app:2";
  r.digest = "registry.example.com/app@sha256:00";
  r.on_failure = "hold";
  r.phase = "Held";
  r.targets.push_back({"first", "east", "shop", "web", "web", "rolling", TargetOutcome::done, 0, "ok"});
  r.targets.push_back({"rest", "west", "shop", "api", "api", "canary", TargetOutcome::rolled_back, 3, "bad"});
  auto back = release_record_from_json(to_json(r));
  REQUIRE(back);
  CHECK(back->name == "shop");
  CHECK(back->digest == r.digest);
  CHECK(back->phase == "Held");
  REQUIRE(back->targets.size() == 2);
  CHECK(back->targets[1].outcome == TargetOutcome::rolled_back);
  CHECK(back->targets[1].exit_code == 3);
  CHECK(back->targets[0].wave == "first");
  CHECK(back->targets[1].strategy == "canary");
}

TEST_CASE("a release record with an unknown target outcome is refused") {
  auto j = to_json(ReleaseRecord{});
  j["targets"] = nlohmann::json::array({{{"outcome", "Exploded"}}});
  auto back = release_record_from_json(j);
  REQUIRE_FALSE(back);
  CHECK(back.error().message == "unknown target outcome Exploded");
}
