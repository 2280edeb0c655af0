#include <sluice/engine/driver.hpp>

#include <sluice/cli/app.hpp>
#include <sluice/util/rfc3339.hpp>

namespace sluice::engine {

using strategy::RecordPhase;
using strategy::StepKind;

Driver::Driver(const plan::Plan& plan, Deps& deps, state::RecordStore& store, state::Record record,
               Target target)
    : plan_(plan),
      deps_(deps),
      store_(store),
      record_(std::move(record)),
      target_(std::move(target)),
      steps_(strategy::steps_for(plan)) {
  if (record_.steps.size() != steps_.size()) {
    record_.steps.clear();
    for (const auto& s : steps_)
      record_.steps.push_back(state::StepRecord{s.name, state::StepState::pending, "", "", ""});
  }
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
    case StepKind::update_template: return rolling_update_template(*this);
    case StepKind::wait_rolled_out: return rolling_wait_rolled_out(*this, step.checks);
    case StepKind::create_preview: return bluegreen_create_preview(*this);
    case StepKind::point_preview_service: return bluegreen_point_preview_service(*this);
    case StepKind::wait_preview_ready: return bluegreen_wait_preview_ready(*this);
    case StepKind::run_checks: return run_checks_step(step);
    case StepKind::await_promotion:
      if (record_.promote_requested) return {StepStatus::next, "promoted"};
      return {StepStatus::paused, "waiting for `sluice promote " + plan_.name + "`"};
    case StepKind::switch_service: return bluegreen_switch_service(*this);
    case StepKind::scale_down_old: return bluegreen_scale_down_old(*this);
    case StepKind::create_canary: return canary_create(*this);
    case StepKind::set_weight:
    case StepKind::set_canary_scale: return canary_move_traffic(*this, step);
    case StepKind::timed_pause: return canary_pause(*this, step);
    case StepKind::promote_canary: return canary_promote(*this);
    case StepKind::finish: return StepResult::next();
  }
  return {StepStatus::needs_human, "unknown step"};
}

StepResult Driver::run_checks_step(const strategy::StepSpec& step) {
  if (record_.full_promote) return StepResult::next();  // promote --full skips the remaining checks
  if (record_.strategy == "canary") return canary_analysis(*this, step);
  return run_named_checks(*this, step.checks, step.name);
}

Outcome Driver::run() {
  for (; record_.step_index < steps_.size(); ++record_.step_index) {
    std::size_t i = record_.step_index;
    if (deps_.interrupt->fired()) return finish_interrupted();
    if (steps_[i].kind == StepKind::finish) return finish_healthy();
    // The record says which step is under way before the step writes anything.
    record_.phase = RecordPhase::progressing;
    mark_step(i, state::StepState::running, "");
    if (!save()) return {cli::k_exit_needs_human, "Progressing", "could not write the rollout record"};
    emit(report::EventType::step_started);
    StepResult result = execute(steps_[i]);
    switch (result.status) {
      case StepStatus::next:
        // A promote moves the rollout past one pause, not every later one.
        record_.promote_requested = false;
        learn_template_hashes(*this);  // recorded with the step, for `status` and later checks
        mark_step(i, state::StepState::done, result.message);
        emit(report::EventType::step_finished, result.message, {{"result", "done"}});
        continue;
      case StepStatus::paused: return finish_paused(result.message);
      case StepStatus::interrupted: return finish_interrupted();
      case StepStatus::rollback:
        if (!plan_.rollback_automatic)
          return finish_paused(result.message + "; automatic rollback is off: `sluice abort " + plan_.name +
                               "` rolls back, `sluice promote " + plan_.name + "` continues");
        mark_step(i, state::StepState::failed, result.message);
        emit(report::EventType::step_finished, result.message, {{"result", "failed"}});
        return roll_back(result.message, RecordPhase::rolled_back);
      case StepStatus::needs_human:
        mark_step(i, state::StepState::failed, result.message);
        record_.phase = RecordPhase::degraded;
        record_.message = result.message;
        save();
        return {cli::k_exit_needs_human, "Degraded", result.message};
    }
  }
  return finish_healthy();
}

Outcome Driver::finish_paused(const std::string& message) {
  record_.phase = RecordPhase::paused;
  record_.message = message;
  if (!save()) return {cli::k_exit_needs_human, "Paused", "could not write the rollout record"};
  emit(report::EventType::paused, message);
  return {cli::k_exit_paused, "Paused", message};
}

Outcome Driver::finish_interrupted() {
  std::string why = deps_.interrupt->reason();
  record_.message = "interrupted: " + why;
  // The step stays recorded as running: the next apply redoes it.
  save();
  return {cli::k_exit_interrupted, strategy::to_string(record_.phase), "interrupted (" + why + ")"};
}

Outcome Driver::finish_healthy() {
  if (record_.step_index < record_.steps.size()) mark_step(record_.step_index, state::StepState::done, "");
  record_.phase = RecordPhase::healthy;
  record_.message = "rolled out " + record_.digest;
  record_.finished_at = util::format_rfc3339(deps_.clock->wall_now());
  auto saved = store_.save_finished(record_);
  if (!saved) return {cli::k_exit_needs_human, "Healthy", "rolled out, but the record could not be written"};
  return {cli::k_exit_ok, "Healthy", record_.message};
}

Outcome Driver::roll_back(const std::string& why, RecordPhase final_phase) {
  record_.phase = RecordPhase::rolling_back;
  record_.message = why;
  save();
  Outcome out = record_.strategy == "blueGreen" ? bluegreen_roll_back(*this, why)
                : record_.strategy == "canary"  ? canary_roll_back(*this, why)
                                                : rolling_roll_back(*this, why);
  if (out.exit_code == cli::k_exit_interrupted) return finish_interrupted();
  if (out.exit_code != cli::k_exit_needs_human) {
    record_.phase = final_phase;
    out.phase = strategy::to_string(final_phase);
    out.exit_code = final_phase == RecordPhase::rolled_back ? cli::k_exit_rolled_back : cli::k_exit_ok;
    // A requested rollback is a healthy rollout to the older version: what serves now is `next`.
    if (final_phase == RecordPhase::healthy) std::swap(record_.previous, record_.next);
    emit(final_phase == RecordPhase::aborted ? report::EventType::aborted : report::EventType::rolled_back,
         why, {{"to", record_.previous.image}});
  } else {
    record_.phase = RecordPhase::degraded;
  }
  record_.message = out.message;
  record_.finished_at = util::format_rfc3339(deps_.clock->wall_now());
  if (!store_.save_finished(record_))
    return {cli::k_exit_needs_human, out.phase, out.message + "; record not written"};
  return out;
}

}  // namespace sluice::engine
