// The kubelet's managedFields entry is built from the status's shape rather
// than walked per write (pods are most of kubesim's writes); it must hold
// what the general walk (record_update, the structured-merge-diff rules every
// other write gets) gives the kubelet's write onto a pod as a real cluster
// has it: phase Pending and qosClass from the create, PodScheduled from the
// binding, neither changed by the kubelet.
#include <kubesim/managed_fields.hpp>
#include <kubesim/pod_managed_fields.hpp>

#include <catch2/catch.hpp>

using kubesim::Json;

namespace {

Json condition(const std::string& type, const std::string& status) {
  Json c = {{"type", type}, {"status", status}, {"lastProbeTime", nullptr}, {"lastTransitionTime", "t1"}};
  if (status != "True") {
    c["reason"] = "ContainersNotReady";
    c["message"] = "containers with unready status: [app]";
  }
  return c;
}

const Json k_scheduled = {
    {"type", "PodScheduled"}, {"status", "True"}, {"lastProbeTime", nullptr}, {"lastTransitionTime", "t0"}};

Json kubelet_status(const std::string& phase, bool ready) {
  return {{"phase", phase},
          {"qosClass", "BestEffort"},
          {"conditions",
           {condition("Initialized", "True"), condition("Ready", ready ? "True" : "False"),
            condition("ContainersReady", ready ? "True" : "False"), k_scheduled}},
          {"hostIP", "10.0.0.1"},
          {"hostIPs", {{{"ip", "10.0.0.1"}}}},
          {"podIP", "10.244.0.2"},
          {"podIPs", {{{"ip", "10.244.0.2"}}}},
          {"startTime", "t1"},
          {"containerStatuses", {{{"name", "app"}, {"ready", ready}, {"restartCount", 0}}}}};
}

// The fieldsV1 the general walk gives the kubelet for writing `status`.
Json walked(const Json& status) {
  const Json created = {
      {"metadata", {{"name", "p"}}},
      {"status", {{"phase", "Pending"}, {"qosClass", "BestEffort"}, {"conditions", {k_scheduled}}}}};
  Json written = created;
  written["status"] = status;
  kubesim::record_update(created, written, "kubelet", "v1", "t2", "status");
  return written["metadata"]["managedFields"].at(0)["fieldsV1"];
}

}  // namespace

TEST_CASE("the kubelet's status entry is what the field walk gives its write", "[kubesim][managed]") {
  SECTION("a running pod: the phase left Pending, so the kubelet owns it") {
    const Json status = kubelet_status("Running", true);
    CHECK(kubesim::kubelet_status_fields(status, false) == walked(status));
  }
  SECTION("a pod still Pending: the phase is the create's") {
    const Json status = kubelet_status("Pending", false);
    CHECK(kubesim::kubelet_status_fields(status, false) == walked(status));
    CHECK_FALSE(walked(status)["f:status"].contains("f:phase"));
  }
}
