// wait_until over kubesim: returns as soon as the predicate holds, and many
// waits on one namespace share one watch stream.
#include "kube_env.hpp"

#include <sluice/http/stream_poll.hpp>
#include <sluice/kube/readiness.hpp>
#include <sluice/kube/watch.hpp>

#include <future>
#include <thread>

using namespace sluice::kube;
using namespace sluice::kube::testing;
using sluice::test::Kubesim;
using sluice::test::KubesimOptions;
using sluice::util::ErrorKind;

namespace {

KubesimOptions plain() {
  KubesimOptions options;
  options.controllers = false;
  return options;
}

auto in(int ms) {
  return sluice::util::system_clock().now() + std::chrono::milliseconds(ms);
}

}  // namespace

TEST_CASE("wait_until returns when the predicate holds, and judges the current state first",
          "[kube][integration][wait]") {
  Kubesim sim(plain());
  auto client = client_for(sim);
  WatchHub hub(*client);
  REQUIRE(client->create(k_configmaps, "default", config_map("flag", {{"state", "off"}})).ok());
  auto waiting = std::async(std::launch::async, [&] {
    return hub.wait_until(
        k_configmaps, "default", "flag", [](const Json& o) { return o["data"]["state"] == "on"; }, in(10000));
  });
  REQUIRE(waiting.wait_for(std::chrono::milliseconds(200)) == std::future_status::timeout);
  REQUIRE(
      client->patch(k_configmaps, "default", "flag", PatchType::merge, {{"data", {{"state", "on"}}}}).ok());
  auto result = waiting.get();
  REQUIRE(result.ok());
  CHECK(result->objects.at(0)["data"]["state"] == "on");

  auto again = hub.wait_until(
      k_configmaps, "default", "flag", [](const Json& o) { return o["data"]["state"] == "on"; }, in(1000));
  CHECK(again.ok());
}

TEST_CASE("wait_until times out at the deadline and stops when cancelled", "[kube][integration][wait]") {
  Kubesim sim(plain());
  auto client = client_for(sim);
  WatchHub hub(*client);
  auto never = [](const std::vector<Json>&) { return WaitDecision::pending(); };
  auto timed_out = hub.wait_until(k_configmaps, "default", WaitTarget::object("nope"), never, in(300));
  REQUIRE_FALSE(timed_out.ok());
  CHECK(timed_out.error().kind == ErrorKind::timeout);

  sluice::util::CancelToken cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancel.cancel();
  });
  auto cancelled =
      hub.wait_until(k_configmaps, "default", WaitTarget::object("nope"), never, in(10000), &cancel);
  canceller.join();
  REQUIRE_FALSE(cancelled.ok());
  CHECK(cancelled.error().kind == ErrorKind::cancelled);
}

TEST_CASE("a label selector that does not parse ends the wait at once, saying why",
          "[kube][integration][wait]") {
  Kubesim sim(plain());
  auto client = client_for(sim);
  WatchHub hub(*client);
  auto never = [](const std::vector<Json>&) { return WaitDecision::pending(); };
  auto started = std::chrono::steady_clock::now();
  auto waited = hub.wait_until(k_configmaps, "default", WaitTarget::selector("app in web"), never, in(60000));
  REQUIRE_FALSE(waited.ok());
  CHECK(waited.error().kind == ErrorKind::invalid);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));  // not the deadline
  CHECK(hub.streams() == 0);                                                     // nothing was opened for it
}

TEST_CASE("a failing predicate ends the wait with its reason", "[kube][integration][wait]") {
  Kubesim sim(plain());
  auto client = client_for(sim);
  WatchHub hub(*client);
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "web-1"}, {"labels", {{"app", "web"}}}}},
              {"spec", {{"containers", {{{"name", "app"}, {"image", "web:2"}}}}}}};
  auto created = client->create(k_pods, "default", pod);
  REQUIRE(created.ok());
  Json crashed = *created;
  crashed["status"] = {
      {"containerStatuses",
       {{{"name", "app"}, {"restartCount", 2}, {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}}}}}};
  REQUIRE(client->update_status(k_pods, "default", crashed).ok());
  auto pods_ready = [](const std::vector<Json>& pods) {
    for (const auto& p : pods) {
      if (auto signal = pod_failure_signal(p)) return WaitDecision::failed(*signal);
    }
    return WaitDecision::pending();
  };
  auto result = hub.wait_until(k_pods, "default", WaitTarget::selector("app=web"), pods_ready, in(5000));
  REQUIRE(result.ok());
  CHECK(result->failed);
  CHECK(result->message == "pod web-1 container app: CrashLoopBackOff");
}

TEST_CASE("many waits on one namespace share one watch stream", "[kube][integration][wait]") {
  Kubesim sim(plain());
  auto client = client_for(sim);
  WatchHub hub(*client);
  constexpr int k_waits = 20;
  std::vector<std::future<Result<WaitResult>>> waits;
  for (int i = 0; i < k_waits; ++i) {
    waits.push_back(std::async(std::launch::async, [&hub, i] {
      auto has_mine = [name = "cm-" + std::to_string(i)](const std::vector<Json>& objects) {
        for (const auto& o : objects)
          if (o["metadata"]["name"] == name) return WaitDecision::done();
        return WaitDecision::pending();
      };
      return hub.wait_until(k_configmaps, "default", WaitTarget::selector(""), has_mine, in(10000));
    }));
  }
  for (int i = 0; i < k_waits; ++i) {
    REQUIRE(client->create(k_configmaps, "default", config_map("cm-" + std::to_string(i), {})).ok());
  }
  for (auto& w : waits) CHECK(w.get().ok());
  CHECK(hub.streams() == 1);
  CHECK(sim.control("GET", "watches").body["open"] == 1);
  // One list and one watch, plus the creates: no per-wait requests.
  CHECK(client->requests_made() <= k_waits + 3);
}

TEST_CASE("destroying a hub wakes every open watch instead of waiting out its poll",
          "[kube][integration][wait][stop]") {
  Kubesim sim(plain());
  // A poll that nothing but the cancel can cut short: a stop that waited on
  // it would take two minutes per watch (bounded, should this test fail).
  struct LongPoll {
    LongPoll() { sluice::http::set_stream_poll_interval(std::chrono::minutes(2)); }
    ~LongPoll() { sluice::http::set_stream_poll_interval(std::chrono::milliseconds(25)); }
  } long_poll;
  auto client = client_for(sim);
  auto hub = std::make_unique<WatchHub>(*client);
  const std::vector<ResourceRef> kinds = {k_configmaps, k_pods, k_services, k_deployments, k_leases};
  for (const auto& kind : kinds)
    REQUIRE(hub->snapshot(kind, "default", WaitTarget::selector(""), in(10000)).ok());
  for (int i = 0; i < 500 && sim.control("GET", "watches").body["open"] != kinds.size(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(sim.control("GET", "watches").body["open"] == kinds.size());

  auto stopped = std::async(std::launch::async, [&hub] { hub.reset(); });
  // Generous: the point is "not a poll interval", not how fast.
  REQUIRE(stopped.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
}

TEST_CASE("a wait on one object by name watches that object alone", "[kube][integration][wait][scope]") {
  Kubesim sim(plain());
  auto client = client_for(sim);
  WatchHub hub(*client);
  REQUIRE(client->create(k_configmaps, "default", config_map("other", {})).ok());
  REQUIRE(client->create(k_configmaps, "default", config_map("flag", {{"state", "on"}})).ok());

  auto seen = hub.snapshot(k_configmaps, "default", WaitTarget::object("flag"), in(10000));

  REQUIRE(seen.ok());
  REQUIRE(seen->size() == 1);
  Json log = sim.audit();
  int scoped = 0;
  for (const auto& r : log["requests"]) {
    if (r["verb"] != "list" && r["verb"] != "watch") continue;
    std::string query = r["query"].get<std::string>();
    CHECK(query.find("fieldSelector=metadata.name") != std::string::npos);
    CHECK(query.find("flag") != std::string::npos);
    ++scoped;
  }
  CHECK(scoped >= 1);
}

TEST_CASE("a forbidden watch is reported to visits with the server's message, not waited out",
          "[kube][integration][wait][forbidden]") {
  Kubesim sim(plain());
  auto client = client_for(sim);
  WatchHub hub(*client);
  REQUIRE(sim.control("POST", "faults",
                      {{"verb", "watch"}, {"path", "/configmaps"}, {"count", -1}, {"status", 403}})
              .status < 300);
  auto subscribed_error = std::make_shared<std::promise<std::string>>();
  auto told = subscribed_error->get_future();
  hub.subscribe(k_configmaps, "default", [subscribed_error](const WatchEvent& e) {
    if (e.type == "ERROR") subscribed_error->set_value(e.object.value("message", ""));
  });
  // The subscriber is told when the stream stops for good.
  REQUIRE(told.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
  CHECK(told.get().find("configmaps is forbidden") != std::string::npos);

  auto visited = hub.visit(
      k_configmaps, "default", WaitTarget::selector(""), [](const Json&) { return true; }, in(10000));

  REQUIRE_FALSE(visited.ok());
  CHECK(visited.error().kind == ErrorKind::forbidden);
  CHECK(visited.error().message.find("cannot watch resource \"configmaps\"") != std::string::npos);
}

// Issue 15: a rollout's pods stream keeps only what the waits read; the
// rest of each pod (managedFields, most of the spec) is never built.
TEST_CASE("a stream with a field mask caches only the fields the mask names",
          "[kube][integration][wait][mask]") {
  Kubesim sim(plain());
  auto client = client_for(sim);
  WatchHub hub(*client);
  Json pod = {{"metadata", {{"name", "web-1"}, {"labels", {{"app", "web"}}}}},
              {"spec",
               {{"restartPolicy", "Always"},
                {"containers", {{{"name", "web"}, {"image", "example.test/web:1"}, {"args", {"serve"}}}}}}}};
  REQUIRE(client->create(k_pods, "default", pod).ok());
  auto seen = [&](const WatchScope& scope) {
    Json found;
    auto visited = hub.visit(
        k_pods, "default", WaitTarget::selector("app=web").within(scope),
        [&found](const Json& p) {
          found = p;
          return false;
        },
        in(10000));
    REQUIRE(visited.ok());
    return found;
  };

  Json whole = seen(WatchScope::labelled("app=web"));
  Json masked = seen(WatchScope::labelled("app=web").keeping(rollout_pod_fields()));

  REQUIRE(whole["spec"].contains("restartPolicy"));
  CHECK(masked["spec"] == Json{{"containers", {{{"name", "web"}, {"image", "example.test/web:1"}}}}});
  CHECK(masked["metadata"]["name"] == "web-1");
  CHECK(masked["metadata"]["labels"] == whole["metadata"]["labels"]);
  CHECK(masked["metadata"]["resourceVersion"] == whole["metadata"]["resourceVersion"]);
  CHECK(hub.streams() == 2);  // a masked stream is a stream of its own
}
