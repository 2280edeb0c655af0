#include <sluice/engine/driver.hpp>
#include <sluice/engine/wait.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/state/lease_lock.hpp>
#include <sluice/state/record_store.hpp>
#include <sluice/util/exit_code.hpp>
#include <sluice/util/rfc3339.hpp>

#include <algorithm>
#include <atomic>
#include <optional>

namespace sluice::engine {

using state::RecordPhase;
using strategy::StepKind;

Driver::Driver(const plan::Plan& plan, Deps& deps, state::RecordStore& store, state::Record record,
               Target target)
    : plan_(plan),
      deps_(deps),
      store_(store),
      record_(std::move(record)),
      target_(std::move(target)),
      steps_(strategy::steps_for(plan)),
      writes_(
          *deps.kube, target_.ns, *deps.clock, [this]() -> const util::CancelToken& { return cancel(); },
          deps.hub),
      pods_(rollout_pods(target_)),
      strategy_(strategy_entry(plan::kind_of(plan.strategy)).make(*this)) {
  // A signal or a lost lock stops the steps too; the hook holds the requests
  // weakly, as the run's Interrupt outlives this driver.
  deps_.interrupt->on_fire([weak = std::weak_ptr<RunRequests>(requests_), interrupt = deps_.interrupt] {
    if (auto r = weak.lock()) r->stop().fire(interrupt->reason());
  });
  // What preflight just read: the first write to each needs no read of its own.
  if (target_.deployment.is_object()) writes_.know(kube::k_deployments, target_.deployment);
  if (target_.service.is_object()) writes_.know(kube::k_services, target_.service);
  if (!same_step_names(record_.steps, steps_)) restart_steps();
}

bool Driver::same_step_names(const std::vector<state::StepRecord>& recorded,
                             const std::vector<strategy::StepSpec>& steps) {
  if (recorded.size() != steps.size()) return false;
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (recorded[i].name != steps[i].name) return false;
  return true;
}

// A new record, or one an older sluice wrote with other steps (rolling had
// UpdateTemplate and WaitRolledOut): a resumed run goes on at the recorded
// step if it still exists, else from the first step (every step is safe to redo).
void Driver::restart_steps() {
  std::string at = record_.step_index < record_.steps.size() ? record_.steps[record_.step_index].name : "";
  record_.steps.clear();
  std::size_t index = 0;
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    record_.steps.push_back(state::StepRecord{steps_[i].name, state::StepState::pending, "", "", ""});
    if (steps_[i].name == at) index = i;
  }
  record_.step_index = std::min(record_.step_index, index);
}

std::string Driver::command(const std::string& verb) const {
  return sluice_command(deps_.reach, verb, plan_.name, target_.ns);
}

void Driver::emit(report::EventType type, std::string message, report::Json data) {
  report::Event e;
  e.type = type;
  e.rollout = plan_.name;
  if (record_.step_index < steps_.size() && type != report::EventType::rollout_started &&
      type != report::EventType::finished) {
    e.step = static_cast<int>(record_.step_index) + 1;
    e.steps = static_cast<int>(steps_.size());
    e.step_name = steps_[record_.step_index].name;
  }
  e.message = std::move(message);
  e.data = std::move(data);
  deps_.out->emit(e);
}

bool Driver::save() {
  record_.released_lease_version.clear();  // held while this run writes
  record_.released_by.clear();
  auto saved = store_.save(record_);
  if (!saved) emit(report::EventType::info, "could not write the rollout record: " + saved.error().message);
  return saved.ok();
}

void Driver::mark_step(std::size_t index, state::StepState state, const std::string& message) {
  auto& s = record_.steps[index];
  // A step already recorded as running is being redone by a resumed run: it
  // keeps its first start, so a timed pause waits only what is left of it.
  bool redone = s.state == state::StepState::running && !s.started_at.empty();
  s.state = state;
  s.message = message;
  // Microseconds: a step that starts and ends within a second still has an order.
  std::string now = util::format_rfc3339_micro(deps_.clock->wall_now());
  if (state == state::StepState::running && !redone) s.started_at = now;
  if (state == state::StepState::done || state == state::StepState::failed) s.finished_at = now;
}

StepResult Driver::execute(const strategy::StepSpec& step) {
  switch (step.kind) {
    case StepKind::run_checks:
      if (record_.full_promote) return StepResult::next();  // promote --full skips the remaining checks
      return strategy_->run_checks(step);
    case StepKind::await_promotion:
      if (take_promote()) return StepResult::next("promoted");
      return {StepStatus::paused, "waiting for " + command("promote")};
    case StepKind::finish: return StepResult::next();
    default: return strategy_->execute(step);
  }
}

bool Driver::take_promote() {
  if (record_.promote_requested) {
    record_.promote_requested = false;
    return true;
  }
  return requests_->take_promote();
}

int Driver::watch_requests() {
  auto requests = requests_;
  auto handled = std::make_shared<std::atomic<int>>(record_.request_seq);
  std::string name = state::RecordStore::object_name(plan_.name);
  int id = record_.rollout_id;
  auto on_change = [=](const kube::WatchEvent& e) {
    if (e.type == "DELETED" || e.object.value("/metadata/name"_json_pointer, std::string()) != name) return;
    auto rec = state::record_from_configmap(e.object);
    if (!rec || !*rec || (**rec).rollout_id != id || (**rec).request_seq <= handled->load()) return;
    handled->store((**rec).request_seq);
    if ((**rec).abort_requested) {
      requests->request_abort((**rec).requested_by);
    } else if ((**rec).promote_requested) {
      requests->request_promote();
    }
  };
  // The record alone, not every ConfigMap of the namespace, from our own
  // write: a request written before it made that write re-read and merge it.
  if (const auto& written = store_.last_seen())
    deps_.hub->seed_named(kube::k_configmaps, target_.ns, *written);
  return deps_.hub->subscribe(kube::k_configmaps, target_.ns, on_change, kube::WatchScope::named(name));
}

namespace {
struct Unsubscribe {
  Unsubscribe(kube::WatchHub& h, int i) : hub(h), id(i) {}
  Unsubscribe(const Unsubscribe&) = delete;
  Unsubscribe& operator=(const Unsubscribe&) = delete;
  ~Unsubscribe() { hub.unsubscribe(id); }
  kube::WatchHub& hub;
  int id;
};
}  // namespace

Outcome Driver::run() {
  std::optional<Unsubscribe> requests;  // from the first save on (watch_requests)
  for (; record_.step_index < steps_.size(); ++record_.step_index) {
    std::size_t i = record_.step_index;
    if (requests_->abort_requested() || record_.abort_requested) return finish_aborted();
    if (deps_.interrupt->fired()) return finish_interrupted();
    if (steps_[i].kind == StepKind::finish) return finish_healthy();
    // The record says which step is under way before the step writes anything.
    record_.phase = RecordPhase::progressing;
    mark_step(i, state::StepState::running, "");
    strategy_->prepare(steps_[i]);
    if (!save()) {
      if (deps_.interrupt->fired()) return finish_interrupted();
      return {k_exit_needs_human, RecordPhase::progressing, "could not write the rollout record"};
    }
    if (!requests) requests.emplace(*deps_.hub, watch_requests());
    emit(report::EventType::step_started);
    StepResult result = execute(steps_[i]);
    // A step that failed because this run was stopped did not fail on its own.
    if (result.status != StepStatus::next && (requests_->abort_requested() || record_.abort_requested))
      return finish_aborted();
    if (result.status == StepStatus::needs_human && deps_.interrupt->fired())
      result.status = StepStatus::interrupted;
    switch (result.status) {
      case StepStatus::next:
        // A promote moves the rollout past one pause, not every later one.
        record_.promote_requested = false;
        record_.pause_reason = PauseReason::none;
        strategy_->learn_template_hashes();  // recorded with the step, for `status` and later checks
        mark_step(i, state::StepState::done, result.message);
        emit(report::EventType::step_finished, result.message, {{"result", "done"}});
        continue;
      case StepStatus::paused: return finish_paused(result.message, result.pause);
      case StepStatus::interrupted: return finish_interrupted();
      case StepStatus::rollback:
        if (!plan_.rollback_automatic) {
          return finish_paused(result.message + "; automatic rollback is off: " + command("abort") +
                                   " rolls back, " + command("promote") + " continues",
                               PauseReason::failed);
        }
        mark_step(i, state::StepState::failed, result.message);
        emit(report::EventType::step_finished, result.message, {{"result", "failed"}});
        return roll_back(result.message, RecordPhase::rolled_back);
      case StepStatus::needs_human:
        mark_step(i, state::StepState::failed, result.message);
        record_.phase = RecordPhase::degraded;
        record_.message = result.message;
        save();
        return {k_exit_needs_human, RecordPhase::degraded, result.message};
    }
  }
  return finish_healthy();
}

util::Status Driver::save_final(bool append_to_history) {
  auto released = deps_.lock != nullptr ? deps_.lock->hand_off() : std::nullopt;
  record_.released_lease_version = released.value_or("");
  record_.released_by = released ? deps_.lock->identity() : "";
  auto saved = append_to_history ? store_.save_finished(record_) : store_.save(record_);
  if (saved && released) deps_.lock->handed_off();
  return saved;
}

Outcome Driver::finish_paused(const std::string& message, PauseReason reason) {
  record_.phase = RecordPhase::paused;
  record_.message = message;
  record_.pause_reason = reason;
  if (!save_final(false))
    return {k_exit_needs_human, RecordPhase::paused, "could not write the rollout record"};
  emit(report::EventType::paused, message, {{"reason", state::to_string(reason)}});
  return {reason == PauseReason::failed ? k_exit_held : k_exit_paused, RecordPhase::paused, message};
}

Outcome Driver::finish_interrupted() {
  std::string why = deps_.interrupt->reason();
  record_.message = "interrupted: " + why;
  // The step stays recorded as running: the next apply redoes it.
  save();
  return {k_exit_interrupted, record_.phase, "interrupted (" + why + ")"};
}

Outcome Driver::finish_healthy() {
  if (record_.step_index < record_.steps.size()) mark_step(record_.step_index, state::StepState::done, "");
  record_.phase = RecordPhase::healthy;
  record_.message = "rolled out " + record_.digest;
  record_.finished_at = util::format_rfc3339(deps_.clock->wall_now());
  auto saved = save_final(true);
  if (!saved)
    return {k_exit_needs_human, RecordPhase::healthy, "rolled out, but the record could not be written"};
  return {k_exit_ok, RecordPhase::healthy, record_.message};
}

Outcome Driver::finish_aborted() {
  std::string why = !record_.requested_by.empty()  ? "abort requested by " + record_.requested_by
                    : requests_->abort_requested() ? requests_->stop().reason()
                                                   : "abort requested by another process";
  if (record_.step_index < record_.steps.size()) {
    mark_step(record_.step_index, state::StepState::failed, why);
    emit(report::EventType::step_finished, why, {{"result", "failed"}});
  }
  Outcome out = roll_back(why, RecordPhase::aborted);
  // For this run the new version did not go out: stable serving again is exit 3, not success.
  if (out.exit_code == k_exit_ok) out.exit_code = k_exit_rolled_back;
  return out;
}

Outcome Driver::roll_back(const std::string& why, RecordPhase final_phase) {
  rolling_back_ = true;
  record_.phase = RecordPhase::rolling_back;
  record_.message = why;
  save();
  auto back = strategy_->roll_back();
  // A rollback cut short by a signal or a lost lock is unfinished, not failed:
  // the record stays RollingBack and the next run finishes it.
  bool cut_short = !back && (back.error().kind == util::ErrorKind::cancelled || deps_.interrupt->fired());
  if (cut_short) return finish_interrupted();
  Outcome out;
  if (back) {
    record_.phase = final_phase;
    out = {final_phase == RecordPhase::rolled_back ? k_exit_rolled_back : k_exit_ok, final_phase,
           why + "; " + *back};
    // A requested rollback is a healthy rollout to the older version: what serves now is `next`.
    if (final_phase == RecordPhase::healthy) std::swap(record_.previous, record_.next);
    emit(final_phase == RecordPhase::aborted ? report::EventType::aborted : report::EventType::rolled_back,
         why, {{"to", record_.previous.image}});
  } else {
    record_.phase = RecordPhase::degraded;
    out = {k_exit_needs_human, RecordPhase::degraded, why + "; " + back.error().message};
  }
  record_.message = out.message;
  record_.finished_at = util::format_rfc3339(deps_.clock->wall_now());
  if (!save_final(true)) return {k_exit_needs_human, out.phase, out.message + "; record not written"};
  return out;
}

}  // namespace sluice::engine
