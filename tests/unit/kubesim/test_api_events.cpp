// events.k8s.io/v1 Events: the same objects as core/v1 Events, in the newer
// version's field names, as the apiserver serves one storage in two versions
// (kubernetes pkg/apis/events/v1/conversion.go: Convert_core_Event_To_v1_Event,
// AddFieldLabelConversionsForEvent).
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

#include <httplib.h>

using sluice::test::api_only;
using sluice::test::Json;
using sluice::test::Kubesim;

namespace {

const std::chrono::milliseconds k_bookmarks{200};
const std::string k_core_events = "/api/v1/namespaces/default/events";
const std::string k_events_v1 = "/apis/events.k8s.io/v1/namespaces/default/events";

Json core_event(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", name}}},
          {"involvedObject", {{"kind", "Pod"}, {"name", "web-1"}, {"namespace", "default"}}},
          {"reason", "BackOff"},
          {"message", "Back-off restarting failed container"},
          {"type", "Warning"},
          {"source", {{"component", "kubelet"}, {"host", "node-1"}}},
          {"reportingComponent", "kubelet"},
          {"count", 3},
          {"firstTimestamp", "2026-01-01T00:00:00Z"},
          {"lastTimestamp", "2026-01-01T00:01:00Z"}};
}

std::vector<std::string> names(const Json& list) {
  std::vector<std::string> out;
  for (const Json& item : list["items"]) out.push_back(item["metadata"]["name"]);
  return out;
}

}  // namespace

TEST_CASE("events.k8s.io/v1 is served in discovery", "[kubesim][api][events]") {
  Kubesim sim(api_only(k_bookmarks));
  const Json groups = sim.get("/apis").body["groups"];
  CHECK(
      std::any_of(groups.begin(), groups.end(), [](const Json& g) { return g["name"] == "events.k8s.io"; }));
  auto group = sim.get("/apis/events.k8s.io");
  REQUIRE(group.status == 200);
  CHECK(group.body["kind"] == "APIGroup");
  CHECK(group.body["preferredVersion"]["groupVersion"] == "events.k8s.io/v1");
  auto resources = sim.get("/apis/events.k8s.io/v1");
  REQUIRE(resources.status == 200);
  const Json& events = resources.body["resources"].at(0);
  CHECK(events["name"] == "events");
  CHECK(events["kind"] == "Event");
  CHECK(events["verbs"].size() == 8);
}

TEST_CASE("a core Event reads as events.k8s.io/v1 with the fields renamed", "[kubesim][api][events]") {
  Kubesim sim(api_only(k_bookmarks));
  REQUIRE(sim.request("POST", k_core_events, core_event("e1")).status == 201);
  auto read = sim.get(k_events_v1 + "/e1");
  REQUIRE(read.status == 200);
  const Json& e = read.body;
  CHECK(e["apiVersion"] == "events.k8s.io/v1");
  CHECK(e["regarding"]["name"] == "web-1");
  CHECK(e["note"] == "Back-off restarting failed container");
  CHECK(e["deprecatedCount"] == 3);
  CHECK(e["deprecatedSource"]["host"] == "node-1");
  CHECK(e["deprecatedFirstTimestamp"] == "2026-01-01T00:00:00Z");
  CHECK(e["deprecatedLastTimestamp"] == "2026-01-01T00:01:00Z");
  CHECK(e["reportingController"] == "kubelet");
  for (const char* core_only : {"involvedObject", "message", "count", "source", "reportingComponent"})
    CHECK_FALSE(e.contains(core_only));

  auto list = sim.get(k_events_v1);
  REQUIRE(list.status == 200);
  CHECK(list.body["kind"] == "EventList");
  CHECK(list.body["apiVersion"] == "events.k8s.io/v1");
  CHECK(list.body["items"][0]["note"] == "Back-off restarting failed container");
  auto missing = sim.get(k_events_v1 + "/nope");
  CHECK(missing.status == 404);
  CHECK(missing.body["message"] == "events.events.k8s.io \"nope\" not found");
  CHECK(missing.body["details"]["group"] == "events.k8s.io");
}

TEST_CASE("an events.k8s.io/v1 create and patch land in the core Event", "[kubesim][api][events]") {
  Kubesim sim(api_only(k_bookmarks));
  Json event = {{"apiVersion", "events.k8s.io/v1"},
                {"kind", "Event"},
                {"metadata", {{"name", "e2"}}},
                {"regarding", {{"kind", "Deployment"}, {"name", "web"}, {"namespace", "default"}}},
                {"reason", "Tested"},
                {"note", "first"},
                {"type", "Normal"},
                {"action", "Testing"},
                {"eventTime", "2026-01-01T00:00:00.000000Z"},
                {"reportingController", "tester"},
                {"reportingInstance", "tester-1"}};
  auto created = sim.request("POST", k_events_v1, event);
  REQUIRE(created.status == 201);
  CHECK(created.body["apiVersion"] == "events.k8s.io/v1");
  CHECK(created.body["note"] == "first");
  auto core = sim.get(k_core_events + "/e2");
  CHECK(core.body["message"] == "first");
  CHECK(core.body["involvedObject"]["name"] == "web");
  CHECK(core.body["reportingComponent"] == "tester");

  Json series = {{"note", "again"},
                 {"series", {{"count", 2}, {"lastObservedTime", "2026-01-01T00:00:05.000000Z"}}}};
  auto merged = sim.request("PATCH", k_events_v1 + "/e2", series, "application/merge-patch+json");
  REQUIRE(merged.status == 200);
  CHECK(merged.body["series"]["count"] == 2);
  CHECK(sim.get(k_core_events + "/e2").body["message"] == "again");
  Json ops = Json::array({{{"op", "replace"}, {"path", "/regarding/name"}, {"value", "api"}}});
  auto patched = sim.request("PATCH", k_events_v1 + "/e2", ops, "application/json-patch+json");
  REQUIRE(patched.status == 200);
  CHECK(patched.body["regarding"]["name"] == "api");

  Json wrong = event;
  wrong["apiVersion"] = "v1";
  auto refused = sim.request("POST", k_events_v1, wrong);
  CHECK(refused.status == 400);
  CHECK(refused.body["message"] ==
        "the API version in the data (v1) does not match the expected API version (events.k8s.io/v1)");
  CHECK(sim.request("DELETE", k_events_v1 + "/e2").status == 200);
  CHECK(sim.get(k_core_events + "/e2").status == 404);
}

TEST_CASE("events.k8s.io field selectors use its own labels", "[kubesim][api][events]") {
  Kubesim sim(api_only(k_bookmarks));
  REQUIRE(sim.request("POST", k_core_events, core_event("e1")).status == 201);
  Json other = core_event("e2");
  other["involvedObject"]["name"] = "web-2";
  other["reportingComponent"] = "deployment-controller";
  REQUIRE(sim.request("POST", k_core_events, other).status == 201);
  CHECK(names(sim.get(k_events_v1 + "?fieldSelector=regarding.name%3Dweb-2").body) ==
        std::vector<std::string>{"e2"});
  CHECK(names(sim.get(k_events_v1 + "?fieldSelector=reportingController%3Dkubelet,type%3DWarning").body) ==
        std::vector<std::string>{"e1"});
  CHECK(names(sim.get(k_events_v1 + "?fieldSelector=regarding.name!%3Dweb-2").body) ==
        std::vector<std::string>{"e1"});
  auto refused = sim.get(k_events_v1 + "?fieldSelector=involvedObject.name%3Dweb-2");
  CHECK(refused.status == 400);
  CHECK(refused.body["message"] == "field label not supported: involvedObject.name");
}

TEST_CASE("an events.k8s.io watch streams Events in its version", "[kubesim][api][events]") {
  Kubesim sim(api_only(k_bookmarks));
  REQUIRE(sim.request("POST", k_core_events, core_event("e1")).status == 201);
  httplib::Client client(sim.url());
  client.set_read_timeout(std::chrono::seconds(10));
  auto watched = client.Get(k_events_v1 + "?watch=true&timeoutSeconds=1");
  REQUIRE(watched);
  const std::string first = watched->body.substr(0, watched->body.find('\n'));
  const Json line = Json::parse(first);
  CHECK(line["type"] == "ADDED");
  CHECK(line["object"]["apiVersion"] == "events.k8s.io/v1");
  CHECK(line["object"]["note"] == "Back-off restarting failed container");
}

TEST_CASE("the events.k8s.io/v1 OpenAPI schema has that version's fields", "[kubesim][api][events]") {
  Kubesim sim(api_only(k_bookmarks));
  auto doc = sim.get("/openapi/v3/apis/events.k8s.io/v1");
  REQUIRE(doc.status == 200);
  const Json& properties = doc.body["components"]["schemas"]["io.k8s.api.events.v1.Event"]["properties"];
  for (const char* field : {"regarding", "note", "series", "reportingController", "deprecatedCount"})
    CHECK(properties.contains(field));
  CHECK_FALSE(properties.contains("involvedObject"));
  CHECK_FALSE(properties.contains("message"));
}
