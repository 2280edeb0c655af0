// Foreground deletion with the garbage collector running (apiserver
// registry/generic/registry/store.go deletionFinalizersForGarbageCollection,
// pkg/controller/garbagecollector attemptToDeleteItem): the owner stays with a
// deletionTimestamp and the foregroundDeletion finalizer until its dependents
// are gone, then disappears.
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

#include <kubesim/store.hpp>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

using sluice::test::Json;
using sluice::test::Kubesim;

TEST_CASE("a Foreground delete keeps the Deployment until its ReplicaSets and pods are gone",
          "[kubesim][gc]") {
  Kubesim sim;
  sim.create_deployment("default", "web", "web:1", 2);
  const std::string path = "/apis/apps/v1/namespaces/default/deployments/web";
  // Running and ready: the kubelet has nothing left to write to them, so the
  // first event after the delete is the delete's own (a pod's status update
  // landing just after the listener was added was seen first, now and then).
  auto pods_up = [&] {
    const Json pods = sim.get_object("/api/v1/namespaces/default/pods")["items"];
    return pods.size() == 2 && std::all_of(pods.begin(), pods.end(), [](const Json& pod) {
             return pod.value("/status/containerStatuses/0/ready"_json_pointer, false);
           });
  };
  for (int i = 0; i < 200 && !pods_up(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  REQUIRE(pods_up());
  // Settled first: the kubelet's and the controllers' last writes of the
  // rollout must not be taken for the deletion's events.
  auto available = [&] {
    return sim.get_object(path).value("status", Json::object()).value("availableReplicas", 0) == 2;
  };
  for (int i = 0; i < 200 && !available(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  REQUIRE(available());

  std::mutex mutex;
  std::vector<std::string> seen;  // "<resource> <type>"
  kubesim::Store& store = sim.server()->store();
  const int listener = store.add_listener([&](const kubesim::WatchEvent& e) {
    if (e.resource == "events" || e.resource == "endpoints" ||
        e.resource == "endpointslices.discovery.k8s.io")
      return;
    std::lock_guard lock(mutex);
    seen.push_back(e.resource + " " + e.type);
  });
  const auto deleted = sim.request("DELETE", path + "?propagationPolicy=Foreground");
  REQUIRE(deleted.status == 200);
  const Json answer = deleted.body;
  CHECK(answer["kind"] == "Deployment");
  CHECK(answer["metadata"].contains("deletionTimestamp"));
  CHECK(answer["metadata"]["finalizers"] == Json::array({"foregroundDeletion"}));

  for (int i = 0; i < 400 && sim.get(path).status != 404; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  REQUIRE(sim.get(path).status == 404);
  // The store may hand an event to listeners after the write has returned.
  auto delivered = [&] {
    std::lock_guard lock(mutex);
    return !seen.empty() && seen.back() == "deployments.apps DELETED";
  };
  for (int i = 0; i < 200 && !delivered(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  store.remove_listener(listener);
  CHECK(sim.get_object("/api/v1/namespaces/default/pods")["items"].empty());
  CHECK(sim.get_object("/apis/apps/v1/namespaces/default/replicasets")["items"].empty());

  std::lock_guard lock(mutex);
  REQUIRE(!seen.empty());
  CHECK(seen.front() == "deployments.apps MODIFIED");
  CHECK(seen.back() == "deployments.apps DELETED");
  const auto rs_gone = std::find(seen.begin(), seen.end(), "replicasets.apps DELETED");
  CHECK(rs_gone != seen.end());
  CHECK(std::find(rs_gone, seen.end(), "pods DELETED") == seen.end());  // pods went before their ReplicaSet
}
