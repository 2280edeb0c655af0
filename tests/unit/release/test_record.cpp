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

namespace {

ReleaseRecord run_of(const std::string& digest, const std::string& phase) {
  ReleaseRecord r;
  r.name = "shop";
  r.digest = digest;
  r.phase = phase;
  r.targets.push_back({"first", "east", "shop", "web", "web", "rolling", TargetOutcome::done, 0, ""});
  return r;
}

}  // namespace

TEST_CASE("a fresh release run keeps the runs before it, oldest first, at most ten", "[release][history]") {
  ReleaseRecord current = run_of("d0", "Succeeded");
  for (int i = 1; i <= 12; ++i)
    current = with_history_of(run_of("d" + std::to_string(i), "Progressing"), current);
  REQUIRE(current.history.size() == k_release_history_kept);
  CHECK(current.history.front().digest == "d2");
  CHECK(current.history.back().digest == "d11");
  CHECK(current.digest == "d12");
  for (const auto& past : current.history) CHECK(past.history.empty());
  auto back = release_record_from_json(to_json(current));
  REQUIRE(back);
  REQUIRE(back->history.size() == k_release_history_kept);
  CHECK(back->history[3].digest == "d5");
  CHECK(back->history[3].targets.size() == 1);
}

TEST_CASE("a release record written before releases kept a history reads with none", "[release][history]") {
  auto j = to_json(run_of("d1", "Succeeded"));
  j.erase("history");
  auto back = release_record_from_json(j);
  REQUIRE(back);
  CHECK(back->history.empty());
  CHECK(back->digest == "d1");
}
