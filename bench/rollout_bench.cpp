// Rollout bench on an in-process kubesim: how fast sluice's engine reacts to
// the state it waits for (awaited change -> its next write, median and p99),
// API requests per rollout, blue-green rollback time, and `kubectl rollout
// status` detecting the same rolling rollouts' completion, in the same run.
//   rollout_bench [rollouts=20] [replicas=3]
#include "bench_support.hpp"

#include <kubesim/server.hpp>
#include <sluice/engine/commands.hpp>
#include <sluice/engine/wait.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/kube/watch.hpp>
#include <sluice/plan/parser.hpp>
#include <sluice/util/sha256.hpp>

#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

using kubesim::Json;
namespace engine = sluice::engine;

extern char** environ;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string plan_text(bool bluegreen, const std::string& image) {
  std::string strategy = bluegreen
                             ? "  blueGreen:\n    previewService: web-preview\n    scaleDownDelay: 30s\n"
                             : "  rolling:\n    maxSurge: 1\n    maxUnavailable: 0\n";
  return "apiVersion: sluice/v1\nkind: Plan\nmetadata:\n  name: web\ntarget:\n  namespace: bench\n"
         "  deployment: web\n  service: web\nimage: " +
         image + "\nprogressDeadline: 30s\nstrategy:\n" + strategy;
}

bool is_sluice_write(const Json& r) {
  std::string verb = r.value("verb", "");
  return r.value("userAgent", "").rfind("sluice/", 0) == 0 &&
         (verb == "create" || verb == "update" || verb == "patch" || verb == "delete");
}

// ms from the first audit serving record satisfying `done` to sluice's next write.
double reaction_ms(const Json& audit, const std::function<bool(const Json&)>& done) {
  std::int64_t at = -1;
  for (const auto& s : audit["serving"])
    if (done(s)) {
      at = s["timeMs"].get<std::int64_t>();
      break;
    }
  if (at < 0) return -1;
  // The audit stamps the serving change when its listener runs, which can be
  // after sluice already saw the change by watch and wrote: 1 ms slack, floor 0.
  for (const auto& r : audit["requests"])
    if (r["timeMs"].get<std::int64_t>() >= at - 1 && is_sluice_write(r))
      return static_cast<double>(std::max<std::int64_t>(0, r["timeMs"].get<std::int64_t>() - at));
  return -1;
}

int count_requests(const Json& audit, const std::string& agent_prefix) {
  int n = 0;
  for (const auto& r : audit["requests"]) n += r.value("userAgent", "").rfind(agent_prefix, 0) == 0 ? 1 : 0;
  return n;
}

pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
  return pid;
}

}  // namespace

int main(int argc, char** argv) {
  const int rollouts = argc > 1 ? std::atoi(argv[1]) : 20;
  const int replicas = argc > 2 ? std::atoi(argv[2]) : 3;
  bench::EmbeddedCluster cluster;
  if (!cluster.start()) return 1;
  auto& server = cluster.server();
  std::string kubeconfig = "/tmp/rollout-bench-" + std::to_string(::getpid()) + ".kubeconfig";
  std::ofstream(kubeconfig) << server.kubeconfig();
  auto& hub = cluster.hub();
  auto& kube = cluster.kube();
  bool setup_ok = cluster.create_web(replicas);
  if (!setup_ok) {
    std::fprintf(stderr, "setting up the bench namespace failed\n");
    return 1;
  }

  struct HookReporter final : sluice::report::Reporter {
    std::function<void(const sluice::report::Event&)> on_event;
    void emit(const sluice::report::Event& e) override {
      if (on_event) on_event(e);
    }
  } hook;
  engine::Interrupt interrupt;
  engine::Deps deps{&kube,
                    &hub,
                    nullptr,
                    nullptr,
                    &sluice::util::system_clock(),
                    &hook,
                    &interrupt,
                    engine::Reach{},
                    sluice::state::current_starter()};
  bench::Stats rolling_reaction, kubectl_reaction, bg_reaction, requests, rollback_ms;
  auto& audit = server.audit();
  for (int i = 1; i <= rollouts; ++i) {
    std::string image = "bench/web@sha256:" + sluice::util::sha256_hex(std::to_string(i));
    bool bluegreen = i % 2 == 0;
    auto mark = audit.to_json()["next"].get<std::uint64_t>();
    std::int64_t kubectl_exited = 0;
    std::thread kubectl_waiter;
    // kubectl starts watching right after sluice changed the template, so
    // both follow the same rollout from the same moment.
    hook.on_event = [&](const sluice::report::Event& e) {
      if (bluegreen || e.type != sluice::report::EventType::step_finished || e.step_name != "UpdateTemplate")
        return;
      pid_t kubectl = spawn({"/usr/bin/kubectl", "--kubeconfig", kubeconfig, "-n", "bench", "rollout",
                             "status", "deployment/web", "--timeout=60s"});
      kubectl_waiter = std::thread([kubectl, &kubectl_exited] {
        int status = 0;
        waitpid(kubectl, &status, 0);
        kubectl_exited = now_ms();  // stamped the moment kubectl's process ends
      });
    };
    std::string text = plan_text(bluegreen, image);
    auto parsed = sluice::plan::parse_plan(text, "bench.yaml");
    if (!parsed.ok()) {
      std::fprintf(stderr, "bench plan: %s\n", parsed.diagnostics.front().to_string().c_str());
      return 1;
    }
    auto out = engine::apply_plan(*parsed.plan, text, deps, {});
    if (out.exit_code != 0)
      std::fprintf(stderr, "rollout %d: exit %d: %s\n", i, out.exit_code, out.message.c_str());
    Json log = audit.to_json(mark);
    requests.values.push_back(count_requests(log, "sluice/"));
    if (bluegreen) {
      bg_reaction.values.push_back(reaction_ms(log, [&](const Json& s) {
        return s["kind"] == "Deployment" && s["name"] != "web" &&
               s["state"].value("available", 0) == replicas && s["state"].value("image", "") == image;
      }));
      auto t0 = std::chrono::steady_clock::now();
      auto back = engine::rollback_rollout("bench", "web", std::nullopt, deps, {});
      rollback_ms.values.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      if (back.exit_code != 0) std::fprintf(stderr, "rollback %d: %s\n", i, back.message.c_str());
      continue;
    }
    auto complete = [&](const Json& s) {
      const auto& st = s["state"];
      return s["kind"] == "Deployment" && s["name"] == "web" && st.value("image", "") == image &&
             st.value("updated", 0) == replicas && st.value("available", 0) == replicas &&
             st.value("statusReplicas", 0) == replicas;
    };
    rolling_reaction.values.push_back(reaction_ms(log, complete));
    if (kubectl_waiter.joinable()) kubectl_waiter.join();
    for (const auto& s : log["serving"])
      if (complete(s)) {
        kubectl_reaction.values.push_back(
            static_cast<double>(kubectl_exited - s["timeMs"].get<std::int64_t>()));
        break;
      }
  }
  std::printf("rollouts: %d (%d rolling, %d blue-green), %d replicas\n", rollouts, (rollouts + 1) / 2,
              rollouts / 2, replicas);
  std::printf("rolling: awaited state -> sluice's next write: median %.1f ms, p99 %.1f ms\n",
              rolling_reaction.pct(0.5), rolling_reaction.pct(0.99));
  std::printf("rolling: same state -> `kubectl rollout status` exits: median %.1f ms, p99 %.1f ms\n",
              kubectl_reaction.pct(0.5), kubectl_reaction.pct(0.99));
  std::printf("blue-green: preview available -> Service switch: median %.1f ms, p99 %.1f ms\n",
              bg_reaction.pct(0.5), bg_reaction.pct(0.99));
  std::printf("API requests per rollout: median %.0f, max %.0f\n", requests.pct(0.5), requests.pct(1.0));
  std::printf("blue-green rollback (old version warm): median %.1f ms, p99 %.1f ms\n", rollback_ms.pct(0.5),
              rollback_ms.pct(0.99));
  std::remove(kubeconfig.c_str());
  return 0;
}
