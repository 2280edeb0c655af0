// The simulated Deployment and ReplicaSet controllers, driven in-process:
// each test creates objects in a Store and waits on store changes for the
// state the real controllers would reach.
#include "test_controller_harness.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>

using namespace kubesim_test;
using kubesim::int_at;
using kubesim::string_at;

namespace {

std::vector<Json> replica_sets(Cluster& cluster) {
  return cluster.list("replicasets.apps");
}

Json replica_set_with_image(Cluster& cluster, const std::string& image) {
  for (Json& rs : replica_sets(cluster)) {
    if (rs["spec"]["template"]["spec"]["containers"][0]["image"] == image) return rs;
  }
  return Json();
}

void set_image(Cluster& cluster, const std::string& name, const std::string& image) {
  cluster.change("deployments.apps", name,
                 [&](Json& d) { d["spec"]["template"]["spec"]["containers"][0]["image"] = image; });
}

std::string annotation(const Json& object, const std::string& key) {
  return object["metadata"].value("annotations", Json::object()).value(key, "");
}

}  // namespace

TEST_CASE("a new Deployment gets a hashed ReplicaSet, revision 1 and becomes available", "[controllers]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 3)));
  REQUIRE(cluster.wait_for([&] { return rollout_done(cluster.get("deployments.apps", "web")); }));

  auto rss = replica_sets(cluster);
  REQUIRE(rss.size() == 1);
  const Json& rs = rss[0];
  std::string hash = rs["metadata"]["labels"]["pod-template-hash"];
  CHECK(rs["metadata"]["name"] == "web-" + hash);
  CHECK(rs["spec"]["selector"]["matchLabels"]["pod-template-hash"] == hash);
  CHECK(rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == hash);
  const Json& owner = rs["metadata"]["ownerReferences"][0];
  Json d = cluster.get("deployments.apps", "web");
  CHECK(owner["kind"] == "Deployment");
  CHECK(owner["uid"] == d["metadata"]["uid"]);
  CHECK(owner["controller"] == true);
  CHECK(annotation(rs, "deployment.kubernetes.io/revision") == "1");
  CHECK(annotation(rs, "deployment.kubernetes.io/desired-replicas") == "3");
  CHECK(annotation(rs, "deployment.kubernetes.io/max-replicas") == "4");
  CHECK(annotation(d, "deployment.kubernetes.io/revision") == "1");
  CHECK(rs["status"]["fullyLabeledReplicas"] == 3);
  CHECK(rs["status"]["observedGeneration"] == 1);

  CHECK(d["status"]["readyReplicas"] == 3);
  CHECK_FALSE(d["status"].contains("unavailableReplicas"));  // zero is left out, as omitempty does
  Json available = condition(d, "Available");
  CHECK(available["status"] == "True");
  CHECK(available["reason"] == "MinimumReplicasAvailable");
  CHECK(available["message"] == "Deployment has minimum availability.");
  Json progressing = condition(d, "Progressing");
  CHECK(progressing["reason"] == "NewReplicaSetAvailable");
  CHECK(progressing["message"] == "ReplicaSet \"web-" + hash + "\" has successfully progressed.");
  CHECK(progressing.contains("lastUpdateTime"));
  CHECK(progressing.contains("lastTransitionTime"));

  auto pods = cluster.pods_with("app", "web");
  REQUIRE(pods.size() == 3);
  for (const Json& pod : pods) {
    std::string name = pod["metadata"]["name"];
    CHECK(name.rfind("web-" + hash + "-", 0) == 0);
    CHECK(name.size() == std::string("web-" + hash + "-").size() + 5);
    CHECK(pod["metadata"]["ownerReferences"][0]["name"] == rs["metadata"]["name"]);
    CHECK(pod["metadata"]["labels"]["pod-template-hash"] == hash);
    // The controller's create goes through the apiserver's Pod defaulting (SetDefaults_Pod).
    CHECK(pod["spec"].value("enableServiceLinks", false));
  }
}

TEST_CASE("a rolling update of 10 replicas never drops below replicas - maxUnavailable", "[controllers]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 10)));
  REQUIRE(cluster.wait_for([&] { return rollout_done(cluster.get("deployments.apps", "web")); }));

  // Every change is seen here, in order: count available pods, and the
  // replicas the ReplicaSets ask for (maxSurge bounds that sum, as in the
  // real controller; live pods may briefly exceed it while controllers react).
  std::map<std::string, Json> pods;
  std::map<std::string, int> rs_replicas;
  for (Json& pod : cluster.pods_with("app", "web")) pods[pod["metadata"]["uid"]] = pod;
  int min_available = 10, max_replicas = 0;
  auto observation = cluster.observe([&](const kubesim::WatchEvent& event) {
    std::string uid = event.object["metadata"]["uid"];
    if (event.resource == "replicasets.apps") {
      rs_replicas[uid] =
          event.type == "DELETED" ? 0 : static_cast<int>(int_at(event.object, "/spec/replicas", 1));
      int sum = 0;
      for (const auto& [id, replicas] : rs_replicas) sum += replicas;
      max_replicas = std::max(max_replicas, sum);
      return;
    }
    if (event.resource != "pods") return;
    if (event.type == "DELETED") {
      pods.erase(uid);
    } else {
      pods[uid] = event.object;
    }
    int available = 0;
    for (const auto& [id, pod] : pods) {
      available += !pod["metadata"].contains("deletionTimestamp") && pod_is_ready(pod) ? 1 : 0;
    }
    min_available = std::min(min_available, available);
  });
  for (Json& rs : replica_sets(cluster)) rs_replicas[rs["metadata"]["uid"]] = rs["spec"]["replicas"];
  auto started = std::chrono::steady_clock::now();
  set_image(cluster, "web", "web:2");
  REQUIRE(cluster.wait_for([&] {
    Json d = cluster.get("deployments.apps", "web");
    return rollout_done(d) && string_at(d, "/metadata/annotations/deployment.kubernetes.io~1revision") == "2";
  }));
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(took < 5s);  // well under a second normally; generous for sanitizer builds

  CHECK(min_available >= 8);  // 10 - floor(25% of 10)
  CHECK(max_replicas <= 13);  // 10 + ceil(25% of 10)
  Json old_rs = replica_set_with_image(cluster, "web:1");
  Json new_rs = replica_set_with_image(cluster, "web:2");
  CHECK(old_rs["spec"]["replicas"] == 0);
  CHECK(annotation(old_rs, "deployment.kubernetes.io/revision") == "1");
  CHECK(annotation(new_rs, "deployment.kubernetes.io/revision") == "2");
  REQUIRE(cluster.wait_for([&] { return cluster.pods_with("app", "web").size() == 10; }));
  for (const Json& pod : cluster.pods_with("app", "web")) {
    CHECK(pod["spec"]["containers"][0]["image"] == "web:2");
  }
}

TEST_CASE("Recreate removes every old pod before the first new one exists", "[controllers]") {
  Cluster cluster;
  Json d = deployment("web", "web:1", 4);
  d["spec"]["strategy"] = {{"type", "Recreate"}};
  REQUIRE(cluster.store.create("deployments.apps", d));
  REQUIRE(cluster.wait_for([&] { return rollout_done(cluster.get("deployments.apps", "web")); }));

  std::set<std::string> old_pods;
  for (const Json& pod : cluster.pods_with("app", "web")) old_pods.insert(pod["metadata"]["name"]);
  bool overlap = false;
  auto observation = cluster.observe([&](const kubesim::WatchEvent& event) {
    if (event.resource != "pods") return;
    std::string name = event.object["metadata"]["name"];
    if (event.type == "DELETED") {
      old_pods.erase(name);
    } else if (event.type == "ADDED" && !old_pods.empty()) {
      overlap = true;
    }
  });
  set_image(cluster, "web", "web:2");
  REQUIRE(cluster.wait_for([&] {
    Json current = cluster.get("deployments.apps", "web");
    return rollout_done(current) &&
           int_at(replica_set_with_image(cluster, "web:2"), "/status/availableReplicas", 0) == 4;
  }));
  CHECK(cluster.wait_observed([&] { return old_pods.empty(); }));
  CHECK_FALSE(overlap);
}

TEST_CASE("a never-ready image runs into ProgressDeadlineExceeded", "[controllers]") {
  Cluster cluster;
  kubesim::ImageBehaviour broken;
  broken.startup_ms = 5;
  broken.never_ready = true;
  cluster.config.set_behaviour("web:broken", broken);
  Json d = deployment("web", "web:broken", 2);
  d["spec"]["progressDeadlineSeconds"] = 1;
  REQUIRE(cluster.store.create("deployments.apps", d));
  auto started = std::chrono::steady_clock::now();
  REQUIRE(cluster.wait_for([&] {
    return condition(cluster.get("deployments.apps", "web"), "Progressing").value("reason", "") ==
           "ProgressDeadlineExceeded";
  }));
  CHECK(std::chrono::steady_clock::now() - started >= 1s);
  Json current = cluster.get("deployments.apps", "web");
  Json progressing = condition(current, "Progressing");
  CHECK(progressing["status"] == "False");
  std::string rs_name = replica_sets(cluster)[0]["metadata"]["name"];
  CHECK(progressing["message"] == "ReplicaSet \"" + rs_name + "\" has timed out progressing.");
  CHECK(condition(current, "Available")["reason"] == "MinimumReplicasUnavailable");
  CHECK(current["status"]["unavailableReplicas"] == 2);
}

TEST_CASE("going back to an earlier template reuses its ReplicaSet with the next revision", "[controllers]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 2)));
  auto at_revision = [&](const std::string& revision) {
    return cluster.wait_for([&] {
      Json d = cluster.get("deployments.apps", "web");
      return rollout_done(d) && annotation(d, "deployment.kubernetes.io/revision") == revision;
    });
  };
  REQUIRE(at_revision("1"));
  std::string first = replica_set_with_image(cluster, "web:1")["metadata"]["name"];
  set_image(cluster, "web", "web:2");
  REQUIRE(at_revision("2"));
  set_image(cluster, "web", "web:1");  // what kubectl rollout undo amounts to
  REQUIRE(at_revision("3"));

  CHECK(replica_sets(cluster).size() == 2);
  Json reused = replica_set_with_image(cluster, "web:1");
  CHECK(reused["metadata"]["name"] == first);
  CHECK(annotation(reused, "deployment.kubernetes.io/revision") == "3");
  CHECK(annotation(reused, "deployment.kubernetes.io/revision-history") == "1");
  CHECK(reused["spec"]["replicas"] == 2);
  CHECK(replica_set_with_image(cluster, "web:2")["spec"]["replicas"] == 0);
}

TEST_CASE("revisionHistoryLimit deletes the oldest scaled-down ReplicaSets", "[controllers]") {
  Cluster cluster;
  Json d = deployment("web", "web:1", 1);
  d["spec"]["revisionHistoryLimit"] = 1;
  REQUIRE(cluster.store.create("deployments.apps", d));
  for (const std::string image : {"web:2", "web:3"}) {
    REQUIRE(cluster.wait_for([&] { return rollout_done(cluster.get("deployments.apps", "web")); }));
    set_image(cluster, "web", image);
  }
  REQUIRE(cluster.wait_for([&] {
    Json current = cluster.get("deployments.apps", "web");
    return rollout_done(current) && replica_sets(cluster).size() == 2 &&
           !replica_set_with_image(cluster, "web:3").is_null();
  }));
  CHECK(replica_set_with_image(cluster, "web:1").is_null());
  CHECK(annotation(replica_set_with_image(cluster, "web:2"), "deployment.kubernetes.io/revision") == "2");
}

TEST_CASE("a paused Deployment does not roll out until resumed", "[controllers]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 2)));
  REQUIRE(cluster.wait_for([&] { return rollout_done(cluster.get("deployments.apps", "web")); }));
  Json paused = cluster.change("deployments.apps", "web", [](Json& d) {
    d["spec"]["paused"] = true;
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "web:2";
  });
  REQUIRE(cluster.wait_for([&] {
    Json d = cluster.get("deployments.apps", "web");
    return d["status"].value("observedGeneration", 0) == paused["metadata"]["generation"] &&
           condition(d, "Progressing").value("reason", "") == "DeploymentPaused";
  }));
  CHECK(condition(cluster.get("deployments.apps", "web"), "Progressing")["status"] == "Unknown");
  CHECK(replica_sets(cluster).size() == 1);

  cluster.change("deployments.apps", "web", [](Json& d) { d["spec"]["paused"] = false; });
  REQUIRE(cluster.wait_for([&] {
    Json d = cluster.get("deployments.apps", "web");
    return rollout_done(d) && condition(d, "Progressing").value("reason", "") == "NewReplicaSetAvailable";
  }));
  CHECK(replica_set_with_image(cluster, "web:2")["spec"]["replicas"] == 2);
}

TEST_CASE("scaling resizes the ReplicaSet without a new revision", "[controllers]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 3)));
  REQUIRE(cluster.wait_for([&] { return rollout_done(cluster.get("deployments.apps", "web")); }));
  for (int replicas : {6, 2, 0, 1}) {
    CAPTURE(replicas);
    cluster.change("deployments.apps", "web", [&](Json& d) { d["spec"]["replicas"] = replicas; });
    REQUIRE(cluster.wait_for([&] {
      return rollout_done(cluster.get("deployments.apps", "web")) &&
             cluster.pods_with("app", "web").size() == static_cast<std::size_t>(replicas);
    }));
    auto rss = replica_sets(cluster);
    REQUIRE(rss.size() == 1);
    CHECK(rss[0]["spec"]["replicas"] == replicas);
    CHECK(annotation(rss[0], "deployment.kubernetes.io/desired-replicas") == std::to_string(replicas));
    CHECK(annotation(rss[0], "deployment.kubernetes.io/revision") == "1");
  }
}

TEST_CASE("minReadySeconds holds availability back after readiness", "[controllers]") {
  Cluster cluster;
  Json d = deployment("web", "web:1", 1);
  d["spec"]["minReadySeconds"] = 1;
  REQUIRE(cluster.store.create("deployments.apps", d));
  REQUIRE(cluster.wait_for(
      [&] { return int_at(cluster.get("deployments.apps", "web"), "/status/readyReplicas", 0) == 1; }));
  auto ready_at = std::chrono::steady_clock::now();
  CHECK(int_at(cluster.get("deployments.apps", "web"), "/status/availableReplicas", 0) == 0);
  REQUIRE(cluster.wait_for([&] { return rollout_done(cluster.get("deployments.apps", "web")); }));
  CHECK(std::chrono::steady_clock::now() - ready_at >= 900ms);
  CHECK(replica_sets(cluster)[0]["spec"]["minReadySeconds"] == 1);
}

TEST_CASE("frozen controllers do nothing until unfrozen", "[controllers]") {
  Cluster cluster;
  cluster.config.set_frozen(true);
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 1)));
  CHECK_FALSE(cluster.wait_for([&] { return !replica_sets(cluster).empty(); }, 200ms));
  cluster.config.set_frozen(false);
  REQUIRE(cluster.wait_for([&] { return rollout_done(cluster.get("deployments.apps", "web")); }));
}

TEST_CASE("resizing a stuck rollout scales old and new ReplicaSets proportionally", "[controllers]") {
  Cluster cluster;
  kubesim::ImageBehaviour broken;
  broken.startup_ms = 5;
  broken.never_ready = true;
  cluster.config.set_behaviour("web:bad", broken);
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 10)));
  REQUIRE(cluster.wait_for([&] { return rollout_done(cluster.get("deployments.apps", "web")); }));
  set_image(cluster, "web", "web:bad");
  auto sizes_are = [&](int old_size, int new_size) {
    return cluster.wait_for([&] {
      Json old_rs = replica_set_with_image(cluster, "web:1");
      Json new_rs = replica_set_with_image(cluster, "web:bad");
      return !new_rs.is_null() && old_rs["spec"]["replicas"] == old_size &&
             new_rs["spec"]["replicas"] == new_size &&
             int_at(old_rs, "/status/availableReplicas", 0) == old_size;
    });
  };
  // Stuck: maxUnavailable (2) old pods went, so the new ReplicaSet grew to 3 surge + 2, and none get ready.
  REQUIRE(sizes_are(8, 5));
  cluster.change("deployments.apps", "web", [](Json& d) { d["spec"]["replicas"] = 20; });
  // 20 + 25% surge = 25, spread 8:5 over the two: round(8 * 25 / 13) = 15 and round(5 * 25 / 13) = 10.
  // (Without proportional scaling the new ReplicaSet alone would grow, to 17.)
  REQUIRE(sizes_are(15, 10));
  CHECK(annotation(replica_set_with_image(cluster, "web:1"), "deployment.kubernetes.io/desired-replicas") ==
        "20");
  CHECK(annotation(replica_set_with_image(cluster, "web:bad"), "deployment.kubernetes.io/max-replicas") ==
        "25");
}
