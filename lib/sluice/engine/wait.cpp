#include <sluice/engine/objects.hpp>
#include <sluice/engine/wait.hpp>

#include <sluice/gate/runner.hpp>
#include <sluice/kube/readiness.hpp>
#include <sluice/kube/resources.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace sluice::engine {

bool fully_available(const nlohmann::json& deployment) {
  auto status = kube::deployment_rollout_status(deployment);
  auto c = ready_counts(deployment);
  return status.done && c.available >= c.desired;
}

ChangeWaiter::ChangeWaiter(Driver& d) : d_(d), wake_(std::make_shared<Wakeup>()) {
  auto& hub = *d.deps().hub;
  auto notify = [wake = wake_](const kube::WatchEvent&) { wake->notify(); };
  subscriptions_.push_back(hub.subscribe(kube::k_deployments, d.ns(), notify));
  subscriptions_.push_back(hub.subscribe(kube::k_pods, d.ns(), notify));
  // The interrupt outlives this waiter: it holds the wakeup only weakly.
  d.stop().on_fire([weak = std::weak_ptr<Wakeup>(wake_)] {
    if (auto w = weak.lock()) w->notify();
  });
  d.add_waker(wake_);
}

ChangeWaiter::~ChangeWaiter() {
  for (int id : subscriptions_) d_.deps().hub->unsubscribe(id);
}

void ChangeWaiter::sleep_until(util::TimePoint until) {
  // One line per wait at -vv: a wait loop that spins shows as a flood of them.
  auto in = std::chrono::duration_cast<util::Duration>(until - d_.deps().clock->now());
  spdlog::trace("wait: sleeping up to {} ms for a change", std::max<long long>(0, in.count()));
  wake_->sleep_until(*d_.deps().clock, until);
}

std::optional<nlohmann::json> watched_deployment(Driver& d, const std::string& name) {
  auto snap = d.deps().hub->snapshot(kube::k_deployments, d.ns(), kube::WaitTarget::object(name),
                                     d.deps().clock->now() + std::chrono::seconds(30), &d.cancel());
  if (!snap || snap->empty()) return std::nullopt;
  return snap->front();
}

std::optional<std::string> failing_pod(Driver& d, const std::string& image) {
  auto pods = d.deps().hub->snapshot(kube::k_pods, d.ns(), kube::WaitTarget::selector(""),
                                     d.deps().clock->now() + std::chrono::seconds(30), &d.cancel());
  if (!pods) return std::nullopt;
  for (const auto& pod : pods_running(*pods, image))
    if (auto signal = kube::pod_failure_signal(pod)) return signal;
  return std::nullopt;
}

namespace {

// Emits a progress event when the ready counts changed since the last one.
void report_progress(Driver& d, const VersionWait& w, const nlohmann::json& dep, std::string& last) {
  nlohmann::json versions = nlohmann::json::array();
  auto add = [&](const std::string& name, const nlohmann::json& obj) {
    auto c = ready_counts(obj);
    versions.push_back({{"name", name}, {"ready", c.available}, {"desired", c.desired}});
  };
  add(w.deployment, dep);
  for (const auto& other : w.also_report)
    if (auto o = watched_deployment(d, other)) add(other, *o);
  std::string text = versions.dump();
  if (text == last) return;
  last = text;
  d.emit(report::EventType::progress, "", {{"versions", versions}});
}

}  // namespace

VersionWait version_wait(Driver& d, std::string deployment, std::string image) {
  VersionWait w;
  w.deployment = std::move(deployment);
  w.image = std::move(image);
  w.deadline = d.deps().clock->now() + d.plan().progress_deadline;
  return w;
}

util::Status wait_back(Driver& d, const VersionWait& wait) {
  auto end = wait_for_version(d, wait);
  if (end.end == WaitEnd::ready) return {};
  return util::make_error(
      end.end == WaitEnd::interrupted ? util::ErrorKind::cancelled : util::ErrorKind::unavailable,
      end.message);
}

StepResult step_after(const VersionWaitResult& end) {
  switch (end.end) {
    case WaitEnd::ready: return StepResult::next();
    case WaitEnd::interrupted: return {StepStatus::interrupted, end.message};
    case WaitEnd::inconclusive: return StepResult::inconclusive(end.message);
    case WaitEnd::failed: break;
  }
  return StepResult::rollback(end.message);
}

namespace {

// The loop behind the version waits: wakes on watched changes, judges the
// Deployment and its pods, measures `w.checks` when due, and ends once
// `ready` holds (and the checks passed) or the deadline passes.
VersionWaitResult wait_until(Driver& d, const VersionWait& w, const std::function<bool(const Json&)>& ready) {
  ChangeWaiter waiter(d);
  std::string last_progress;
  for (;;) {
    if (d.cancel().cancelled()) return {WaitEnd::interrupted, d.stop_reason()};
    auto dep = watched_deployment(d, w.deployment);
    if (dep) report_progress(d, w, *dep, last_progress);
    if (auto signal = failing_pod(d, w.image)) return {WaitEnd::failed, *signal};
    if (dep && kube::deployment_rollout_status(*dep).failed)
      return {WaitEnd::failed, "deployment " + w.deployment + " exceeded its progress deadline"};
    gate::Verdict verdict = gate::Verdict::successful;
    if (w.checks != nullptr) verdict = w.checks->poll(&d.cancel());
    if (verdict == gate::Verdict::failed || verdict == gate::Verdict::error)
      return {WaitEnd::failed, w.checks->result().message};
    if (verdict == gate::Verdict::inconclusive) return {WaitEnd::inconclusive, w.checks->result().message};
    if (dep && ready(*dep) && verdict == gate::Verdict::successful) return {WaitEnd::ready, ""};
    if (d.deps().clock->now() >= w.deadline)
      return {WaitEnd::failed, "deployment " + w.deployment + " was not ready within the progress deadline"};
    // Checks that already have their verdict ask for no wake-up (next_due() is max then).
    auto until = w.deadline;
    if (w.checks != nullptr) until = std::min(until, w.checks->next_due());
    waiter.sleep_until(until);
  }
}

// True when every pod `deployment` selects runs `image`: the older
// versions' pods are gone, terminating ones included.
bool only_pods_of(Driver& d, const Json& deployment, const std::string& image) {
  auto labels = deployment.value("/spec/selector/matchLabels"_json_pointer, Json::object());
  auto pods =
      d.deps().hub->snapshot(kube::k_pods, d.ns(), kube::WaitTarget::selector(selector_string(labels)),
                             d.deps().clock->now() + std::chrono::seconds(30), &d.cancel());
  if (!pods) return false;
  return pods_running(*pods, image).size() == pods->size();
}

}  // namespace

VersionWaitResult wait_for_version(Driver& d, const VersionWait& w) {
  return wait_until(d, w, [&w](const Json& dep) {
    return w.min_available < 0 ? fully_available(dep) : ready_counts(dep).available >= w.min_available;
  });
}

VersionWaitResult wait_for_settled(Driver& d, const VersionWait& w) {
  return wait_until(d, w,
                    [&](const Json& dep) { return fully_available(dep) && only_pods_of(d, dep, w.image); });
}

VersionWaitResult wait_for_verdict(Driver& d, const VersionWait& w, gate::AnalysisRunner& checks) {
  ChangeWaiter waiter(d);
  for (;;) {
    if (d.cancel().cancelled()) return {WaitEnd::interrupted, d.stop_reason()};
    if (auto signal = failing_pod(d, w.image)) return {WaitEnd::failed, *signal};
    auto dep = watched_deployment(d, w.deployment);
    if (dep && kube::deployment_rollout_status(*dep).failed)
      return {WaitEnd::failed, "deployment " + w.deployment + " exceeded its progress deadline"};
    switch (checks.poll(&d.cancel())) {
      case gate::Verdict::successful: return {WaitEnd::ready, checks.result().message};
      case gate::Verdict::inconclusive: return {WaitEnd::inconclusive, checks.result().message};
      case gate::Verdict::failed:
      case gate::Verdict::error: return {WaitEnd::failed, checks.result().message};
      case gate::Verdict::running: break;
    }
    if (d.cancel().cancelled()) continue;   // the interrupt is reported at the top
    waiter.sleep_until(checks.next_due());  // finite: some check is still running
  }
}

}  // namespace sluice::engine
