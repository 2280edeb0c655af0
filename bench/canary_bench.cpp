// Canary bench on an in-process kubesim: each rollout goes 20% -> 50% ->
// pause (exit 4) -> promote -> 100%, or is aborted at the pause. Prints the
// wall time of each part, the API requests and writes sluice made per
// rollout (from kubesim's audit log), and how long an abort takes to give
// stable all the traffic back.
//   canary_bench [rollouts=12] [replicas=10]
#include "bench_support.hpp"

#include <kubesim/server.hpp>
#include <sluice/engine/commands.hpp>
#include <sluice/engine/wait.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/kube/watch.hpp>
#include <sluice/plan/parser.hpp>
#include <sluice/util/sha256.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>

using kubesim::Json;
namespace engine = sluice::engine;

namespace {

std::string plan_text(const std::string& image) {
  return "apiVersion: sluice/v1\nkind: Plan\nmetadata:\n  name: web\ntarget:\n  namespace: bench\n"
         "  deployment: web\n  service: web\nimage: " +
         image +
         "\nprogressDeadline: 30s\nstrategy:\n  canary:\n    maxSurge: 1\n    steps:\n"
         "      - setWeight: 20\n      - setWeight: 50\n      - pause: {}\n      - setWeight: 100\n";
}

struct Counted {
  int requests = 0;
  int writes = 0;
};

Counted count_sluice(const Json& audit) {
  Counted c;
  for (const auto& r : audit["requests"]) {
    if (r.value("userAgent", "").rfind("sluice/", 0) != 0) continue;
    ++c.requests;
    std::string verb = r.value("verb", "");
    c.writes += verb == "create" || verb == "update" || verb == "patch" || verb == "delete";
  }
  return c;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

struct Quiet final : sluice::report::Reporter {
  void emit(const sluice::report::Event&) override {}
};

}  // namespace

int main(int argc, char** argv) {
  const int rollouts = argc > 1 ? std::atoi(argv[1]) : 12;
  const int replicas = argc > 2 ? std::atoi(argv[2]) : 10;
  bench::EmbeddedCluster cluster;
  if (!cluster.start() || !cluster.create_web(replicas)) {
    std::fprintf(stderr, "setting up the bench namespace failed\n");
    return 1;
  }
  Quiet quiet;
  engine::Interrupt interrupt;
  engine::Deps deps{&cluster.kube(),
                    &cluster.hub(),
                    nullptr,
                    nullptr,
                    &sluice::util::system_clock(),
                    &quiet,
                    &interrupt,
                    engine::Reach{},
                    sluice::state::current_starter()};
  bench::Stats to_pause, promote, abort_ms, requests, writes;
  auto& audit = cluster.server().audit();
  for (int i = 1; i <= rollouts; ++i) {
    std::string image = "bench/web@sha256:" + sluice::util::sha256_hex(std::to_string(i));
    std::string text = plan_text(image);
    auto parsed = sluice::plan::parse_plan(text, "bench.yaml");
    if (!parsed.ok()) return 1;
    auto mark = audit.to_json()["next"].get<std::uint64_t>();
    auto t0 = std::chrono::steady_clock::now();
    auto paused = engine::apply_plan(*parsed.plan, text, deps, {});
    to_pause.values.push_back(ms_since(t0));
    if (paused.exit_code != 4)
      std::fprintf(stderr, "rollout %d: exit %d: %s\n", i, paused.exit_code, paused.message.c_str());
    bool abort = i % 4 == 0;
    t0 = std::chrono::steady_clock::now();
    auto end = abort ? engine::abort_rollout("bench", "web", deps, {})
                     : engine::promote_rollout("bench", "web", false, deps, {});
    (abort ? abort_ms : promote).values.push_back(ms_since(t0));
    if (end.exit_code != 0)
      std::fprintf(stderr, "rollout %d: exit %d: %s\n", i, end.exit_code, end.message.c_str());
    if (abort) continue;
    auto counted = count_sluice(audit.to_json(mark));
    requests.values.push_back(counted.requests);
    writes.values.push_back(counted.writes);
  }
  std::printf("canary rollouts: %d (%d promoted, %d aborted at the pause), %d replicas\n", rollouts,
              static_cast<int>(promote.values.size()), static_cast<int>(abort_ms.values.size()), replicas);
  std::printf("apply to the pause (create, 20%%, 50%%): median %.0f ms, p99 %.0f ms\n", to_pause.pct(0.5),
              to_pause.pct(0.99));
  std::printf("promote (100%%, stable moved, canary retired): median %.0f ms, p99 %.0f ms\n",
              promote.pct(0.5), promote.pct(0.99));
  std::printf("abort at 50%% (stable back to full, canary to 0): median %.0f ms, p99 %.0f ms\n",
              abort_ms.pct(0.5), abort_ms.pct(0.99));
  std::printf(
      "API requests per promoted rollout (apply + promote): median %.0f, max %.0f; writes median %.0f\n",
      requests.pct(0.5), requests.pct(1.0), writes.pct(0.5));
  return 0;
}
