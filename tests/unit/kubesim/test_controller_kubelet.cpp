// The simulated kubelet: pod phases and status, per-image behaviour,
// readiness flips and graceful deletion.
#include "test_controller_harness.hpp"

#include <kubesim/kubelet.hpp>

#include <catch2/catch.hpp>

using namespace kubesim_test;
using kubesim::int_at;
using kubesim::string_at;

namespace {

Json bare_pod(const std::string& name, const std::string& image) {
  return Json{{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", k_ns}, {"labels", {{"app", name}}}}},
              {"spec", {{"containers", {{{"name", "app"}, {"image", image}}}}}}};
}

Json container_status(const Json& pod) {
  Json statuses = pod.value("status", Json::object()).value("containerStatuses", Json::array());
  return statuses.empty() ? Json::object() : statuses[0];
}

std::string waiting_reason(const Json& pod) {
  return string_at(container_status(pod), "/state/waiting/reason");
}

}  // namespace

TEST_CASE("a pod goes Pending, Running, Ready with the status a kubelet writes", "[kubelet]") {
  Cluster cluster(40);
  std::vector<std::string> phases;
  auto observation = cluster.observe([&](const kubesim::WatchEvent& event) {
    if (event.resource != "pods" || !event.object.contains("status")) return;
    std::string step =
        string_at(event.object, "/status/phase") + (pod_is_ready(event.object) ? "+ready" : "");
    if (phases.empty() || phases.back() != step) phases.push_back(step);
  });
  REQUIRE(cluster.store.create("pods", bare_pod("solo", "registry.local/web:1")));
  REQUIRE(cluster.wait_observed([&] { return !phases.empty() && phases.back() == "Running+ready"; }));
  CHECK(phases == std::vector<std::string>{"Pending", "Running", "Running+ready"});

  Json pod = cluster.get("pods", "solo");
  CHECK(pod["spec"]["nodeName"] == "kubesim-node-1");
  CHECK(string_at(pod, "/status/podIP").rfind("10.244.", 0) == 0);
  CHECK(pod["status"]["podIPs"][0]["ip"] == pod["status"]["podIP"]);
  CHECK(pod["status"]["qosClass"] == "BestEffort");
  CHECK(pod["status"].contains("startTime"));
  std::vector<std::string> types;
  for (const Json& c : pod["status"]["conditions"]) {
    types.push_back(c["type"]);
    CHECK(c["status"] == "True");
    CHECK(c.contains("lastTransitionTime"));
  }
  CHECK(types == std::vector<std::string>{"Initialized", "Ready", "ContainersReady", "PodScheduled"});
  Json container = container_status(pod);
  CHECK(container["name"] == "app");
  CHECK(container["image"] == "registry.local/web:1");
  CHECK(string_at(container, "/imageID").rfind("registry.local/web@sha256:", 0) == 0);
  CHECK(string_at(container, "/containerID").rfind("containerd://", 0) == 0);
  CHECK(container["ready"] == true);
  CHECK(container["started"] == true);
  CHECK(container["restartCount"] == 0);
  CHECK(container["state"].contains("running"));
}

TEST_CASE("a digest reference is its own imageID", "[kubelet]") {
  std::string digest = "registry.local/web@sha256:" + std::string(64, 'a');
  CHECK(kubesim::image_id_for(digest) == digest);
  CHECK(kubesim::image_id_for("localhost:5000/web:v1").rfind("localhost:5000/web@sha256:", 0) == 0);
  CHECK(kubesim::go_duration(std::chrono::milliseconds(10000)) == "10s");
  CHECK(kubesim::go_duration(std::chrono::milliseconds(1500)) == "1.5s");
  CHECK(kubesim::go_duration(std::chrono::milliseconds(80)) == "80ms");
}

TEST_CASE("container statuses report the image as containerd normalises it", "[kubelet]") {
  // distribution/reference ParseNormalizedNamed + TagNameOnly, as a containerd node reports it.
  CHECK(kubesim::normalized_image("nginx:1.25") == "docker.io/library/nginx:1.25");
  CHECK(kubesim::normalized_image("nginx") == "docker.io/library/nginx:latest");
  CHECK(kubesim::normalized_image("team/app:v1") == "docker.io/team/app:v1");
  CHECK(kubesim::normalized_image("registry.local/web:1") == "registry.local/web:1");
  CHECK(kubesim::normalized_image("localhost:5000/web") == "localhost:5000/web:latest");
  CHECK(kubesim::image_id_for(kubesim::normalized_image("nginx:1.25"))
            .rfind("docker.io/library/nginx@sha256:", 0) == 0);
}

TEST_CASE("a crash-looping image restarts with rising restartCount and CrashLoopBackOff", "[kubelet]") {
  Cluster cluster;
  kubesim::ImageBehaviour crash;
  crash.startup_ms = 5;
  crash.crash_loop = true;
  cluster.config.set_behaviour("web:crash", crash);
  bool saw_backoff = false;
  auto observation = cluster.observe([&](const kubesim::WatchEvent& event) {
    if (event.resource == "pods" && waiting_reason(event.object) == "CrashLoopBackOff") saw_backoff = true;
  });
  REQUIRE(cluster.store.create("pods", bare_pod("crashy", "web:crash")));
  REQUIRE(cluster.wait_for(
      [&] { return int_at(container_status(cluster.get("pods", "crashy")), "/restartCount", 0) >= 3; }));
  CHECK(cluster.wait_observed([&] { return saw_backoff; }));
  Json pod = cluster.get("pods", "crashy");
  CHECK(pod["status"]["phase"] == "Running");
  CHECK_FALSE(pod_is_ready(pod));
  Json last = container_status(pod)["lastState"]["terminated"];
  CHECK(last["exitCode"] == 1);
  CHECK(last["reason"] == "Error");
  CHECK(condition(pod, "Ready")["reason"] == "ContainersNotReady");
  CHECK(condition(pod, "Ready")["message"] == "containers with unready status: [app]");
}

TEST_CASE("a missing image shows ErrImagePull then ImagePullBackOff and stays Pending", "[kubelet]") {
  Cluster cluster;
  kubesim::ImageBehaviour missing;
  missing.startup_ms = 5;
  missing.missing = true;
  cluster.config.set_behaviour("web:nope", missing);
  std::vector<std::string> reasons;
  std::string pull_error;
  auto observation = cluster.observe([&](const kubesim::WatchEvent& event) {
    if (event.resource != "pods") return;
    std::string reason = waiting_reason(event.object);
    if (!reason.empty() && (reasons.empty() || reasons.back() != reason)) reasons.push_back(reason);
    if (reason == "ErrImagePull")
      pull_error = string_at(container_status(event.object), "/state/waiting/message");
  });
  REQUIRE(cluster.store.create("pods", bare_pod("nope", "web:nope")));
  std::string first_pull_error;  // read under the harness lock: the observer may still write pull_error
  REQUIRE(cluster.wait_observed([&] {
    first_pull_error = pull_error;
    return !reasons.empty() && reasons.back() == "ImagePullBackOff";
  }));
  REQUIRE(reasons.size() >= 3);
  CHECK(reasons[0] == "ContainerCreating");
  CHECK(reasons[1] == "ErrImagePull");
  CHECK(reasons[2] == "ImagePullBackOff");
  // containerd names the normalised reference (image_manager.go evalCRIPullErr passes its text on).
  CHECK(pull_error ==
        "rpc error: code = NotFound desc = failed to pull and unpack image "
        "\"docker.io/library/web:nope\": failed to resolve reference \"docker.io/library/web:nope\": "
        "docker.io/library/web:nope: not found");
  Json pod = cluster.get("pods", "nope");
  CHECK(pod["status"]["phase"] == "Pending");
  CHECK(string_at(container_status(pod), "/state/waiting/message") == "Back-off pulling image \"web:nope\"");
  CHECK(container_status(pod)["imageID"] == "");

  SECTION("it cannot be flipped ready: it is not running") {
    auto flipped = cluster.controllers.set_pod_ready(k_ns, "nope", true);
    REQUIRE_FALSE(flipped.ok());
    CHECK(flipped.error().message == "pod \"nope\" in namespace \"default\" is not running");
  }
}

TEST_CASE("readiness of a running pod can be flipped both ways", "[kubelet]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("pods", bare_pod("solo", "web:1")));
  REQUIRE(cluster.wait_for([&] { return pod_is_ready(cluster.get("pods", "solo")); }));
  REQUIRE(cluster.controllers.set_pod_ready(k_ns, "solo", false).ok());
  Json pod = cluster.get("pods", "solo");  // already written when the call returns
  CHECK_FALSE(pod_is_ready(pod));
  CHECK(container_status(pod)["ready"] == false);
  CHECK(pod["status"]["phase"] == "Running");
  REQUIRE(cluster.controllers.set_pod_ready(k_ns, "solo", true).ok());
  CHECK(pod_is_ready(cluster.get("pods", "solo")));
  auto missing = cluster.controllers.set_pod_ready(k_ns, "ghost", true);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == sluice::util::ErrorKind::not_found);
  CHECK(missing.error().message == "pods \"ghost\" not found");
}

TEST_CASE("a deleted pod lingers with deletionTimestamp, then goes and is replaced", "[kubelet]") {
  Cluster cluster;
  cluster.config.set_timing({1, 50, 20});
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 1)));
  REQUIRE(cluster.wait_for([&] { return rollout_done(cluster.get("deployments.apps", "web")); }));
  std::string victim = cluster.pods_with("app", "web")[0]["metadata"]["name"];
  auto marked_at = std::chrono::steady_clock::now();
  REQUIRE(cluster.store.mark_deleted("pods", k_ns, victim, 30));  // what DELETE does
  REQUIRE(cluster.wait_for([&] { return cluster.get("pods", victim).is_null(); }));
  CHECK(std::chrono::steady_clock::now() - marked_at >= 45ms);
  REQUIRE(cluster.wait_for([&] {
    auto pods = cluster.pods_with("app", "web");
    return pods.size() == 1 && pods[0]["metadata"]["name"] != victim && pod_is_ready(pods[0]);
  }));
}
