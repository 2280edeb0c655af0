#include "engine/engine_world.hpp"

#include <sluice/engine/wait.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/plan/parser.hpp>

#include <stdexcept>

namespace engine_test {

namespace {

kubesim::ServerOptions fast_options(WatchList watch_list) {
  kubesim::ServerOptions o;
  o.watch_list = watch_list == WatchList::on;
  o.sim_config = {{"timing", {{"controllerDelayMs", 2}, {"podDeleteMs", 5}, {"crashRestartMs", 30}}},
                  {"default", {{"startupMs", 20}}},
                  {"images", {{"example.test/web-bad", {{"crashLoop", true}}}}}};
  return o;
}

void require(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("engine world: " + what);
}

Json web_deployment(int replicas) {
  return {{"metadata", {{"name", "web"}, {"labels", {{"app", "web"}}}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", "web"}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", "web"}}}}},
              {"spec", {{"containers", {{{"name", "web"}, {"image", k_v1}}}}}}}}}}};
}

}  // namespace

EngineWorld::EngineWorld(int replicas, sluice::util::Clock* clock, WatchList watch_list)
    : server_(fast_options(watch_list)),
      clock_(clock != nullptr ? clock : &sluice::util::system_clock()),
      http_(sluice::http::make_curl_client({})) {
  require(server_.start().ok(), "kubesim did not start");
  new_process();
  using namespace sluice::kube;
  Json svc = {{"metadata", {{"name", "web"}}},
              {"spec", {{"selector", {{"app", "web"}}}, {"ports", {{{"port", 80}}}}}}};
  require(kube_->create(k_namespaces, "", {{"metadata", {{"name", ns}}}}).ok(), "namespace");
  require(kube_->create(k_deployments, ns, web_deployment(replicas)).ok(), "deployment");
  require(kube_->create(k_services, ns, svc).ok(), "service");
  require(hub_->wait_until(k_deployments, ns, "web", engine::fully_available,
                           sluice::util::system_clock().now() + std::chrono::seconds(30))
              .ok(),
          "web did not become available");
}

void EngineWorld::new_process() {
  hub_.reset();
  auto config = sluice::kube::config_from_yaml(server_.kubeconfig(), "/tmp", "");
  require(config.ok(), "kubeconfig");
  auto client = sluice::kube::make_client(*config);
  require(client.ok(), "client");
  kube_ = std::move(*client);
  hub_ = std::make_unique<sluice::kube::WatchHub>(*kube_);
}

std::uint64_t EngineWorld::audit_mark() {
  return server_.audit().to_json()["next"].get<std::uint64_t>();
}

Json EngineWorld::requests_since(std::uint64_t mark) {
  return server_.audit().to_json(mark)["requests"];
}

EngineWorld::~EngineWorld() {
  hub_.reset();
  kube_.reset();
  server_.stop();
}

std::string EngineWorld::plan(const std::string& image, const std::string& strategy) {
  return "apiVersion: sluice/v1\nkind: Plan\nmetadata:\n  name: web\ntarget:\n  namespace: shop\n"
         "  deployment: web\n  service: web\nimage: " +
         image + "\nprogressDeadline: 20s\nstrategy:\n" + strategy;
}

engine::Deps EngineWorld::deps() {
  interrupt_ = std::make_unique<engine::Interrupt>();  // each command is its own process
  return engine::Deps{kube_.get(),      hub_.get(),      nullptr,
                      http_.get(),      clock_,          &events_,
                      interrupt_.get(), engine::Reach{}, sluice::state::current_starter()};
}

engine::Outcome EngineWorld::apply(const std::string& plan_yaml) {
  auto parsed = sluice::plan::parse_plan(plan_yaml, "plan.yaml");
  require(parsed.ok(),
          "plan does not parse: " + (parsed.diagnostics.empty() ? "" : parsed.diagnostics[0].to_string()));
  auto d = deps();
  return engine::apply_plan(*parsed.plan, plan_yaml, d, options_);
}

engine::DryRunOutcome EngineWorld::dry_run(const std::string& plan_yaml) {
  auto parsed = sluice::plan::parse_plan(plan_yaml, "plan.yaml");
  require(parsed.ok(), "plan does not parse");
  auto d = deps();
  return engine::dry_run_plan(*parsed.plan, d, options_);
}

engine::Outcome EngineWorld::abort() {
  auto d = deps();
  return engine::abort_rollout(ns, "web", d, options_);
}

engine::Outcome EngineWorld::promote() {
  auto d = deps();
  return engine::promote_rollout(ns, "web", false, d, options_);
}

engine::Outcome EngineWorld::rollback() {
  auto d = deps();
  return engine::rollback_rollout(ns, "web", std::nullopt, d, options_);
}

Json EngineWorld::deployment(const std::string& name) {
  auto got = kube_->get(sluice::kube::k_deployments, ns, name);
  return got ? *got : Json();
}

Json EngineWorld::service(const std::string& name) {
  auto got = kube_->get(sluice::kube::k_services, ns, name);
  return got ? *got : Json();
}

std::string EngineWorld::image_of(const std::string& name) {
  return deployment(name).value("/spec/template/spec/containers/0/image"_json_pointer, std::string());
}

std::string EngineWorld::describe() {
  std::string text;
  if (auto deps = kube_->list_all(sluice::kube::k_deployments, ns, {}))
    for (const auto& d : deps->items)
      text += "deployment " + d["metadata"]["name"].get<std::string>() + " " + d["status"].dump() + "\n";
  if (auto pods = kube_->list_all(sluice::kube::k_pods, ns, {}))
    for (const auto& p : pods->items)
      text += "pod " + p["metadata"]["name"].get<std::string>() + " " +
              p.value("/spec/containers/0/image"_json_pointer, std::string()) +
              (p["metadata"].contains("deletionTimestamp") ? " terminating" : "") + "\n";
  return text;
}

bool EngineWorld::saw_event(sluice::report::EventType type) const {
  for (const auto& e : events_.events)
    if (e.type == type) return true;
  return false;
}

}  // namespace engine_test
