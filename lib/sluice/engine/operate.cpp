// promote, abort and rollback: each takes the lock, reads the record and the
// plan stored in it, and drives the rollout on (or back) from this process.
#include <sluice/engine/commands.hpp>
#include <sluice/engine/run_support.hpp>
#include <sluice/engine/strategy_driver.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/state/record_store.hpp>
#include <sluice/util/exit_code.hpp>
#include <sluice/util/rfc3339.hpp>

namespace sluice::engine {

namespace {

using state::RecordPhase;

struct Loaded {
  state::Record record;
  plan::Plan plan;
  Target target;
};

// Reads the record and its plan, and re-checks the cluster objects.
util::Result<Loaded> load(state::RecordStore& store, Deps& deps, const std::string& name) {
  auto rec = store.load();
  if (!rec) return rec.error();
  if (!*rec)
    return util::make_error(util::ErrorKind::not_found, "no rollout named " + name + " is recorded here");
  auto p = recorded_plan(**rec);
  if (!p) return p.error();
  auto pf = preflight_recorded(*p, **rec, deps);
  if (!pf.ok) return util::make_error(util::ErrorKind::unavailable, pf.problems.front());
  return Loaded{std::move(**rec), std::move(*p), std::move(pf.target)};
}

Outcome load_failed(const util::Error& e) {
  return {e.kind == util::ErrorKind::not_found ? k_exit_usage : k_exit_preflight, {}, e.message};
}

Outcome promote_locked(const std::string& name, bool full, Deps& deps, state::RecordStore& store) {
  auto l = load(store, deps, name);
  if (!l) return load_failed(l.error());
  auto& rec = l->record;
  if (state::is_terminal(rec.phase) || rec.phase == RecordPhase::rolling_back) {
    return {k_exit_usage, rec.phase,
            "rollout " + name + " is " + state::to_string(rec.phase) + ": nothing to promote"};
  }
  // Left Progressing by a run that stopped: this process continues it, past its next pause.
  if (rec.phase != RecordPhase::paused) {
    rec.full_promote = full;
    rec.promote_requested = true;
    deps.out->emit(report::Event{report::EventType::promoted, name, 0, 0, "", "", {{"full", full}}});
    Driver d(l->plan, deps, store, std::move(rec), l->target);
    return d.run();
  }
  rec.full_promote = full;
  auto steps = strategy::steps_for(l->plan);
  // An inconclusive check paused it: promoting accepts that step as passed.
  // Anywhere else the paused step runs again, told that a human said go on.
  if (rec.step_index < steps.size() && steps[rec.step_index].kind == strategy::StepKind::run_checks) {
    rec.steps[rec.step_index].state = state::StepState::skipped;
    rec.steps[rec.step_index].message = "promoted past an inconclusive result";
    ++rec.step_index;
  } else {
    rec.promote_requested = true;
  }
  deps.out->emit(report::Event{report::EventType::promoted, name, 0, 0, "", "", {{"full", full}}});
  Driver d(l->plan, deps, store, std::move(rec), l->target);
  return d.run();
}

// What `abort` ends with when the rollout was already over, by itself or by
// the running process acting on our request: 0 only when stable serves.
Outcome already_over(const Reach& reach, const std::string& ns, const std::string& name, RecordPhase phase) {
  std::string text = "rollout " + name + " is " + state::to_string(phase);
  switch (phase) {
    case RecordPhase::aborted:
    case RecordPhase::rolled_back: return {k_exit_ok, phase, text + ": stable serves"};
    case RecordPhase::degraded: return {k_exit_needs_human, phase, text + ": its rollback did not finish"};
    default:
      return {k_exit_usage, phase,
              "nothing to abort: " + text + "; " + sluice_command(reach, "rollback", name, ns) +
                  " returns to the previous version"};
  }
}

Outcome abort_locked(const std::string& ns, const std::string& name, Deps& deps, state::RecordStore& store) {
  auto l = load(store, deps, name);
  if (!l) return load_failed(l.error());
  if (state::is_terminal(l->record.phase)) return already_over(deps.reach, ns, name, l->record.phase);
  Driver d(l->plan, deps, store, std::move(l->record), l->target);
  return d.roll_back("aborted by " + deps.starter.identity(), RecordPhase::aborted);
}

// Waits (by watch) until the record says the rollout is over: how a request
// to a running process learns what came of it. Bounded: a rollback that takes
// longer than this is itself something a human must look at.
util::Result<RecordPhase> wait_until_over(Deps& deps, const std::string& ns, const std::string& name) {
  constexpr auto k_request_wait = std::chrono::minutes(15);
  std::optional<RecordPhase> phase;
  auto over = [&phase](const nlohmann::json& cm) {
    auto r = state::record_from_configmap(cm);
    if (!r || !*r || !state::is_terminal((**r).phase)) return false;
    phase = (**r).phase;
    return true;
  };
  auto done = deps.hub->wait_until(kube::k_configmaps, ns, state::RecordStore::object_name(name), over,
                                   deps.clock->now() + k_request_wait, &deps.interrupt->token());
  if (!done) return done.error();
  return *phase;
}

// The version to return to: the one before the last rollout, or history entry N's.
util::Result<state::Version> rollback_target(state::RecordStore& store, const state::Record& rec,
                                             std::optional<int> to_revision) {
  if (!to_revision) return rec.previous;
  auto history = store.history();
  if (!history) return history.error();
  for (const auto& e : *history)
    if (e.rollout_id == *to_revision && e.phase == RecordPhase::healthy) return e.version;
  return util::make_error(util::ErrorKind::not_found,
                          "no healthy rollout " + std::to_string(*to_revision) + " in the history");
}

Outcome rollback_locked(const std::string& ns, const std::string& name, std::optional<int> to_revision,
                        Deps& deps, state::RecordStore& store) {
  auto l = load(store, deps, name);
  if (!l) return load_failed(l.error());
  if (!state::is_terminal(l->record.phase)) {
    return {k_exit_usage, l->record.phase,
            "rollout " + name + " is still " + state::to_string(l->record.phase) + "; use " +
                sluice_command(deps.reach, "abort", name, ns)};
  }
  auto to = rollback_target(store, l->record, to_revision);
  if (!to) return {k_exit_usage, {}, to.error().message};
  // A rollback is recorded as a rollout of its own, from what serves now back to `to`.
  state::Record r = l->record;
  r.rollout_id += 1;
  r.previous = *to;
  r.digest = to->image;
  r.image = to->image;
  r.steps.clear();
  r.step_index = 0;
  r.started_by = deps.starter;
  r.started_at = util::format_rfc3339(deps.clock->wall_now());
  r.finished_at.clear();
  r.measurements.clear();
  Driver d(l->plan, deps, store, std::move(r), l->target);
  return d.roll_back("rolled back to " + to->image + " as requested by " + deps.starter.identity(),
                     RecordPhase::healthy);
}

}  // namespace

Outcome promote_rollout(const std::string& ns, const std::string& name, bool full, Deps& deps,
                        const RunOptions& options) {
  // A rollout in progress may be run by a live process: ask it through the record
  // (it goes on past its pause at once); if no one runs it, this process does.
  state::RecordStore store(*deps.kube, *deps.clock, ns, name);
  auto rec = store.load();
  bool running = rec && *rec && !state::is_terminal((**rec).phase) && (**rec).phase != RecordPhase::paused &&
                 (**rec).phase != RecordPhase::rolling_back;
  bool asked = false;
  if (running) {
    auto a = store.request(state::RecordStore::Request::promote, deps.starter.identity());
    asked = a && *a;
  }
  Outcome out =
      with_lock(deps, ns, name, options, store, [&] { return promote_locked(name, full, deps, store); });
  // Asked, the running process went on at once: it still holds the lock, or it
  // already finished and let it go, leaving this process nothing to promote.
  if (asked && (out.exit_code == k_exit_locked || out.exit_code == k_exit_usage)) {
    return {k_exit_ok, out.phase.value_or(RecordPhase::progressing),
            "asked the process running rollout " + name + " to go on past its pause"};
  }
  return out;
}

namespace {

// Records the abort request for the process running the rollout; true when asked.
bool ask_to_abort(state::RecordStore& store, Deps& deps, const std::string& name) {
  auto asked = store.request(state::RecordStore::Request::abort, deps.starter.identity());
  if (!asked || !*asked) return false;
  deps.out->emit(report::Event{report::EventType::info,
                               name,
                               0,
                               0,
                               "",
                               "abort requested in the rollout record; a running apply acts on it",
                               {}});
  return true;
}

// A paused rollout has no process running it: where the strategy can move
// traffic back at once, that is this command's first write, before the lock
// (docs/commands.md, abort). Best effort: the locked rollback does it anyway.
void switch_back_before_lock(const state::Record& rec, Deps& deps) {
  auto first = strategy_entry(rec.strategy).abort_first;
  if (first == nullptr) return;
  auto switched = first(rec, deps);
  std::string text = !switched ? "could not switch traffic back before the lock (" +
                                     switched.error().message + "); the rollback under the lock does"
                     : *switched
                         ? "switched traffic back to " + rec.previous.deployment + " before taking the lock"
                         : "";
  if (text.empty()) return;
  deps.out->emit(report::Event{report::EventType::info, rec.name, 0, 0, "", text, {}});
}

}  // namespace

Outcome abort_rollout(const std::string& ns, const std::string& name, Deps& deps, const RunOptions& options) {
  // A live process running the rollout is asked first, through the record, so
  // it aborts at once and lets the lock go. A paused rollout has no process:
  // this one takes the lock and rolls back, with no request to write first.
  state::RecordStore store(*deps.kube, *deps.clock, ns, name);
  auto rec = store.load();
  bool paused = rec && *rec && (**rec).phase == RecordPhase::paused;
  if (paused) switch_back_before_lock(**rec, deps);
  bool asked = !paused && ask_to_abort(store, deps, name);
  Outcome out =
      with_lock(deps, ns, name, options, store, [&] { return abort_locked(ns, name, deps, store); });
  if (out.exit_code != k_exit_locked) return out;
  // Locked though paused: a promote has just taken it up; ask that process.
  if (paused) asked = ask_to_abort(store, deps, name);
  if (!asked) return out;
  // Still held after a lease: the running process is rolling back; wait for what came of it.
  auto phase = wait_until_over(deps, ns, name);
  if (!phase) {
    return {phase.error().kind == util::ErrorKind::cancelled ? k_exit_interrupted : k_exit_needs_human,
            {},
            "waiting for the running process to abort: " + phase.error().message};
  }
  return already_over(deps.reach, ns, name, *phase);
}

Outcome rollback_rollout(const std::string& ns, const std::string& name, std::optional<int> to_revision,
                         Deps& deps, const RunOptions& options) {
  state::RecordStore store(*deps.kube, *deps.clock, ns, name);
  return with_lock(deps, ns, name, options, store,
                   [&] { return rollback_locked(ns, name, to_revision, deps, store); });
}

}  // namespace sluice::engine
