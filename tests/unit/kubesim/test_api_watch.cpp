// Watch, authentication, fault injection and the audit log of kubesim's API.
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

#include <httplib.h>

#include <future>

using sluice::test::api_only;
using sluice::test::config_map;
using sluice::test::Json;
using sluice::test::k_configmaps;
using sluice::test::Kubesim;
using sluice::test::KubesimOptions;

namespace {

const std::chrono::milliseconds k_bookmarks{100};

// Streams a watch until `wanted` events (not counting bookmarks unless asked) arrived or the server ends it.
std::future<std::vector<Json>> start_watch(Kubesim& sim, const std::string& query, std::size_t wanted,
                                           bool count_bookmarks = false) {
  const std::size_t before = sim.control("GET", "watches").body["open"].get<std::size_t>();
  auto future = std::async(std::launch::async, [url = sim.url(), query, wanted, count_bookmarks] {
    httplib::Client client(url);
    client.set_read_timeout(std::chrono::seconds(10));
    std::vector<Json> events;
    std::string buffer;
    std::size_t counted = 0;
    (void)client.Get(k_configmaps + "?watch=true&" + query, [&](const char* data, std::size_t size) {
      buffer.append(data, size);
      for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
        events.push_back(Json::parse(buffer.substr(0, nl)));
        buffer.erase(0, nl + 1);
        if (count_bookmarks || events.back()["type"] != "BOOKMARK") ++counted;
      }
      return counted < wanted;
    });
    return events;
  });
  // The watch is registered once the server counts it open.
  for (int i = 0; i < 500 && sim.control("GET", "watches").body["open"].get<std::size_t>() <= before; ++i) {
    if (future.wait_for(std::chrono::milliseconds(5)) == std::future_status::ready) break;
  }
  return future;
}

std::vector<std::string> types(const std::vector<Json>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (e["type"] != "BOOKMARK")
      out.push_back(e["type"].get<std::string>() + " " + e["object"]["metadata"].value("name", ""));
  }
  return out;
}

}  // namespace

TEST_CASE("watch from a resourceVersion streams changes in order", "[kubesim][watch]") {
  Kubesim sim(api_only(k_bookmarks));
  REQUIRE(sim.request("POST", k_configmaps, config_map("old")).status == 201);
  const std::string rv = sim.get_object(k_configmaps)["metadata"]["resourceVersion"];
  auto watch = start_watch(sim, "resourceVersion=" + rv, 3);
  Json created = sim.request("POST", k_configmaps, config_map("a")).body;
  created["data"]["k"] = "changed";
  REQUIRE(sim.request("PUT", k_configmaps + "/a", created).status == 200);
  REQUIRE(sim.request("DELETE", k_configmaps + "/a").status == 200);
  CHECK(types(watch.get()) == std::vector<std::string>{"ADDED a", "MODIFIED a", "DELETED a"});
}

TEST_CASE("watch resumed from a resourceVersion replays changes with their real types", "[kubesim][watch]") {
  // A reflector resuming after a dropped watch must see exactly the events after
  // its RV: objects it knows are MODIFIED, deletions are not lost
  // (apiserver cacher watch_cache.go getAllEventsSinceLocked; api-concepts "Efficient detection of changes").
  Kubesim sim(api_only(k_bookmarks));
  Json a = sim.request("POST", k_configmaps, config_map("a")).body;
  REQUIRE(sim.request("POST", k_configmaps, config_map("b")).status == 201);
  const std::string rv = sim.get_object(k_configmaps)["metadata"]["resourceVersion"];
  a["data"]["k"] = "changed";
  REQUIRE(sim.request("PUT", k_configmaps + "/a", a).status == 200);
  REQUIRE(sim.request("DELETE", k_configmaps + "/b").status == 200);
  REQUIRE(sim.request("POST", k_configmaps, config_map("c")).status == 201);
  SECTION("every event after the RV, in order") {
    CHECK(types(start_watch(sim, "resourceVersion=" + rv, 3).get()) ==
          std::vector<std::string>{"MODIFIED a", "DELETED b", "ADDED c"});
  }
  SECTION("the events carry their own resourceVersions, increasing") {
    const auto events = start_watch(sim, "resourceVersion=" + rv, 3).get();
    REQUIRE(events.size() == 3);
    std::uint64_t last = std::stoull(rv);
    for (const auto& e : events) {
      const std::uint64_t at = std::stoull(e["object"]["metadata"]["resourceVersion"].get<std::string>());
      CHECK(at > last);
      last = at;
    }
  }
}

TEST_CASE("a resumed watch with a selector judges each change by the object before and after it",
          "[kubesim][watch]") {
  Kubesim sim(api_only(k_bookmarks));
  Json in = sim.request("POST", k_configmaps, config_map("in", {{"track", "stable"}})).body;
  Json out = sim.request("POST", k_configmaps, config_map("out", {{"track", "canary"}})).body;
  REQUIRE(sim.request("POST", k_configmaps, config_map("gone", {{"track", "stable"}})).status == 201);
  const std::string rv = sim.get_object(k_configmaps)["metadata"]["resourceVersion"];
  in["metadata"]["labels"]["track"] = "canary";
  REQUIRE(sim.request("PUT", k_configmaps + "/in", in).status == 200);
  out["metadata"]["labels"]["track"] = "stable";
  REQUIRE(sim.request("PUT", k_configmaps + "/out", out).status == 200);
  REQUIRE(sim.request("DELETE", k_configmaps + "/gone").status == 200);
  CHECK(types(start_watch(sim, "labelSelector=track%3Dstable&resourceVersion=" + rv, 3).get()) ==
        std::vector<std::string>{"DELETED in", "ADDED out", "DELETED gone"});
}

TEST_CASE("watch takes the boolean spellings Go's strconv.ParseBool accepts", "[kubesim][watch]") {
  // The Python client sends watch=True (apiserver decodes query bools with strconv.ParseBool).
  Kubesim sim(api_only(k_bookmarks));
  REQUIRE(sim.request("POST", k_configmaps, config_map("x")).status == 201);
  for (const std::string spelling : {"True", "TRUE", "t", "T", "1", "true"}) {
    httplib::Client client(sim.url());
    client.set_read_timeout(std::chrono::seconds(10));
    std::string body;
    (void)client.Get(k_configmaps + "?watch=" + spelling + "&resourceVersion=0",
                     [&](const char* data, std::size_t size) {
                       body.append(data, size);
                       return body.find('\n') == std::string::npos;
                     });
    INFO(spelling);
    CHECK(body.find("\"ADDED\"") != std::string::npos);
  }
  httplib::Client client(sim.url());
  const auto listed = client.Get(k_configmaps + "?watch=False");
  REQUIRE(listed);
  CHECK(Json::parse(listed->body)["kind"] == "ConfigMapList");
}

TEST_CASE("watch with resourceVersion 0 starts with the current state", "[kubesim][watch]") {
  Kubesim sim(api_only(k_bookmarks));
  REQUIRE(sim.request("POST", k_configmaps, config_map("x")).status == 201);
  REQUIRE(sim.request("POST", k_configmaps, config_map("y")).status == 201);
  auto watch = start_watch(sim, "resourceVersion=0", 2);
  CHECK(types(watch.get()) == std::vector<std::string>{"ADDED x", "ADDED y"});
}

TEST_CASE("an object leaving the label selector is DELETED for the watcher", "[kubesim][watch]") {
  Kubesim sim(api_only(k_bookmarks));
  Json cm = sim.request("POST", k_configmaps, config_map("c", {{"track", "stable"}})).body;
  auto watch = start_watch(
      sim,
      "labelSelector=track%3Dstable&resourceVersion=" + cm["metadata"]["resourceVersion"].get<std::string>(),
      2);
  cm["metadata"]["labels"]["track"] = "canary";
  REQUIRE(sim.request("PUT", k_configmaps + "/c", cm).status == 200);
  REQUIRE(sim.request("POST", k_configmaps, config_map("d", {{"track", "stable"}})).status == 201);
  CHECK(types(watch.get()) == std::vector<std::string>{"DELETED c", "ADDED d"});
}

TEST_CASE("a compacted resourceVersion ends the watch with a 410 ERROR event", "[kubesim][watch]") {
  Kubesim sim(api_only(k_bookmarks));
  const std::string rv = sim.get_object(k_configmaps)["metadata"]["resourceVersion"];
  REQUIRE(sim.request("POST", k_configmaps, config_map("a")).status == 201);
  REQUIRE(sim.control("POST", "compact").status == 200);
  auto events = start_watch(sim, "resourceVersion=" + rv, 1).get();
  REQUIRE(events.size() == 1);
  CHECK(events[0]["type"] == "ERROR");
  CHECK(events[0]["object"]["kind"] == "Status");
  CHECK(events[0]["object"]["code"] == 410);
  CHECK(events[0]["object"]["reason"] == "Expired");
}

TEST_CASE("watches get bookmarks, honour timeoutSeconds and can be dropped", "[kubesim][watch]") {
  Kubesim sim(api_only(k_bookmarks));
  SECTION("bookmarks carry only a resourceVersion") {
    auto events = start_watch(sim, "allowWatchBookmarks=true", 1, true).get();
    REQUIRE(events.size() == 1);
    CHECK(events[0]["type"] == "BOOKMARK");
    CHECK(events[0]["object"]["metadata"].size() == 1);
    CHECK(events[0]["object"]["metadata"].contains("resourceVersion"));
  }
  SECTION("timeoutSeconds ends the stream") {
    const auto start = std::chrono::steady_clock::now();
    CHECK(start_watch(sim, "timeoutSeconds=1", 100).get().empty());
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  }
  SECTION("the control API drops open watches") {
    auto watch = start_watch(sim, "", 100);
    CHECK(sim.control("POST", "watches/drop").body["dropped"] == 1);
    CHECK(watch.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  }
}

TEST_CASE("token authentication answers 401 and 403 like the apiserver", "[kubesim][auth]") {
  KubesimOptions options = api_only(k_bookmarks);
  options.token = "s3cret";
  Kubesim sim(options);
  CHECK(sim.get("/api/v1/namespaces").status == 200);
  httplib::Client anonymous(sim.url());
  auto forbidden = anonymous.Get("/apis/apps/v1/namespaces/default/deployments");
  REQUIRE(forbidden);
  CHECK(forbidden->status == 403);
  CHECK(Json::parse(forbidden->body)["message"] ==
        "deployments.apps is forbidden: User \"system:anonymous\" cannot list resource \"deployments\" in "
        "API group \"apps\" in the namespace \"default\"");
  CHECK(anonymous.Get("/version")->status == 200);
  anonymous.set_bearer_token_auth("wrong");
  auto unauthorized = anonymous.Get("/api/v1/namespaces");
  REQUIRE(unauthorized);
  CHECK(unauthorized->status == 401);
  CHECK(Json::parse(unauthorized->body)["reason"] == "Unauthorized");
}

TEST_CASE("TLS serves with a generated CA the kubeconfig carries", "[kubesim][auth]") {
  KubesimOptions options = api_only(k_bookmarks);
  options.tls = true;
  Kubesim sim(options);
  CHECK(sim.url().rfind("https://127.0.0.1:", 0) == 0);
  CHECK(sim.get("/api/v1/namespaces/default").status == 200);
  CHECK(sim.server()->kubeconfig().find("certificate-authority-data: ") != std::string::npos);
}

TEST_CASE("injected faults answer the next N matching requests, and the audit log counts calls",
          "[kubesim][faults]") {
  Kubesim sim(api_only(k_bookmarks));
  REQUIRE(sim.control("POST", "faults",
                      {{"verb", "list"},
                       {"path", "/configmaps$"},
                       {"count", 2},
                       {"status", 429},
                       {"retryAfterSeconds", 1}})
              .status == 201);
  httplib::Client client(sim.url());
  auto first = client.Get(k_configmaps);
  REQUIRE(first);
  CHECK(first->status == 429);
  CHECK(first->get_header_value("Retry-After") == "1");
  CHECK(Json::parse(first->body)["reason"] == "TooManyRequests");
  CHECK(client.Get(k_configmaps)->status == 429);
  CHECK(client.Get(k_configmaps)->status == 200);
  CHECK(client.Get(k_configmaps + "/missing")->status == 404);  // a get, not a list: no fault

  const Json audit = sim.audit();
  int lists = 0;
  for (const auto& r : audit["requests"]) {
    if (r["verb"] == "list" && r["path"] == k_configmaps) ++lists;
  }
  CHECK(lists == 3);
  CHECK(audit["requests"].back()["status"] == 404);
  CHECK(audit["requests"].back()["verb"] == "get");
}

TEST_CASE("the audit log records what each Service serves", "[kubesim][audit]") {
  Kubesim sim(api_only(k_bookmarks));
  auto& store = sim.server()->store();
  Json pod = {{"metadata", {{"name", "web-1"}, {"namespace", "default"}}},
              {"spec", {{"containers", {{{"name", "web"}, {"image", "web:2"}}}}}}};
  REQUIRE(store.create("pods", pod).ok());
  Json endpoints = {
      {"metadata", {{"name", "web"}, {"namespace", "default"}}},
      {"subsets",
       {{{"addresses",
          {{{"ip", "10.0.0.1"},
            {"targetRef", {{"kind", "Pod"}, {"name", "web-1"}, {"namespace", "default"}}}}}}}}}};
  REQUIRE(store.create("endpoints", endpoints).ok());
  const Json serving = sim.audit()["serving"];
  REQUIRE(serving.size() == 1);
  CHECK(serving[0]["kind"] == "Service");
  CHECK(serving[0]["name"] == "web");
  CHECK(serving[0]["state"]["ready"] == Json{{"web:2", 1}});
  CHECK(serving[0]["state"]["readyTotal"] == 1);
}
