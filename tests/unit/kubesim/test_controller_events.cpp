// Events the simulated control plane records, worded as upstream's
// (pkg/controller/deployment/sync.go, pkg/controller/controller_utils.go,
// pkg/scheduler/schedule_one.go, pkg/kubelet/...), aggregated and bounded as
// client-go's recorder and the apiserver's event TTL do.
#include "test_controller_harness.hpp"

#include <kubesim/events.hpp>
#include <sluice/util/rfc3339.hpp>

#include <catch2/catch.hpp>

#include <algorithm>

using namespace kubesim_test;
using kubesim::int_at;
using kubesim::string_at;

namespace {

std::vector<Json> events_about(Cluster& cluster, const std::string& kind, const std::string& name) {
  std::vector<Json> out;
  for (Json& event : cluster.list("events")) {
    if (string_at(event, "/involvedObject/kind") == kind && string_at(event, "/involvedObject/name") == name)
      out.push_back(std::move(event));
  }
  return out;
}

std::vector<std::string> messages(const std::vector<Json>& events, const std::string& reason = "") {
  std::vector<std::string> out;
  for (const Json& event : events) {
    if (reason.empty() || event["reason"] == reason) out.push_back(event["message"]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string replica_set_of(Cluster& cluster, const std::string& deployment) {
  for (const Json& rs : cluster.list("replicasets.apps")) {
    if (kubesim::name_of(rs).rfind(deployment + "-", 0) == 0) return kubesim::name_of(rs);
  }
  return "";
}

}  // namespace

TEST_CASE("scaling a Deployment records ScalingReplicaSet, SuccessfulCreate and SuccessfulDelete",
          "[events]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 3)));
  REQUIRE(cluster.wait_for([&] { return rollout_done(cluster.get("deployments.apps", "web")); }));
  const std::string rs = replica_set_of(cluster, "web");
  REQUIRE(cluster.wait_for([&] { return messages(events_about(cluster, "ReplicaSet", rs)).size() == 3; }));

  std::vector<Json> about_deployment = events_about(cluster, "Deployment", "web");
  CHECK(messages(about_deployment) ==
        std::vector<std::string>{"Scaled up replica set " + rs + " from 0 to 3"});
  const Json& scaled = about_deployment.at(0);
  CHECK(scaled["type"] == "Normal");
  CHECK(scaled["reason"] == "ScalingReplicaSet");
  CHECK(scaled["source"] == Json{{"component", "deployment-controller"}});
  CHECK(scaled["reportingComponent"] == "deployment-controller");
  CHECK(scaled["count"] == 1);
  CHECK(scaled["firstTimestamp"] == scaled["lastTimestamp"]);
  CHECK(scaled["involvedObject"]["apiVersion"] == "apps/v1");
  CHECK(scaled["involvedObject"]["uid"] == cluster.get("deployments.apps", "web")["metadata"]["uid"]);
  CHECK(string_at(scaled, "/metadata/name").rfind("web.", 0) == 0);

  std::vector<std::string> created;
  for (const Json& pod : cluster.pods_with("app", "web"))
    created.push_back("Created pod: " + kubesim::name_of(pod));
  std::sort(created.begin(), created.end());
  CHECK(messages(events_about(cluster, "ReplicaSet", rs), "SuccessfulCreate") == created);

  cluster.change("deployments.apps", "web", [](Json& d) { d["spec"]["replicas"] = 1; });
  REQUIRE(cluster.wait_for(
      [&] { return messages(events_about(cluster, "ReplicaSet", rs), "SuccessfulDelete").size() == 2; }));
  CHECK(messages(events_about(cluster, "Deployment", "web"), "ScalingReplicaSet") ==
        std::vector<std::string>{"Scaled down replica set " + rs + " from 3 to 1",
                                 "Scaled up replica set " + rs + " from 0 to 3"});
}

TEST_CASE("the scheduler and the kubelet record a pod's start and its stop", "[events]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 1)));
  REQUIRE(cluster.wait_for([&] { return rollout_done(cluster.get("deployments.apps", "web")); }));
  const std::string pod = kubesim::name_of(cluster.pods_with("app", "web").at(0));
  auto reasons = [&] {
    std::vector<std::string> out;
    for (const Json& e : events_about(cluster, "Pod", pod)) out.push_back(e["reason"]);
    std::sort(out.begin(), out.end());
    return out;
  };
  REQUIRE(cluster.wait_for([&] { return reasons().size() == 5; }));
  CHECK(reasons() == std::vector<std::string>{"Created", "Pulled", "Pulling", "Scheduled", "Started"});
  for (const Json& e : events_about(cluster, "Pod", pod)) {
    if (e["reason"] == "Scheduled") {
      CHECK(e["message"] == "Successfully assigned default/" + pod + " to kubesim-node-1");
      CHECK(e["source"] == Json::object());
      CHECK(e["reportingComponent"] == "default-scheduler");
      CHECK(e["action"] == "Binding");
      CHECK(e["eventTime"].is_string());
      continue;
    }
    CHECK(e["source"] == Json{{"component", "kubelet"}, {"host", "kubesim-node-1"}});
    CHECK(e["involvedObject"]["fieldPath"] == "spec.containers{app}");
    if (e["reason"] == "Created") CHECK(e["message"] == "Created container: app");
    if (e["reason"] == "Started") CHECK(e["message"] == "Started container app");
    if (e["reason"] == "Pulling") CHECK(e["message"] == "Pulling image \"web:1\"");
  }

  REQUIRE(cluster.store.mark_deleted("pods", k_ns, pod, 30));
  REQUIRE(
      cluster.wait_for([&] { return messages(events_about(cluster, "Pod", pod), "Killing").size() == 1; }));
  CHECK(messages(events_about(cluster, "Pod", pod), "Killing") ==
        std::vector<std::string>{"Stopping container app"});
}

TEST_CASE("a crash loop's back-offs fold into one BackOff event with a rising count", "[events]") {
  Cluster cluster;
  kubesim::ImageBehaviour crash;
  crash.startup_ms = 5;
  crash.crash_loop = true;
  cluster.config.set_behaviour("web:crash", crash);
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:crash", 1)));
  auto back_offs = [&] {
    std::vector<Json> out;
    for (const Json& pod : cluster.pods_with("app", "web")) {
      for (Json& e : events_about(cluster, "Pod", kubesim::name_of(pod))) {
        if (e["reason"] == "BackOff") out.push_back(std::move(e));
      }
    }
    return out;
  };
  REQUIRE(cluster.wait_for([&] {
    auto found = back_offs();
    return found.size() == 1 && int_at(found[0], "/count", 0) >= 3;
  }));
  Json e = back_offs().at(0);
  CHECK(e["type"] == "Warning");
  const Json pod = cluster.pods_with("app", "web").at(0);
  CHECK(e["message"] == "Back-off restarting failed container app in pod " + kubesim::name_of(pod) +
                            "_default(" + kubesim::uid_of(pod) + ")");
  CHECK(e["lastTimestamp"] >= e["firstTimestamp"]);
}

// pkg/kubelet/images/image_manager.go words the pull with the pod's image
// ("Failed to pull image %q: %v"); the error is containerd's, which names the
// normalised reference (docker.io/library/...).
TEST_CASE("a missing image records Failed with containerd's wording, then the pull back-off", "[events]") {
  Cluster cluster;
  kubesim::ImageBehaviour missing;
  missing.missing = true;
  cluster.config.set_behaviour("web:nope", missing);
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:nope", 1)));
  auto pod_events = [&] {
    auto pods = cluster.pods_with("app", "web");
    return pods.empty() ? std::vector<Json>{} : events_about(cluster, "Pod", kubesim::name_of(pods[0]));
  };
  REQUIRE(cluster.wait_for([&] {
    const auto failed = messages(pod_events(), "Failed");
    return std::count(failed.begin(), failed.end(), "Error: ImagePullBackOff") == 1;
  }));
  const std::string ref = "docker.io/library/web:nope";
  CHECK(messages(pod_events(), "Failed") ==
        std::vector<std::string>{
            "Error: ErrImagePull", "Error: ImagePullBackOff",
            "Failed to pull image \"web:nope\": rpc error: code = NotFound desc = failed to "
            "pull and unpack image \"" +
                ref + "\": failed to resolve reference \"" + ref + "\": " + ref + ": not found"});
  CHECK(messages(pod_events(), "BackOff") == std::vector<std::string>{"Back-off pulling image \"web:nope\""});
}

TEST_CASE("a container that never gets ready behind a readiness probe records Unhealthy", "[events]") {
  Cluster cluster;
  kubesim::ImageBehaviour never;
  never.startup_ms = 5;
  never.never_ready = true;
  cluster.config.set_behaviour("web:never", never);
  Json d = deployment("web", "web:never", 1);
  d["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = {
      {"httpGet", {{"path", "/"}, {"port", 8080}}}};
  REQUIRE(cluster.store.create("deployments.apps", d));
  REQUIRE(cluster.wait_for([&] {
    auto pods = cluster.pods_with("app", "web");
    return !pods.empty() &&
           !messages(events_about(cluster, "Pod", kubesim::name_of(pods[0])), "Unhealthy").empty();
  }));
  const std::string pod = kubesim::name_of(cluster.pods_with("app", "web").at(0));
  CHECK(messages(events_about(cluster, "Pod", pod), "Unhealthy") ==
        std::vector<std::string>{"Readiness probe failed: HTTP probe failed with statuscode: 503"});
}

TEST_CASE("the recorder aggregates repeats and keeps a bounded number of events", "[events]") {
  kubesim::Store store;
  kubesim::EventRecorder recorder(store, sluice::util::system_clock(), 3);
  const Json object = {{"apiVersion", "v1"},
                       {"kind", "Pod"},
                       {"metadata", {{"name", "p"}, {"namespace", "default"}, {"uid", "u-1"}}}};
  const kubesim::EventSource kubelet{"kubelet", "kubesim-node-1"};
  recorder.record(object, kubelet, {"Warning", "BackOff", "again"});
  recorder.record(object, kubelet, {"Warning", "BackOff", "again"});
  auto [events, rv] = store.list("events", "default");
  REQUIRE(events.size() == 1);
  CHECK(events[0]["count"] == 2);
  CHECK(events[0]["reportingInstance"] == "kubesim-node-1");

  for (int i = 0; i < 4; ++i) recorder.record(object, kubelet, {"Normal", "Note", std::to_string(i)});
  auto kept = store.list("events", "default").first;
  CHECK(kept.size() == 3);
  CHECK(messages(kept) == std::vector<std::string>{"1", "2", "3"});
  recorder.record(object, kubelet, {"Warning", "BackOff", "again"});  // its old event is gone: a fresh one
  auto after = store.list("events", "default").first;
  CHECK(messages(after) == std::vector<std::string>{"2", "3", "again"});
}

// client-go tools/events (event_broadcaster.go recordToSink, finishSeries):
// the scheduler's events.k8s.io recorder turns a repeat into a series (count 2,
// then 3) while it repeats within 6 minutes; a repeat after that starts a new Event.
TEST_CASE("an events.k8s.io recorder folds repeats into a series within 6 minutes", "[events]") {
  kubesim::Store store;
  sluice::util::ManualClock clock;
  kubesim::EventRecorder recorder(store, clock);
  const Json pod = {{"apiVersion", "v1"},
                    {"kind", "Pod"},
                    {"metadata", {{"name", "p"}, {"namespace", "default"}, {"uid", "u-1"}}}};
  const kubesim::EventNote note{"Warning", "FailedScheduling", "0/1 nodes are available"};
  recorder.record(pod, kubesim::k_scheduler, note);
  CHECK_FALSE(store.list("events", "default").first.at(0).contains("series"));
  clock.advance(std::chrono::minutes(1));
  recorder.record(pod, kubesim::k_scheduler, note);
  clock.advance(std::chrono::minutes(5));
  recorder.record(pod, kubesim::k_scheduler, note);
  auto events = store.list("events", "default").first;
  REQUIRE(events.size() == 1);
  CHECK(events[0]["series"]["count"] == 3);
  CHECK(events[0]["series"]["lastObservedTime"] == sluice::util::format_rfc3339_micro(clock.wall_now()));
  CHECK_FALSE(events[0].contains("count"));  // the new recorder leaves the deprecated count alone

  clock.advance(std::chrono::minutes(7));
  recorder.record(pod, kubesim::k_scheduler, note);
  CHECK(store.list("events", "default").first.size() == 2);
}
