// How kubesim serves lists at a resourceVersion: exact and compacted
// versions, future versions, resourceVersionMatch validation, paging counts
// and a watch's sendInitialEvents, as the apiserver does
// (api-concepts "Resource versions"; apimachinery ValidateListOptions;
// apiserver storage/cacher watch_cache.go and storage/errors.go).
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

#include <httplib.h>

#include <future>

using sluice::test::api_only;
using sluice::test::config_map;
using sluice::test::Json;
using sluice::test::k_configmaps;
using sluice::test::Kubesim;

namespace {

const std::chrono::milliseconds k_bookmarks{100};

std::vector<std::string> names(const Json& list) {
  std::vector<std::string> out;
  for (const auto& item : list["items"]) out.push_back(item["metadata"]["name"]);
  return out;
}

std::string list_rv(Kubesim& sim) {
  return sim.get_object(k_configmaps)["metadata"]["resourceVersion"];
}

}  // namespace

TEST_CASE("resourceVersionMatch=Exact lists the objects as they were at that version", "[kubesim][list]") {
  Kubesim sim(api_only(k_bookmarks));
  Json a = sim.request("POST", k_configmaps, config_map("a")).body;
  REQUIRE(sim.request("POST", k_configmaps, config_map("b")).status == 201);
  const std::string rv = list_rv(sim);
  a["data"]["k"] = "changed";
  REQUIRE(sim.request("PUT", k_configmaps + "/a", a).status == 200);
  REQUIRE(sim.request("DELETE", k_configmaps + "/b").status == 200);
  REQUIRE(sim.request("POST", k_configmaps, config_map("c")).status == 201);
  const auto then = sim.get(k_configmaps + "?resourceVersion=" + rv + "&resourceVersionMatch=Exact");
  REQUIRE(then.status == 200);
  CHECK(names(then.body) == std::vector<std::string>{"a", "b"});
  CHECK(then.body["items"][0]["data"]["k"] == "v");
  CHECK(then.body["metadata"]["resourceVersion"] == rv);
}

TEST_CASE("an exact list at a compacted resourceVersion answers 410 Expired", "[kubesim][list]") {
  Kubesim sim(api_only(k_bookmarks));
  REQUIRE(sim.request("POST", k_configmaps, config_map("a")).status == 201);
  const std::string rv = list_rv(sim);
  REQUIRE(sim.request("POST", k_configmaps, config_map("b")).status == 201);
  REQUIRE(sim.control("POST", "compact").status == 200);
  const auto gone = sim.get(k_configmaps + "?resourceVersion=" + rv + "&resourceVersionMatch=Exact");
  CHECK(gone.status == 410);
  CHECK(gone.body["reason"] == "Expired");
  CHECK(gone.body["message"] == "The resourceVersion for the provided list is too old.");
}

TEST_CASE("resourceVersionMatch without a resourceVersion answers 422", "[kubesim][list]") {
  Kubesim sim(api_only(k_bookmarks));
  const auto invalid = sim.get(k_configmaps + "?resourceVersionMatch=NotOlderThan");
  CHECK(invalid.status == 422);
  CHECK(invalid.body["reason"] == "Invalid");
  CHECK(invalid.body["message"] ==
        "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is "
        "forbidden unless resourceVersion is provided");
  CHECK(invalid.body["details"]["causes"][0]["field"] == "resourceVersionMatch");
  CHECK(sim.get(k_configmaps + "?resourceVersion=0&resourceVersionMatch=Exact").status == 422);
  CHECK(sim.get(k_configmaps + "?resourceVersion=1&resourceVersionMatch=Newest").status == 422);
}

TEST_CASE("a list from a future resourceVersion waits, then answers 504 with Retry-After",
          "[kubesim][list]") {
  Kubesim sim(api_only(k_bookmarks));
  const std::string future = std::to_string(std::stoull(list_rv(sim)) + 1000);
  httplib::Client client(sim.url());
  client.set_read_timeout(std::chrono::seconds(20));
  const auto res = client.Get(k_configmaps + "?resourceVersion=" + future);
  REQUIRE(res);
  CHECK(res->status == 504);
  CHECK(res->get_header_value("Retry-After") == "1");
  const Json status = Json::parse(res->body);
  CHECK(status["reason"] == "Timeout");
  CHECK(status["details"]["causes"][0]["reason"] == "ResourceVersionTooLarge");
  CHECK(status["message"].get<std::string>().rfind("Timeout: Too large resource version: " + future, 0) == 0);
}

TEST_CASE("a list from a version the store reaches while waiting is served", "[kubesim][list]") {
  Kubesim sim(api_only(k_bookmarks));
  const std::string next = std::to_string(std::stoull(list_rv(sim)) + 1);
  auto listed =
      std::async(std::launch::async, [&] { return sim.get(k_configmaps + "?resourceVersion=" + next); });
  REQUIRE(sim.request("POST", k_configmaps, config_map("late")).status == 201);
  const auto res = listed.get();
  REQUIRE(res.status == 200);
  CHECK(names(res.body) == std::vector<std::string>{"late"});
}

TEST_CASE("a limited list reports remainingItemCount and pages a consistent snapshot", "[kubesim][list]") {
  Kubesim sim(api_only(k_bookmarks));
  for (const char* name : {"a", "b", "c", "d", "e"})
    REQUIRE(sim.request("POST", k_configmaps, config_map(name)).status == 201);
  const auto first = sim.get(k_configmaps + "?limit=2");
  REQUIRE(first.status == 200);
  CHECK(names(first.body) == std::vector<std::string>{"a", "b"});
  CHECK(first.body["metadata"]["remainingItemCount"] == 3);
  REQUIRE(sim.request("DELETE", k_configmaps + "/c").status == 200);
  const std::string token = first.body["metadata"]["continue"];
  const auto second = sim.get(k_configmaps + "?limit=2&continue=" + token);
  REQUIRE(second.status == 200);
  CHECK(names(second.body) == std::vector<std::string>{"c", "d"});
  CHECK(second.body["metadata"]["remainingItemCount"] == 1);
  const auto last =
      sim.get(k_configmaps + "?limit=2&continue=" + second.body["metadata"]["continue"].get<std::string>());
  CHECK(names(last.body) == std::vector<std::string>{"e"});
  CHECK_FALSE(last.body["metadata"].contains("remainingItemCount"));
  CHECK_FALSE(last.body["metadata"].contains("continue"));
}

TEST_CASE("a watch with sendInitialEvents sends the state, then a BOOKMARK marking its end",
          "[kubesim][watch]") {
  Kubesim sim(api_only(std::chrono::milliseconds(60000)));
  REQUIRE(sim.request("POST", k_configmaps, config_map("x")).status == 201);
  REQUIRE(sim.request("POST", k_configmaps, config_map("y")).status == 201);
  SECTION("with resourceVersionMatch=NotOlderThan and bookmarks") {
    httplib::Client client(sim.url());
    client.set_read_timeout(std::chrono::seconds(10));
    std::vector<Json> events;
    std::string buffer;
    (void)client.Get(
        k_configmaps +
            "?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true",
        [&](const char* data, std::size_t size) {
          buffer.append(data, size);
          for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
            events.push_back(Json::parse(buffer.substr(0, nl)));
            buffer.erase(0, nl + 1);
          }
          return events.size() < 3;
        });
    REQUIRE(events.size() == 3);
    CHECK(events[0]["type"] == "ADDED");
    CHECK(events[1]["type"] == "ADDED");
    CHECK(events[2]["type"] == "BOOKMARK");
    CHECK(events[2]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"] == "true");
    CHECK(events[2]["object"]["metadata"]["resourceVersion"] == list_rv(sim));
  }
  SECTION("without resourceVersionMatch it is refused with 422") {
    const auto refused =
        sim.get(k_configmaps + "?watch=true&sendInitialEvents=true&allowWatchBookmarks=true");
    CHECK(refused.status == 422);
    CHECK(refused.body["details"]["causes"][0]["message"] ==
          "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
  }
}

// --no-watch-list: kube-apiserver with its WatchList feature gate off
// (apimachinery internalversion/validation ValidateListOptions with
// isWatchListFeatureEnabled false) refuses such a watch with 422 and says
// why; a plain watch and a list are served as before.
TEST_CASE("without the WatchList feature a watch with sendInitialEvents is refused with 422",
          "[kubesim][watch][watchlist]") {
  auto options = api_only(k_bookmarks);
  options.watch_list = false;
  Kubesim sim(options);
  REQUIRE(sim.request("POST", k_configmaps, config_map("x")).status == 201);
  const auto refused = sim.get(k_configmaps +
                               "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
                               "&allowWatchBookmarks=true");
  CHECK(refused.status == 422);
  CHECK(refused.body["reason"] == "Invalid");
  REQUIRE(refused.body["details"]["causes"].size() == 1);
  CHECK(refused.body["details"]["causes"][0]["field"] == "sendInitialEvents");
  CHECK(refused.body["details"]["causes"][0]["message"] ==
        "Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled");
  CHECK(sim.get(k_configmaps).status == 200);
}

TEST_CASE("a limited Table list carries the continue token kubectl pages with", "[kubesim][list]") {
  // kubectl get --chunk-size asks for Tables with limit and follows metadata.continue.
  Kubesim sim(api_only(k_bookmarks));
  for (const char* name : {"a", "b", "c"})
    REQUIRE(sim.request("POST", k_configmaps, config_map(name)).status == 201);
  httplib::Client client(sim.url());
  const httplib::Headers table = {{"Accept", "application/json;as=Table;g=meta.k8s.io;v=v1"}};
  const Json first = Json::parse(client.Get(k_configmaps + "?limit=2", table)->body);
  CHECK(first["kind"] == "Table");
  CHECK(first["rows"].size() == 2);
  REQUIRE(first["metadata"].contains("continue"));
  CHECK(first["metadata"]["remainingItemCount"] == 1);
  const Json rest = Json::parse(
      client
          .Get(k_configmaps + "?limit=2&continue=" + first["metadata"]["continue"].get<std::string>(), table)
          ->body);
  CHECK(rest["rows"].size() == 1);
  CHECK(rest["rows"][0]["cells"][0] == "c");
}
