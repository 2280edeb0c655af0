#include <kubesim/store.hpp>

#include <catch2/catch.hpp>

#include <thread>

using kubesim::Json;
using kubesim::Store;
using kubesim::WatchEvent;
using sluice::util::ErrorKind;

namespace {

Json deployment(const std::string& name, const std::string& image = "web:1") {
  return Json{
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", name}, {"namespace", "default"}}},
      {"spec",
       {{"replicas", 2}, {"template", {{"spec", {{"containers", {{{"name", "web"}, {"image", image}}}}}}}}}}};
}

std::uint64_t rv_of(const Json& object) {
  return std::stoull(object["metadata"]["resourceVersion"].get<std::string>());
}

}  // namespace

TEST_CASE("create fills identity fields and resourceVersions only grow", "[kubesim][store]") {
  Store store;
  auto a = store.create("deployments.apps", deployment("a"));
  auto b = store.create("deployments.apps", deployment("b"));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->at("metadata").at("uid").get<std::string>().size() == 36);
  CHECK(a->at("metadata").at("uid") != b->at("metadata").at("uid"));
  CHECK(a->at("metadata").at("generation") == 1);
  CHECK(a->at("metadata").at("creationTimestamp").get<std::string>().back() == 'Z');
  CHECK(rv_of(*b) > rv_of(*a));
  CHECK(store.resource_version() == rv_of(*b));
  auto updated = store.update("deployments.apps", deployment("a", "web:2"));
  REQUIRE(updated.ok());
  CHECK(rv_of(*updated) > rv_of(*b));
}

TEST_CASE("create refuses a taken name and honours generateName", "[kubesim][store]") {
  Store store;
  REQUIRE(store.create("deployments.apps", deployment("a")).ok());
  auto again = store.create("deployments.apps", deployment("a"));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().kind == ErrorKind::already_exists);
  CHECK(again.error().message == "deployments.apps \"a\" already exists");

  Json generated = deployment("");
  generated["metadata"].erase("name");
  generated["metadata"]["generateName"] = "web-";
  auto created = store.create("deployments.apps", generated);
  REQUIRE(created.ok());
  const auto name = created->at("metadata").at("name").get<std::string>();
  CHECK(name.rfind("web-", 0) == 0);
  CHECK(name.size() == 9);
}

TEST_CASE("an update with a stale resourceVersion is a conflict", "[kubesim][store]") {
  Store store;
  auto first = store.create("deployments.apps", deployment("web"));
  REQUIRE(first.ok());
  Json stale = *first;
  stale["spec"]["replicas"] = 3;
  REQUIRE(store.update("deployments.apps", stale).ok());
  stale["spec"]["replicas"] = 4;
  auto conflict = store.update("deployments.apps", stale);
  REQUIRE_FALSE(conflict.ok());
  CHECK(conflict.error().kind == ErrorKind::conflict);
  CHECK(
      conflict.error().message ==
      "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply "
      "your changes to the latest version and try again");
  SECTION("without a resourceVersion the update is unconditional") {
    stale["metadata"].erase("resourceVersion");
    CHECK(store.update("deployments.apps", stale).ok());
  }
}

TEST_CASE("generation bumps only when the spec changes", "[kubesim][store]") {
  Store store;
  auto created = store.create("deployments.apps", deployment("web"));
  REQUIRE(created.ok());
  Json labelled = *created;
  labelled["metadata"]["labels"] = {{"tier", "front"}};
  auto after_label = store.update("deployments.apps", labelled);
  REQUIRE(after_label.ok());
  CHECK(after_label->at("metadata").at("generation") == 1);

  Json status = *after_label;
  status["status"] = {{"replicas", 2}};
  auto after_status = store.update("deployments.apps", status, true);
  REQUIRE(after_status.ok());
  CHECK(after_status->at("metadata").at("generation") == 1);
  CHECK(after_status->at("status").at("replicas") == 2);

  Json scaled = *after_status;
  scaled["spec"]["replicas"] = 5;
  scaled.erase("status");
  auto after_spec = store.update("deployments.apps", scaled);
  REQUIRE(after_spec.ok());
  CHECK(after_spec->at("metadata").at("generation") == 2);
  CHECK(after_spec->at("status").at("replicas") == 2);  // a spec write keeps the status
}

TEST_CASE("a no-op update keeps the resourceVersion and emits no event", "[kubesim][store]") {
  Store store;
  auto created = store.create("deployments.apps", deployment("web"));
  REQUIRE(created.ok());
  int events = 0;
  const int id = store.add_listener([&](const WatchEvent&) { ++events; });
  auto same = store.update("deployments.apps", *created);
  REQUIRE(same.ok());
  CHECK(same->at("metadata").at("resourceVersion") == created->at("metadata").at("resourceVersion"));
  CHECK(events == 0);
  store.remove_listener(id);
}

TEST_CASE("events_since replays history until it is compacted", "[kubesim][store]") {
  Store store;
  auto created = store.create("deployments.apps", deployment("web"));
  REQUIRE(created.ok());
  const auto start = rv_of(*created) - 1;
  Json changed = *created;
  changed["spec"]["replicas"] = 9;
  REQUIRE(store.update("deployments.apps", changed).ok());
  REQUIRE(store.remove("deployments.apps", "default", "web").ok());
  REQUIRE(store.create("configmaps", Json{{"metadata", {{"name", "c"}, {"namespace", "default"}}}}).ok());

  auto events = store.events_since("deployments.apps", "", start);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 3);
  CHECK((*events)[0].type == "ADDED");
  CHECK((*events)[1].type == "MODIFIED");
  CHECK((*events)[2].type == "DELETED");
  CHECK((*events)[2].object["metadata"]["resourceVersion"] == std::to_string((*events)[2].resource_version));
  CHECK(store.events_since("deployments.apps", "other", start)->empty());

  store.compact();
  auto gone = store.events_since("deployments.apps", "", start);
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().kind == ErrorKind::gone);
  CHECK(store.events_since("deployments.apps", "", store.resource_version()).ok());
}

TEST_CASE("history beyond the limit is dropped", "[kubesim][store]") {
  Store store(2);
  for (const char* name : {"a", "b", "c"}) REQUIRE(store.create("deployments.apps", deployment(name)).ok());
  CHECK_FALSE(store.events_since("deployments.apps", "", 1).ok());
  CHECK(store.events_since("deployments.apps", "", store.oldest_retained())->size() == 2);
}

TEST_CASE("listeners see every change in order and may write to the store", "[kubesim][store]") {
  Store store;
  std::vector<std::string> seen;
  const int id = store.add_listener([&](const WatchEvent& event) {
    seen.push_back(event.type + " " + event.object["metadata"]["name"].get<std::string>());
    if (event.type == "ADDED" && event.object["metadata"]["name"] == "a") {
      REQUIRE(store.create("deployments.apps", deployment("from-listener")).ok());
    }
  });
  REQUIRE(store.create("deployments.apps", deployment("a")).ok());
  REQUIRE(store.remove("deployments.apps", "default", "a").ok());
  store.remove_listener(id);
  REQUIRE(store.create("deployments.apps", deployment("after")).ok());
  CHECK(seen == std::vector<std::string>{"ADDED a", "ADDED from-listener", "DELETED a"});
}

TEST_CASE("concurrent writers all get distinct resourceVersions", "[kubesim][store]") {
  Store store;
  std::vector<std::uint64_t> seen;
  std::mutex seen_mutex;
  const int id = store.add_listener([&](const WatchEvent& event) {
    std::lock_guard lock(seen_mutex);
    seen.push_back(event.resource_version);
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 25; ++i)
        (void)store.create("deployments.apps", deployment("d" + std::to_string(t) + "-" + std::to_string(i)));
    });
  }
  for (auto& thread : threads) thread.join();
  store.remove_listener(id);
  REQUIRE(seen.size() == 100);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(store.list("deployments.apps", "default").first.size() == 100);
}

TEST_CASE("the resource table knows every served kind", "[kubesim][store]") {
  using kubesim::find_resource_type;
  REQUIRE(find_resource_type("deployments.apps") != nullptr);
  CHECK(find_resource_type("deployments.apps")->kind == "Deployment");
  CHECK(find_resource_type("apps", "replicasets")->short_names == std::vector<std::string>{"rs"});
  CHECK_FALSE(find_resource_type("namespaces")->namespaced);
  CHECK(find_resource_type("leases.coordination.k8s.io")->api_version() == "coordination.k8s.io/v1");
  CHECK(find_resource_type("httproutes.gateway.networking.k8s.io") != nullptr);
  CHECK(find_resource_type("widgets") == nullptr);
}
