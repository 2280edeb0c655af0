// The Deployment controller's arithmetic against the rules of kubernetes
// pkg/controller/deployment/util (values worked out from the Go sources).
#include <kubesim/controller_math.hpp>

#include <catch2/catch.hpp>

#include <set>

using namespace kubesim;
using Json = nlohmann::json;

TEST_CASE("scaled_value rounds percentages the way the caller asks", "[controller_math]") {
  CHECK(*scaled_value("25%", 10, true) == 3);
  CHECK(*scaled_value("25%", 10, false) == 2);
  CHECK(*scaled_value("100%", 7, false) == 7);
  CHECK(*scaled_value("0%", 7, true) == 0);
  CHECK(*scaled_value(4, 10, true) == 4);
  SECTION("a plain number in a string is not a percentage") {
    auto result = scaled_value("5", 10, true);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message ==
          "invalid value for IntOrString: invalid type: string is not a percentage");
  }
  SECTION("a percentage that is not a number") {
    auto result = scaled_value("abc%", 10, true);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message == "invalid value for IntOrString: invalid value \"abc%\"");
  }
}

TEST_CASE("resolve_fenceposts: surge rounds up, unavailable down, never both zero", "[controller_math]") {
  struct Row {
    Json surge;
    Json unavailable;
    int desired;
    int want_surge;
    int want_unavailable;
  };
  const Row rows[] = {
      {"25%", "25%", 10, 3, 2}, {"25%", "25%", 4, 1, 1}, {"25%", "25%", 1, 1, 0},  {"10%", "10%", 5, 1, 0},
      {"0%", "10%", 5, 0, 1},   {0, 0, 5, 0, 1},         {2, "10%", 10, 2, 1},     {"50%", "0%", 1, 1, 0},
      {"0%", "0%", 3, 0, 1},    {"30%", "30%", 0, 0, 1}, {Json(), "25%", 8, 0, 2},
  };
  for (const Row& row : rows) {
    CAPTURE(row.surge, row.unavailable, row.desired);
    auto fence = resolve_fenceposts(row.surge, row.unavailable, row.desired);
    REQUIRE(fence.ok());
    CHECK(fence->max_surge == row.want_surge);
    CHECK(fence->max_unavailable == row.want_unavailable);
  }
  auto bad = resolve_fenceposts("x", "25%", 4);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message ==
        "maxSurge: invalid value for IntOrString: invalid type: string is not a percentage");
}

TEST_CASE("rollout_limits applies the apiserver defaults and the MaxUnavailable clamps",
          "[controller_math]") {
  SECTION("an empty spec is 1 replica, RollingUpdate 25%/25%") {
    auto limits = rollout_limits(Json::object());
    REQUIRE(limits.ok());
    CHECK(limits->replicas == 1);
    CHECK(limits->rolling);
    CHECK(limits->max_surge == 1);
    CHECK(limits->max_unavailable == 0);
  }
  SECTION("Recreate has neither surge nor unavailability") {
    auto limits = rollout_limits(Json{{"replicas", 4}, {"strategy", {{"type", "Recreate"}}}});
    CHECK_FALSE(limits->rolling);
    CHECK(limits->max_surge == 0);
    CHECK(limits->max_unavailable == 0);
  }
  SECTION("maxUnavailable above replicas is capped at replicas") {
    auto limits =
        rollout_limits(Json{{"replicas", 5}, {"strategy", {{"rollingUpdate", {{"maxUnavailable", 20}}}}}});
    CHECK(limits->max_unavailable == 5);
    CHECK(limits->max_surge == 2);  // the defaulted 25% of 5, rounded up
  }
  SECTION("zero replicas allow no unavailability") {
    auto limits = rollout_limits(Json{{"replicas", 0}});
    CHECK(limits->max_unavailable == 0);
  }
}

TEST_CASE("new_rs_new_replicas grows the new ReplicaSet within maxSurge", "[controller_math]") {
  RolloutLimits rolling{10, true, 3, 2};
  struct Row {
    int all;
    int new_rs;
    int want;
  };
  const Row rows[] = {{10, 0, 3}, {13, 3, 3}, {11, 3, 5}, {8, 8, 10}, {12, 9, 10}, {0, 0, 10}};
  for (const Row& row : rows) {
    CAPTURE(row.all, row.new_rs);
    CHECK(new_rs_new_replicas(rolling, row.all, row.new_rs) == row.want);
  }
  RolloutLimits recreate{4, false, 0, 0};
  CHECK(new_rs_new_replicas(recreate, 9, 0) == 4);
}

TEST_CASE("old_replica_set_scale_down follows reconcileOldReplicaSets", "[controller_math]") {
  RolloutLimits limits{10, true, 3, 2};
  using Changes = std::vector<std::pair<std::string, int>>;
  SECTION("the first step may take maxUnavailable pods away") {
    CHECK(old_replica_set_scale_down(limits, {{"old", 10, 10}}, {"new", 3, 0}) == Changes{{"old", 8}});
  }
  SECTION("available new pods free more old ones") {
    CHECK(old_replica_set_scale_down(limits, {{"old", 8, 8}}, {"new", 5, 3}) == Changes{{"old", 5}});
  }
  SECTION("unhealthy old pods are cleaned up first, and only as far as maxScaledDown") {
    CHECK(old_replica_set_scale_down(limits, {{"old", 5, 2}}, {"new", 5, 5}) == Changes{{"old", 3}});
  }
  SECTION("the oldest ReplicaSet goes down first") {
    CHECK(old_replica_set_scale_down(limits, {{"a", 2, 2}, {"b", 4, 4}}, {"new", 6, 6}) ==
          Changes{{"a", 0}, {"b", 2}});
  }
  SECTION("unavailable new pods block any scale-down") {
    RolloutLimits strict{10, true, 3, 0};
    CHECK(old_replica_set_scale_down(strict, {{"old", 10, 10}}, {"new", 3, 0}).empty());
  }
  SECTION("nothing to do without old pods") {
    CHECK(old_replica_set_scale_down(limits, {{"old", 0, 0}}, {"new", 10, 10}).empty());
  }
}

TEST_CASE("proportional_sizes spreads a resize over the active ReplicaSets", "[controller_math]") {
  SECTION("10 -> 20 replicas mid-rollout keeps the old:new proportion") {
    RolloutLimits limits{20, true, 5, 5};
    auto sizes = proportional_sizes(limits, 13, {{"old", 8, 13, 0}, {"new", 5, 13, 1}});
    CHECK(sizes["old"] == 15);
    CHECK(sizes["new"] == 10);
  }
  SECTION("to zero takes everything away") {
    RolloutLimits limits{0, true, 0, 0};
    auto sizes = proportional_sizes(limits, 13, {{"old", 8, 13, 0}, {"new", 5, 13, 1}});
    CHECK(sizes["old"] == 0);
    CHECK(sizes["new"] == 0);
  }
  SECTION("leftovers from rounding go to the largest ReplicaSet") {
    RolloutLimits limits{5, true, 2, 1};  // 5 + 25% surge rounded up
    auto sizes = proportional_sizes(limits, 4, {{"a", 2, 4, 0}, {"b", 2, 4, 1}});
    CHECK(sizes["a"] + sizes["b"] == 7);
    CHECK(sizes["b"] == 4);  // equal sizes when growing: the newer one is "largest"
  }
}

TEST_CASE("fnv32a and safe_encode_string match the Go implementations", "[controller_math]") {
  CHECK(fnv32a("") == 0x811c9dc5u);
  CHECK(fnv32a("a") == 0xe40c292cu);
  CHECK(fnv32a("foobar") == 0xbf9cf968u);
  CHECK(safe_encode_string("0123456789") == "456789bcdf");
}

TEST_CASE("pod_template_hash is stable and ignores what the apiserver ignores", "[controller_math]") {
  Json base = {{"metadata", {{"labels", {{"app", "web"}}}}},
               {"spec", {{"containers", {{{"name", "web"}, {"image", "web:1"}}}}}}};
  std::string hash = pod_template_hash(base, std::nullopt);
  CHECK_FALSE(hash.empty());
  CHECK(hash.size() <= 10);
  CHECK(hash.find_first_not_of("456789bcdf") == std::string::npos);  // digits of a uint32, encoded
  Json labelled = base;
  labelled["metadata"]["labels"]["pod-template-hash"] = hash;
  labelled["metadata"]["creationTimestamp"] = nullptr;
  CHECK(pod_template_hash(labelled, std::nullopt) == hash);
  Json other = base;
  other["spec"]["containers"][0]["image"] = "web:2";
  CHECK(pod_template_hash(other, std::nullopt) != hash);
  CHECK(pod_template_hash(base, 1) != hash);
  CHECK(pod_template_hash(base, 1) != pod_template_hash(base, 2));
}

TEST_CASE("random_suffix uses the generateName alphabet", "[controller_math]") {
  std::mt19937 rng(42);
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string suffix = random_suffix(rng);
    CHECK(suffix.size() == 5);
    CHECK(suffix.find_first_not_of("bcdfghjklmnpqrstvwxz2456789") == std::string::npos);
    seen.insert(suffix);
  }
  CHECK(seen.size() > 45);
}

TEST_CASE("revision numbering: max existing + 1, a reused ReplicaSet keeps its history",
          "[controller_math]") {
  CHECK(max_revision({}) == 0);
  CHECK(max_revision({3, 1, 2}) == 3);
  SECTION("a new ReplicaSet gets the revision, no history") {
    auto next = next_revision_annotations("", "", 1);
    CHECK(next.changed);
    CHECK(next.revision == "1");
    CHECK(next.history.empty());
  }
  SECTION("rollback: revision 1 comes back as 3 and remembers 1") {
    auto next = next_revision_annotations("1", "", 3);
    CHECK(next.changed);
    CHECK(next.revision == "3");
    CHECK(next.history == "1");
    auto again = next_revision_annotations("3", "1", 5);
    CHECK(again.revision == "5");
    CHECK(again.history == "1,3");
  }
  SECTION("the revision never goes down") {
    auto next = next_revision_annotations("5", "", 3);
    CHECK_FALSE(next.changed);
    CHECK(next.revision == "5");
  }
  SECTION("an unparsable revision is left alone") {
    CHECK_FALSE(next_revision_annotations("x", "", 2).changed);
  }
}

TEST_CASE("replica_sets_beyond_history deletes the oldest fully scaled-down revisions", "[controller_math]") {
  std::vector<HistoryEntry> old = {
      {"r1", 1, 0, 0, 0, true, false}, {"r2", 2, 1, 0, 0, true, false}, {"r3", 3, 2, 1, 1, true, false},
      {"r4", 4, 3, 0, 0, true, false}, {"r5", 5, 4, 0, 0, true, false},
  };
  CHECK(replica_sets_beyond_history(old, 2) == std::vector<std::string>{"r1", "r2"});  // r3 still has a pod
  CHECK(replica_sets_beyond_history(old, 5).empty());
  CHECK(replica_sets_beyond_history(old, 0) == std::vector<std::string>{"r1", "r2", "r4", "r5"});
  old[0].settled = false;  // its controller has not seen the scale-down yet
  CHECK(replica_sets_beyond_history(old, 3) == std::vector<std::string>{"r2"});
}

TEST_CASE("deployment_complete and deployment_progressing follow the util functions", "[controller_math]") {
  DeploymentCounts done{2, 3, 3, 3, 3, 0};
  CHECK(deployment_complete(3, 2, done));
  CHECK_FALSE(deployment_complete(3, 3, done));  // a newer generation not yet observed
  CHECK_FALSE(deployment_complete(4, 2, done));
  DeploymentCounts before{1, 4, 1, 3, 3, 1};
  CHECK(deployment_progressing(before, {1, 4, 2, 3, 3, 1}));  // more updated
  CHECK(deployment_progressing(before, {1, 3, 1, 3, 3, 0}));  // fewer old
  CHECK(deployment_progressing(before, {1, 4, 1, 3, 4, 0}));  // more available
  CHECK_FALSE(deployment_progressing(before, before));
}

TEST_CASE("set_condition keeps times the way SetDeploymentCondition does", "[controller_math]") {
  Json status = Json::object();
  set_condition(status, make_condition("Available", "False", "MinimumReplicasUnavailable", "m", "t1"));
  SECTION("same status and reason: nothing changes") {
    set_condition(status, make_condition("Available", "False", "MinimumReplicasUnavailable", "m", "t2"));
    CHECK((*find_condition(status, "Available"))["lastUpdateTime"] == "t1");
  }
  SECTION("same status, new reason: lastTransitionTime stays") {
    set_condition(status, make_condition("Available", "False", "Other", "m", "t2"));
    CHECK((*find_condition(status, "Available"))["lastUpdateTime"] == "t2");
    CHECK((*find_condition(status, "Available"))["lastTransitionTime"] == "t1");
  }
  SECTION("a new status transitions") {
    set_condition(status, make_condition("Available", "True", "MinimumReplicasAvailable", "m", "t3"));
    CHECK((*find_condition(status, "Available"))["lastTransitionTime"] == "t3");
    CHECK(status["conditions"].size() == 1);
  }
}
