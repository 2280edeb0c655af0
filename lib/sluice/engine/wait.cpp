#include <sluice/engine/objects.hpp>
#include <sluice/engine/wait.hpp>
#include <sluice/engine/writes.hpp>

#include <sluice/gate/runner.hpp>
#include <sluice/kube/readiness.hpp>
#include <sluice/kube/resources.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace sluice::engine {

bool fully_available(const nlohmann::json& deployment) {
  auto status = kube::deployment_rollout_status(deployment);
  auto c = ready_counts(deployment);
  return status.done && c.available >= c.desired;
}

kube::WatchScope rollout_pods(const Target& target) {
  auto labels = target.deployment.value("/spec/selector/matchLabels"_json_pointer, Json::object());
  // Parsed keeping what the waits read: at 500 replicas a rollout brings
  // thousands of pod events, most of each (managedFields, spec) never read.
  return kube::WatchScope::labelled(selector_string(base_selector(labels)))
      .keeping(kube::rollout_pod_fields());
}

namespace {
bool runs_image(const Json& pod, const std::string& image);
}  // namespace

ChangeWaiter::ChangeWaiter(Driver& d, const std::vector<std::string>& deployments, std::string image)
    : d_(d),
      wake_(std::make_shared<Wakeup>()),
      pods_(std::make_shared<PodSignals>()),
      image_(std::move(image)) {
  d.writes().forget(kube::k_deployments);  // their status moves on while we wait
  auto& hub = *d.deps().hub;
  auto notify = [wake = wake_](const kube::WatchEvent&) { wake->notify(); };
  // Each Deployment by name, as `kubectl rollout status` watches its one.
  for (const auto& name : deployments) {
    subscriptions_.push_back(
        hub.subscribe(kube::k_deployments, d.ns(), notify, kube::WatchScope::named(name)));
  }
  subscriptions_.push_back(hub.subscribe(kube::k_pods, d.ns(), on_pod_event(), d.pods()));
  // The interrupt outlives this waiter: it holds the wakeup only weakly.
  d.stop().on_fire([weak = std::weak_ptr<Wakeup>(wake_)] {
    if (auto w = weak.lock()) w->notify();
  });
  d.add_waker(wake_);
}

// Judged here, on the watch thread, as each pod event arrives: the driver
// wakes only when its answer may change (a failure signal, a pod gone, the
// stream failing), not for each of the thousands of events of a large
// rollout, each of which cost a copy of the pod and a pass of the wait loop.
std::function<void(const kube::WatchEvent&)> ChangeWaiter::on_pod_event() const {
  return [wake = wake_, pods = pods_, image = image_](const kube::WatchEvent& e) {
    if (!image.empty() && (e.type == "ADDED" || e.type == "MODIFIED")) {
      if (!runs_image(e.object, image)) return;
      auto signal = kube::pod_failure_signal(e.object);
      if (!signal) return;
      std::lock_guard lock(pods->mutex);
      if (!pods->signal) pods->signal = std::move(signal);
    } else if (e.type == "ERROR") {
      std::lock_guard lock(pods->mutex);
      pods->error = true;
    }
    wake->notify();
  };
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

std::optional<std::string> ChangeWaiter::failing_pod() {
  std::optional<std::string> signal;
  bool error = false;
  {
    std::lock_guard lock(pods_->mutex);
    signal = std::exchange(pods_->signal, std::nullopt);
    error = std::exchange(pods_->error, false);
  }
  // The pods cached before this waiter subscribed were never judged.
  if (!judged_all_ || error) {
    judged_all_ = true;
    if (auto found = engine::failing_pod(d_, image_)) return found;
  }
  return signal;
}

namespace {

// How long a first use of a watch may take to list before a read gives up.
util::TimePoint sync_deadline(Driver& d) {
  return d.deps().clock->now() + std::chrono::seconds(30);
}

// A watch the server stopped for good (forbidden, not found) will never
// deliver the change a wait is for: that ends the wait at once, with the
// server's words. A timeout or a cancel is the wait's own business.
bool watch_refused(const util::Error& error) {
  return error.kind != util::ErrorKind::cancelled && error.kind != util::ErrorKind::timeout;
}

bool runs_image(const Json& pod, const std::string& image) {
  auto containers = pod.find("spec");
  if (containers == pod.end() || !containers->is_object()) return false;
  auto list = containers->find("containers");
  if (list == containers->end() || !list->is_array()) return false;
  return std::any_of(list->begin(), list->end(), [&image](const Json& c) {
    auto it = c.find("image");
    return it != c.end() && it->is_string() && it->get_ref<const std::string&>() == image;
  });
}

// Deployment `name` as the shared watch sees it now (nullopt: absent), or the watch's error.
util::Result<std::optional<Json>> deployment_now(Driver& d, const std::string& name) {
  std::optional<Json> found;
  auto visited = d.deps().hub->visit(
      kube::k_deployments, d.ns(), kube::WaitTarget::object(name),
      [&found](const Json& dep) {
        found = dep;
        return false;
      },
      sync_deadline(d), &d.cancel());
  if (!visited) return visited.error();
  return found;
}

}  // namespace

std::optional<nlohmann::json> watched_deployment(Driver& d, const std::string& name) {
  auto dep = deployment_now(d, name);
  if (!dep) return std::nullopt;
  return std::move(*dep);
}

// Visits the cached pods in place: a copy of every pod per change is what
// made a rollout's CPU grow with its replicas.
std::optional<std::string> failing_pod(Driver& d, const std::string& image) {
  std::optional<std::string> signal;
  auto visited = d.deps().hub->visit(
      kube::k_pods, d.ns(), kube::WaitTarget::selector("").within(d.pods()),
      [&](const Json& pod) {
        if (runs_image(pod, image)) signal = kube::pod_failure_signal(pod);
        return !signal;
      },
      sync_deadline(d), &d.cancel());
  if (!visited && watch_refused(visited.error())) return visited.error().message;
  return signal;
}

std::optional<std::string> template_hash_of_pods(Driver& d, const nlohmann::json& deployment,
                                                 const std::string& image) {
  auto labels = deployment.value("/spec/selector/matchLabels"_json_pointer, Json::object());
  std::optional<std::string> hash;
  bool several = false;
  auto visited = d.deps().hub->visit(
      kube::k_pods, d.ns(), kube::WaitTarget::selector(selector_string(labels)).within(d.pods()),
      [&](const Json& pod) {
        if (!runs_image(pod, image) || pod["metadata"].contains("deletionTimestamp")) return true;
        std::string h = pod.value("/metadata/labels/pod-template-hash"_json_pointer, std::string());
        if (h.empty()) return true;
        several = hash && *hash != h;
        hash = h;
        return !several;
      },
      sync_deadline(d), &d.cancel());
  if (!visited || several) return std::nullopt;
  return hash;
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
  std::vector<std::string> deployments = w.also_report;
  deployments.push_back(w.deployment);
  ChangeWaiter waiter(d, deployments, w.image);
  std::string last_progress;
  for (;;) {
    if (d.cancel().cancelled()) return {WaitEnd::interrupted, d.stop_reason()};
    auto now = deployment_now(d, w.deployment);
    if (!now && watch_refused(now.error())) return {WaitEnd::failed, now.error().message};
    std::optional<Json> dep = now ? std::move(*now) : std::nullopt;
    if (dep) report_progress(d, w, *dep, last_progress);
    if (auto signal = waiter.failing_pod()) return {WaitEnd::failed, *signal};
    // Judged only once the watch shows this run's last write: before the
    // rollback's template lands, the failed rollout's deadline condition is still there.
    bool current = dep && d.writes().caught_up(*dep);
    if (current && kube::deployment_rollout_status(*dep).failed)
      return {WaitEnd::failed, "deployment " + w.deployment + " exceeded its progress deadline"};
    gate::Verdict verdict = gate::Verdict::successful;
    if (w.checks != nullptr) verdict = w.checks->poll(&d.cancel());
    if (verdict == gate::Verdict::failed || verdict == gate::Verdict::error)
      return {WaitEnd::failed, w.checks->result().message};
    if (verdict == gate::Verdict::inconclusive) return {WaitEnd::inconclusive, w.checks->result().message};
    if (current && ready(*dep) && verdict == gate::Verdict::successful) return {WaitEnd::ready, ""};
    if (d.deps().clock->now() >= w.deadline)
      return {WaitEnd::failed, "deployment " + w.deployment + " was not ready within the progress deadline"};
    // Checks that already have their verdict ask for no wake-up (next_due() is max then).
    auto until = w.deadline;
    if (w.checks != nullptr) until = std::min(until, w.checks->next_due());
    waiter.sleep_until(until);
  }
}

// True when every pod `deployment` selects runs `image`: the older
// versions' pods are gone, terminating ones included. `witness` is the last
// older pod found: looked up first, by name, so the wait through the old
// pods' terminations does not pass over every pod on each deletion.
bool only_pods_of(Driver& d, const Json& deployment, const std::string& image, std::string& witness) {
  bool only = true;
  auto judge = [&](const Json& pod) {
    only = runs_image(pod, image);
    if (!only) witness = pod.value("/metadata/name"_json_pointer, std::string());
    return only;
  };
  if (!witness.empty()) {
    auto seen = d.deps().hub->visit(kube::k_pods, d.ns(), kube::WaitTarget::object(witness).within(d.pods()),
                                    judge, sync_deadline(d), &d.cancel());
    if (!seen) return false;
    if (!only) return false;
  }
  auto labels = deployment.value("/spec/selector/matchLabels"_json_pointer, Json::object());
  auto visited = d.deps().hub->visit(kube::k_pods, d.ns(),
                                     kube::WaitTarget::selector(selector_string(labels)).within(d.pods()),
                                     judge, sync_deadline(d), &d.cancel());
  return visited && only;
}

}  // namespace

VersionWaitResult wait_for_version(Driver& d, const VersionWait& w) {
  return wait_until(d, w, [&w](const Json& dep) {
    return w.min_available < 0 ? fully_available(dep) : ready_counts(dep).available >= w.min_available;
  });
}

VersionWaitResult wait_for_settled(Driver& d, const VersionWait& w) {
  std::string witness;
  return wait_until(
      d, w, [&](const Json& dep) { return fully_available(dep) && only_pods_of(d, dep, w.image, witness); });
}

VersionWaitResult wait_for_verdict(Driver& d, const VersionWait& w, gate::AnalysisRunner& checks) {
  ChangeWaiter waiter(d, {w.deployment});
  for (;;) {
    if (d.cancel().cancelled()) return {WaitEnd::interrupted, d.stop_reason()};
    if (auto signal = failing_pod(d, w.image)) return {WaitEnd::failed, *signal};
    auto dep = deployment_now(d, w.deployment);
    if (!dep && watch_refused(dep.error())) return {WaitEnd::failed, dep.error().message};
    if (dep && *dep && kube::deployment_rollout_status(**dep).failed)
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
