// `sluice apply`: preflight, lock, then start, resume or refuse according to
// the rollout record already in the cluster (strategy/steps.hpp decide_resume).
#include <sluice/engine/commands.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/engine/run_support.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/plan/overrides.hpp>
#include <sluice/util/exit_code.hpp>
#include <sluice/util/rfc3339.hpp>

#include <utility>

namespace sluice::engine {

namespace {

using strategy::ResumeAction;

state::Record new_record(const plan::Plan& plan, const std::string& plan_text, const Target& target,
                         Deps& deps, int last_id) {
  state::Record r;
  r.name = plan.name;
  r.ns = target.ns;
  r.strategy = plan::kind_of(plan.strategy);
  r.rollout_id = last_id + 1;
  r.plan_hash = plan.source_hash;
  r.plan_path = plan.source_path;
  r.plan_text = state::recordable_plan_text(plan_text);  // inline secrets never reach the cluster
  r.image = plan.image;
  r.overrides = plan.overrides;
  r.digest = target.digest_ref;
  r.phase = state::RecordPhase::progressing;
  r.started_by = deps.starter;
  r.started_at = util::format_rfc3339(deps.clock->wall_now());
  return r;
}

// What served before this rollout: recorded once a step saw it, else what serves now.
std::string previous_image(const state::Record& r, const Target& t) {
  if (!r.previous.image.empty() || !t.live.is_object()) return r.previous.image;
  return container_image(t.live, t.container);
}

void emit_started(Deps& deps, const state::Record& r, const Target& t, bool resumed) {
  report::Event e{report::EventType::rollout_started, r.name, 0, 0, "", "", {}};
  e.data = {{"strategy", plan::to_string(r.strategy)},
            {"image", r.image},
            {"digest", r.digest},
            {"previousImage", previous_image(r, t)},
            {"floor", t.floor},
            {"resumed", resumed},
            {"rolloutId", r.rollout_id}};
  deps.out->emit(e);
}

bool failed_with(const state::Record& r, const std::string& digest) {
  using state::RecordPhase;
  return r.digest == digest && (r.phase == RecordPhase::rolled_back || r.phase == RecordPhase::degraded);
}

Outcome roll_back_recorded(state::Record record, state::RecordStore& store, Deps& deps,
                           state::RecordPhase final_phase, const std::string& why) {
  auto old_plan = recorded_plan(record);
  if (!old_plan) return {k_exit_needs_human, {}, old_plan.error().message};
  auto pf = preflight_recorded(*old_plan, record, deps);
  if (!pf.ok) return {k_exit_preflight, {}, pf.problems.front()};
  Driver d(*old_plan, deps, store, std::move(record), pf.target);
  return d.roll_back(why, final_phase);
}

// Why a different plan's rollout blocks this one, naming the recorded image
// and overrides so that a re-run with other (or no) --image/--set flags says
// what would resume it.
std::string refusal(const state::Record& r, const plan::Plan& plan, const std::string& abort) {
  std::string flags;
  for (const auto& [field, value] : r.overrides) flags += " " + plan::override_flag(field) + "=" + value;
  std::string resume = "to resume it, apply the same plan file " +
                       (flags.empty() ? std::string("without --image or --set") : "with" + flags);
  if (r.image == plan.image) {
    return "an unfinished rollout of a different plan is recorded; run " + abort +
           " or apply with --abort-previous (" + resume + ")";
  }
  return "an unfinished rollout of " + r.image + " (" + r.digest +
         ") is recorded and this run would deploy " + plan.image + ": " + resume + ", or run " + abort +
         " or apply with --abort-previous to replace it";
}

Outcome start_or_resume(const plan::Plan& plan, const std::string& plan_text, Deps& deps,
                        const RunOptions& options, const Target& target, state::RecordStore& store) {
  auto loaded = store.load();
  if (!loaded) return {k_exit_preflight, {}, loaded.error().message};
  std::optional<strategy::PreviousRun> previous;
  if (*loaded)
    previous = strategy::PreviousRun{(*loaded)->phase, (*loaded)->plan_hash, (*loaded)->step_index};
  auto decision = strategy::decide_resume(previous, plan.source_hash, options.abort_previous);
  switch (decision.action) {
    case ResumeAction::refuse:
      return {k_exit_usage,
              {},
              refusal(**loaded, plan, sluice_command(deps.reach, "abort", plan.name, target.ns))};
    case ResumeAction::continue_rollback:
      return roll_back_recorded(**loaded, store, deps, state::RecordPhase::rolled_back, (*loaded)->message);
    case ResumeAction::abort_previous: {
      // Not this run's last record write: the lock must not go with it (the rollout follows).
      state::LeaseLock* lock = std::exchange(deps.lock, nullptr);
      auto aborted = roll_back_recorded(**loaded, store, deps, state::RecordPhase::aborted,
                                        "aborted by --abort-previous");
      deps.lock = lock;
      if (aborted.exit_code != k_exit_ok) return aborted;
      if (auto again = store.load(); again && *again) loaded = again;
      break;
    }
    case ResumeAction::resume: {
      Target t = target;
      t.digest_ref = (*loaded)->digest;  // the digest the first run resolved, even if the tag moved since
      emit_started(deps, **loaded, t, true);
      Driver d(plan, deps, store, **loaded, t);
      return d.run();
    }
    case ResumeAction::start_new: break;
  }
  bool serving = already_serving(target);
  // The version this record failed with still serving means its rollback did
  // not finish: finish it rather than call a failed version healthy.
  if (serving && *loaded && failed_with((**loaded), target.digest_ref)) {
    return roll_back_recorded(**loaded, store, deps, state::RecordPhase::rolled_back,
                              "the last rollout of " + target.digest_ref + " failed and it still serves");
  }
  if (serving) {
    return {k_exit_ok, state::RecordPhase::healthy,
            plan.target.deployment + " already runs " + target.digest_ref};
  }
  int last_id = *loaded ? (*loaded)->rollout_id : 0;
  if (*loaded)
    if (auto superseded = strategy_entry((*loaded)->strategy).superseded) superseded(**loaded, deps);
  state::Record record = new_record(plan, plan_text, target, deps, last_id);
  emit_started(deps, record, target, false);
  Driver d(plan, deps, store, std::move(record), target);
  return d.run();
}

}  // namespace

std::string target_namespace(const plan::Plan& plan, const RunOptions& options) {
  // -n, else the plan's namespace, else the kubeconfig context's, as kubectl does.
  return !options.ns_override.empty()  ? options.ns_override
         : !plan.target.ns.empty()     ? plan.target.ns
         : !options.default_ns.empty() ? options.default_ns
                                       : "default";
}

bool already_serving(const Target& target) {
  return target.live.is_object() && container_image(target.live, target.container) == target.digest_ref;
}

Outcome apply_plan(const plan::Plan& plan, const std::string& plan_text, Deps& deps,
                   const RunOptions& options) {
  std::string ns = target_namespace(plan, options);
  auto pf = preflight(plan, deps, ns);
  if (!pf.ok) {
    for (const auto& problem : pf.problems) {
      deps.out->emit(
          report::Event{report::EventType::info, plan.name, 0, 0, "", "preflight: " + problem, {}});
    }
    return {k_exit_preflight, {}, pf.problems.front()};
  }
  state::RecordStore store(*deps.kube, *deps.clock, ns, plan.name);
  return with_lock(deps, ns, plan.name, options, store,
                   [&] { return start_or_resume(plan, plan_text, deps, options, pf.target, store); });
}

void emit_finished(report::Reporter& out, const std::string& rollout, const Outcome& outcome) {
  report::Event e{report::EventType::finished, rollout, 0, 0, "", outcome.message, {}};
  e.data = {{"outcome", outcome.phase ? state::to_string(*outcome.phase) : "Unchanged"},
            {"exitCode", outcome.exit_code},
            {"meaning", exit_code_meaning(outcome.exit_code)}};
  out.emit(e);
}

}  // namespace sluice::engine
