// engine::follow_status (`sluice status --watch`) against an embedded kubesim:
// it shows the record, waits by watch for the next version, and stops when
// the rollout settles.
#include "support/kubesim_fixture.hpp"

#include <sluice/engine/status_watch.hpp>
#include <sluice/kube/client.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/kube/watch.hpp>
#include <sluice/state/record.hpp>
#include <sluice/util/exit_code.hpp>
#include <sluice/util/rfc3339.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

using namespace sluice;
using state::RecordPhase;
using test::Json;

namespace {

const std::string k_record_path = "/api/v1/namespaces/shop/configmaps/sluice-web";

Json record_configmap(RecordPhase phase) {
  state::Record r;
  r.name = "web";
  r.ns = "shop";
  r.strategy = plan::StrategyKind::rolling;
  r.rollout_id = 1;
  r.phase = phase;
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", "sluice-web"}, {"namespace", "shop"}}},
          {"data", {{"rollout", state::to_json(r).dump()}}}};
}

// Another process holds the lock, live: a progressing rollout is not abandoned.
Json live_lease() {
  auto now = util::format_rfc3339_micro(util::system_clock().wall_now());
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", "sluice-web"}, {"namespace", "shop"}}},
          {"spec",
           {{"holderIdentity", "other/pid 1"},
            {"leaseDurationSeconds", 3600},
            {"acquireTime", now},
            {"renewTime", now}}}};
}

int record_reads(test::Kubesim& sim) {
  int reads = 0;
  Json log = sim.audit();
  for (const auto& e : log["requests"])
    if (e["verb"] == "get" && e["path"] == k_record_path) ++reads;
  return reads;
}

struct Cluster {
  test::Kubesim sim{[] {
    test::KubesimOptions options;
    options.controllers = false;
    return options;
  }()};
  std::unique_ptr<kube::Client> client;
  std::unique_ptr<kube::WatchHub> hub;
  engine::Interrupt interrupt;
  engine::Deps deps;

  Cluster() {
    sim.create_namespace("shop");
    kube::LoadOptions load;
    load.explicit_path = sim.kubeconfig_path();
    auto config = kube::load_kubeconfig(load);
    REQUIRE(config.ok());
    auto made = kube::make_client(*config);
    REQUIRE(made.ok());
    client = std::move(*made);
    hub = std::make_unique<kube::WatchHub>(*client);
    deps.kube = client.get();
    deps.hub = hub.get();
    deps.interrupt = &interrupt;
  }
};

}  // namespace

TEST_CASE("status --watch follows a change made right after the first read until the rollout settles",
          "[engine][status]") {
  Cluster c;
  REQUIRE(
      c.sim.request("POST", "/api/v1/namespaces/shop/configmaps", record_configmap(RecordPhase::progressing))
          .status == 201);
  REQUIRE(c.sim.request("POST", "/apis/coordination.k8s.io/v1/namespaces/shop/leases", live_lease()).status ==
          201);

  std::atomic<bool> done{false};
  std::thread finisher([&] {
    // The rollout finishes as soon as the first status was read: before the
    // watch for the next change has started.
    for (int i = 0; i < 1000 && !done && record_reads(c.sim) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto put = c.sim.request("PUT", k_record_path, record_configmap(RecordPhase::healthy));
    CHECK(put.status == 200);
    // Bounds the test: a missed change would otherwise wait out the 24 h watch.
    for (int i = 0; i < 3000 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!done) c.interrupt.fire("test bound");
  });
  std::vector<RecordPhase> shown;
  auto code = engine::follow_status(c.deps, "shop", "web", true, [&](const engine::StatusView& view) {
    shown.push_back(view.record->phase);
  });
  done = true;
  finisher.join();
  REQUIRE(code.ok());
  CHECK(*code == k_exit_ok);
  CHECK(shown == std::vector<RecordPhase>{RecordPhase::progressing, RecordPhase::healthy});
}

TEST_CASE("status without --watch shows the record once, settled or not", "[engine][status]") {
  Cluster c;
  REQUIRE(c.sim.request("POST", "/api/v1/namespaces/shop/configmaps", record_configmap(RecordPhase::paused))
              .status == 201);
  int shown = 0;
  auto code =
      engine::follow_status(c.deps, "shop", "web", false, [&](const engine::StatusView&) { ++shown; });
  REQUIRE(code.ok());
  CHECK(*code == k_exit_paused);
  CHECK(shown == 1);
}

TEST_CASE("status of a rollout that does not exist is a not_found error", "[engine][status]") {
  Cluster c;
  auto code = engine::follow_status(c.deps, "shop", "web", true, [](const engine::StatusView&) {});
  REQUIRE_FALSE(code.ok());
  CHECK(code.error().kind == util::ErrorKind::not_found);
  CHECK(code.error().message == "no rollout named web in namespace shop");
}
