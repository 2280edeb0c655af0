#include <sluice/kube/field_mask.hpp>
#include <sluice/kube/readiness.hpp>

#include <catch2/catch.hpp>

using nlohmann::json;
using sluice::kube::FieldMask;
using sluice::kube::rollout_pod_fields;

namespace {

// A pod as kubesim (and an API server) sends it: managedFields, a defaulted spec, a status.
json pod() {
  return json::parse(R"({
    "kind": "Pod", "apiVersion": "v1",
    "metadata": {
      "name": "web-abc", "namespace": "shop", "uid": "u1", "resourceVersion": "42",
      "labels": {"app": "web", "pod-template-hash": "abc"},
      "annotations": {"note": "x"},
      "deletionTimestamp": "2026-12-07T00:00:00Z",
      "ownerReferences": [{"kind": "ReplicaSet", "name": "web-abc"}],
      "managedFields": [{"manager": "kubelet", "fieldsV1": {"f:status": {"f:phase": {}}}}]
    },
    "spec": {
      "containers": [{"name": "web", "image": "example.test/web:1", "args": ["a"],
                      "resources": {"limits": {"cpu": "1"}}, "terminationMessagePath": "/dev/x"},
                     {"name": "side", "image": "example.test/side:1"}],
      "initContainers": [{"name": "init", "image": "example.test/init:1", "command": ["sh"]}],
      "volumes": [{"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}],
      "tolerations": [{"key": "k"}], "dnsPolicy": "ClusterFirst"
    },
    "status": {
      "phase": "Running",
      "conditions": [{"type": "Ready", "status": "True"}],
      "containerStatuses": [{"name": "web", "restartCount": 5, "image": "example.test/web:1", "ready": false,
                             "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}},
                             "lastState": {"terminated": {"exitCode": 1}}}]
    }
  })");
}

json event(const std::string& type, const json& object) {
  return json{{"type", type}, {"object", object}};
}

}  // namespace

TEST_CASE("a masked watch event keeps what the rollout reads of a pod and drops the rest", "[kube][mask]") {
  json parsed = rollout_pod_fields()->parse_event(event("MODIFIED", pod()).dump());
  REQUIRE(parsed.is_object());
  CHECK(parsed["type"] == "MODIFIED");
  const json& p = parsed["object"];
  json meta = pod()["metadata"];
  meta.erase("managedFields");
  meta.erase("ownerReferences");
  CHECK(p["metadata"] == meta);
  CHECK(p["spec"] == json::parse(R"({
    "containers": [{"name": "web", "image": "example.test/web:1"}, {"name": "side", "image": "example.test/side:1"}],
    "initContainers": [{"name": "init", "image": "example.test/init:1"}]})"));
  CHECK(p["status"] == json::parse(R"({"phase": "Running", "containerStatuses": [{"name": "web",
    "restartCount": 5, "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}}}]})"));
  CHECK(p["kind"] == "Pod");
  // The readers judge the masked pod as the whole one.
  REQUIRE(sluice::kube::pod_failure_signal(pod()));
  CHECK(sluice::kube::pod_failure_signal(p) == sluice::kube::pod_failure_signal(pod()));
  CHECK(sluice::kube::pod_failure_signal(p, 4) == "pod web-abc container web: CrashLoopBackOff: back-off");
}

TEST_CASE("a masked watch keeps ERROR statuses and the bookmark that ends the initial events",
          "[kube][mask]") {
  auto mask = rollout_pod_fields();
  SECTION("an ERROR event's Status") {
    json status = {{"kind", "Status"},      {"apiVersion", "v1"},   {"metadata", json::object()},
                   {"status", "Failure"},   {"message", "too old"}, {"reason", "Expired"},
                   {"details", {{"x", 1}}}, {"code", 410}};
    CHECK(mask->parse_event(event("ERROR", status).dump()) == event("ERROR", status));
  }
  SECTION("a BOOKMARK's resourceVersion and annotations") {
    json bookmark = {
        {"kind", "Pod"},
        {"apiVersion", "v1"},
        {"metadata", {{"resourceVersion", "77"}, {"annotations", {{"k8s.io/initial-events-end", "true"}}}}}};
    CHECK(mask->parse_event(event("BOOKMARK", bookmark).dump()) == event("BOOKMARK", bookmark));
  }
}

TEST_CASE("a field mask passes arrays through and drops what no path names", "[kube][mask]") {
  FieldMask mask("t", {"a.b", "list.x", "whole"});
  json in = {{"type", "ADDED"},
             {"extra", 1},
             {"object",
              {{"a", {{"b", {{"deep", {1, 2}}}}, {"c", 3}}},
               {"list", {{{"x", 1}, {"y", 2}}, {{"x", {{"z", true}}}}}},
               {"whole", {{"k", {1, {{"n", nullptr}}}}}},
               {"gone", {{"k", "v"}}}}}};
  json out = mask.parse_event(in.dump());
  CHECK(out == json{{"type", "ADDED"},
                    {"object",
                     {{"a", {{"b", {{"deep", {1, 2}}}}}},
                      {"list", {{{"x", 1}}, {{"x", {{"z", true}}}}}},
                      {"whole", {{"k", {1, {{"n", nullptr}}}}}}}}});
  CHECK(mask.parse_event("{not json").is_discarded());
}

TEST_CASE("a field mask reads strings with escaped quotes and brackets, and spaces between tokens",
          "[kube][mask]") {
  FieldMask mask("t", {"keep"});
  std::string line =
      R"( { "type" : "ADDED" , "object" : { "drop" : "a \"}] string" , "keep" : [ "x\\" , {"y": "]"} ] ,)"
      R"( "n": -1.5e3 } } )";
  REQUIRE_FALSE(json::parse(line).is_discarded());
  CHECK(mask.parse_event(line) == json{{"type", "ADDED"}, {"object", {{"keep", {"x\\", {{"y", "]"}}}}}}});
}

TEST_CASE("a field mask tells an escaped quote from escaped backslashes before a closing one",
          "[kube][mask]") {
  FieldMask mask("t", {"keep"});
  // Dropped: an escaped quote after an escaped backslash, then a string ending in two escaped backslashes.
  std::string line = R"({"type":"ADDED","object":{"a":"x\\\"}","b":"\\\\","keep":"k\"\\","c":"}"}})";
  REQUIRE_FALSE(json::parse(line).is_discarded());
  CHECK(mask.parse_event(line) == json{{"type", "ADDED"}, {"object", {{"keep", "k\"\\"}}}});
  CHECK(mask.parse_event(R"({"type":"ADDED","object":{"a":"x\\\"}})").is_discarded());
}
