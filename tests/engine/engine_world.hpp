// The engine tier's world: the engine run in this process against an
// embedded kubesim (fast timing, no child processes, no registry: plans name
// images by digest). Each test gets its own server on a free loopback port.
#pragma once

#include <kubesim/server.hpp>
#include <sluice/engine/commands.hpp>
#include <sluice/engine/context.hpp>
#include <sluice/http/client.hpp>
#include <sluice/kube/client.hpp>
#include <sluice/kube/watch.hpp>
#include <sluice/report/events.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace engine_test {

using Json = nlohmann::json;
namespace engine = sluice::engine;

// Images by digest; "bad" crash-loops once it starts.
inline const std::string k_v1 = "example.test/web@sha256:" + std::string(64, '1');
inline const std::string k_v2 = "example.test/web-v2@sha256:" + std::string(64, '2');
inline const std::string k_bad = "example.test/web-bad@sha256:" + std::string(64, '3');

// Whether kubesim serves watches that begin with the state (the WatchList
// feature), or refuses them as an API server with the feature off does.
enum class WatchList { on, off };

class EngineWorld {
 public:
  // Namespace "shop" with Deployment and Service "web": `replicas` pods of k_v1, all available.
  // `clock` drives the engine's time (the system clock when null).
  explicit EngineWorld(int replicas = 4, sluice::util::Clock* clock = nullptr,
                       WatchList watch_list = WatchList::on);
  ~EngineWorld();
  EngineWorld(const EngineWorld&) = delete;
  EngineWorld& operator=(const EngineWorld&) = delete;

  // A plan for Deployment web running `image`; `strategy` is the YAML under `strategy:` (indented 2).
  static std::string plan(const std::string& image, const std::string& strategy);

  engine::Outcome apply(const std::string& plan_yaml);
  // `sluice diff` / `apply --dry-run` of the plan, as a new process would run it.
  engine::DryRunOutcome dry_run(const std::string& plan_yaml);
  // What a signal does to the command running now (it exits 130).
  void interrupt(const std::string& why) { interrupt_->fire(why); }
  engine::RunOptions& options() { return options_; }
  // A new client and watch hub, as a new `sluice` process starts with: no
  // stream open, nothing cached (for counting one command's requests).
  void new_process();
  // The requests kubesim logged since `mark` (a Json array), and the mark to count from now.
  Json requests_since(std::uint64_t mark);
  std::uint64_t audit_mark();
  engine::Outcome abort();
  engine::Outcome promote();
  engine::Outcome rollback();

  Json deployment(const std::string& name);
  Json service(const std::string& name);
  // The image deployment `name` runs now.
  std::string image_of(const std::string& name);
  bool saw_event(sluice::report::EventType type) const;
  // The Deployments' status and the pods as the API lists them now: for a failing test's message.
  std::string describe();

  kubesim::Server& sim() { return server_; }
  sluice::kube::Client& kube() { return *kube_; }
  sluice::report::MemoryReporter& events() { return events_; }
  const std::string ns = "shop";

 private:
  engine::Deps deps();
  kubesim::Server server_;
  sluice::util::Clock* clock_;
  std::unique_ptr<sluice::kube::Client> kube_;
  std::unique_ptr<sluice::kube::WatchHub> hub_;
  std::unique_ptr<sluice::http::Client> http_;  // for plans with checks (http checks on loopback)
  sluice::report::MemoryReporter events_;
  std::unique_ptr<engine::Interrupt> interrupt_;
  engine::RunOptions options_;
};

}  // namespace engine_test
