// wait_until over kubesim: returns as soon as the predicate holds, and many
// waits on one namespace share one watch stream.
#include "kube_env.hpp"

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
      return hub.wait_until(
          k_configmaps, "default", "cm-" + std::to_string(i), [](const Json&) { return true; }, in(10000));
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
