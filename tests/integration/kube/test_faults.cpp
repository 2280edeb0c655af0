// The kube client riding out the faults kubesim's control API injects.
#include "kube_env.hpp"

#include <sluice/kube/watch.hpp>
#include <sluice/state/guarded_write.hpp>

#include <set>
#include <thread>

using namespace sluice::kube;
using namespace sluice::kube::testing;
using sluice::test::Kubesim;
using sluice::test::KubesimOptions;
using sluice::util::Duration;
using sluice::util::ErrorKind;
using sluice::util::ManualClock;

namespace {

KubesimOptions plain() {
  KubesimOptions options;
  options.controllers = false;
  return options;
}

void add_fault(Kubesim& sim, const Json& rule) {
  REQUIRE(sim.control("POST", "faults", rule).status == 201);
}

auto soon(int seconds = 10) {
  return sluice::util::system_clock().now() + std::chrono::seconds(seconds);
}

}  // namespace

TEST_CASE("a burst of 500s with Retry-After is ridden out, waiting as long as asked",
          "[kube][integration][faults]") {
  Kubesim sim(plain());
  ManualClock clock;  // backoff waits go through it: the test proves the waits without sleeping
  ClientOptions options;
  options.clock = &clock;
  auto client = client_for(sim, options);
  add_fault(sim, {{"verb", "list"},
                  {"path", "/api/v1/namespaces/default/configmaps"},
                  {"count", 3},
                  {"status", 500},
                  {"retryAfterSeconds", 2}});
  auto listed = client->list(k_configmaps, "default");
  REQUIRE(listed.ok());
  CHECK(client->requests_made() == 4);
  CHECK(clock.now() - sluice::util::TimePoint{} == Duration{6000});
}

TEST_CASE("a write answered 500 without Retry-After is returned, not retried",
          "[kube][integration][faults]") {
  Kubesim sim(plain());
  auto client = client_for(sim);
  add_fault(sim, {{"verb", "create"}, {"count", 1}, {"status", 500}});
  auto made = client->create(k_configmaps, "default",
                             {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "once"}}}});
  REQUIRE_FALSE(made.ok());
  CHECK(made.error().kind == ErrorKind::server_error);
  CHECK(made.error().message == "Internal error occurred: injected fault");
  CHECK(client->requests_made() == 1);
}

TEST_CASE("a read answered 500 without Retry-After is tried again", "[kube][integration][faults]") {
  Kubesim sim(plain());
  auto client = client_for(sim);
  add_fault(sim, {{"verb", "get"}, {"count", 1}, {"status", 500}});
  auto got = client->get(k_namespaces, "", "default");
  REQUIRE(got.ok());
  CHECK(client->requests_made() == 2);
}

TEST_CASE("429 is honoured, for writes too (the server did not act)", "[kube][integration][faults]") {
  Kubesim sim(plain());
  ManualClock clock;
  ClientOptions options;
  options.clock = &clock;
  auto client = client_for(sim, options);
  add_fault(sim, {{"verb", "create"}, {"count", 2}, {"status", 429}, {"retryAfterSeconds", 1}});
  auto created = client->create(k_configmaps, "default", config_map("after-429", {{"k", "v"}}));
  REQUIRE(created.ok());
  CHECK(client->requests_made() == 3);
  CHECK(clock.now() - sluice::util::TimePoint{} == Duration{2000});
}

TEST_CASE("a 409 on update is retried with a fresh read", "[kube][integration][faults]") {
  Kubesim sim(plain());
  auto client = client_for(sim);
  REQUIRE(client->create(k_configmaps, "default", config_map("counter", {{"a", "0"}})).ok());
  int attempts = 0;
  auto result = sluice::state::retry_guarded_write(
      [&]() -> Result<Json> {
        ++attempts;
        auto current = client->get(k_configmaps, "default", "counter");
        if (!current) return current.error();
        if (attempts == 1) {  // someone else writes between our read and our update
          REQUIRE(
              client->patch(k_configmaps, "default", "counter", PatchType::merge, {{"data", {{"b", "1"}}}})
                  .ok());
        }
        Json changed = *current;
        changed["data"]["a"] = "1";
        return client->update(k_configmaps, "default", changed);
      },
      sluice::util::system_clock());
  REQUIRE(result.ok());
  CHECK(attempts == 2);
  CHECK((*result)["data"] == Json{{"a", "1"}, {"b", "1"}});
}

TEST_CASE("a dropped watch resumes without missing or duplicating an event",
          "[kube][integration][faults][watch]") {
  Kubesim sim(plain());
  auto client = client_for(sim);
  WatchHub hub(*client);
  std::mutex mutex;
  std::multiset<std::string> added;
  hub.subscribe(k_configmaps, "default", [&](const WatchEvent& e) {
    std::lock_guard lock(mutex);
    std::string name = e.object["metadata"]["name"];
    if (e.type == "ADDED" && name.rfind("cm-", 0) == 0) added.insert(name);
  });
  REQUIRE(hub.snapshot(k_configmaps, "default", {}, soon()).ok());
  for (int i = 0; i < 30; ++i) {
    REQUIRE(client->create(k_configmaps, "default", config_map("cm-" + std::to_string(i), {}, {{"n", "x"}}))
                .ok());
    if (i % 10 == 5) REQUIRE(sim.control("POST", "watches/drop").status == 200);
  }
  auto all_seen = hub.wait_until(
      k_configmaps, "default", WaitTarget::selector("n=x"),
      [](const std::vector<Json>& objects) {
        return objects.size() == 30 ? WaitDecision::done() : WaitDecision::pending();
      },
      soon());
  REQUIRE(all_seen.ok());
  std::lock_guard lock(mutex);
  CHECK(added.size() == 30);
  for (int i = 0; i < 30; ++i) CHECK(added.count("cm-" + std::to_string(i)) == 1);
  CHECK(hub.streams() == 1);
}

TEST_CASE("compacted history makes the watch re-list instead of hanging",
          "[kube][integration][faults][watch]") {
  Kubesim sim(plain());
  auto client = client_for(sim);
  WatchHub hub(*client);
  REQUIRE(hub.snapshot(k_configmaps, "default", WaitTarget::selector(""), soon()).ok());
  // The snapshot returns after the list; its watch must be open before the
  // fault below, which is meant for the reconnect.
  for (int i = 0; i < 400 && sim.control("GET", "watches").body["open"] != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(sim.control("GET", "watches").body["open"] == 1);
  // Hold the reconnect back long enough for a change and a compaction to land first.
  add_fault(sim, {{"verb", "watch"}, {"count", 1}, {"latencyMs", 1500}});
  // Counted from here: when the hub re-sends its watch depends on scheduling,
  // so counting from after the compaction could miss it.
  auto requests_before = client->requests_made();
  REQUIRE(sim.control("POST", "watches/drop").status == 200);
  REQUIRE(client->create(k_configmaps, "default", config_map("while-away", {{"k", "v"}})).ok());
  REQUIRE(sim.control("POST", "compact").status == 200);
  // Waited for on the snapshot's own stream (a wait by name may list the one
  // object on a stream of its own, and find it without this stream's re-list).
  auto seen = hub.wait_until(
      k_configmaps, "default", WaitTarget::selector(""),
      [](const std::vector<Json>& objects) {
        for (const auto& object : objects) {
          if (object["metadata"]["name"] == "while-away") return WaitDecision::done();
        }
        return WaitDecision::pending();
      },
      soon(5));
  REQUIRE(seen.ok());
  CHECK(hub.streams() == 1);
  // The create, the watch that gets 410, and the re-list that found the object
  // (a new watch may follow); without the re-list the object is only seen on the watch.
  CHECK(client->requests_made() - requests_before >= 3);
}
