#include <sluice/release/apply.hpp>

#include <sluice/engine/commands.hpp>
#include <sluice/engine/run_support.hpp>
#include <sluice/release/checks.hpp>
#include <sluice/release/keeper.hpp>
#include <sluice/release/prepare.hpp>
#include <sluice/release/waves.hpp>
#include <sluice/util/exit_code.hpp>
#include <sluice/util/rfc3339.hpp>

#include <utility>

namespace sluice::release {

namespace {

using engine::Outcome;

void say(const SharedDeps& shared, const plan::Release& release, const std::string& message) {
  shared.out->emit(report::Event{report::EventType::info, release.name, 0, 0, "", message, {}});
}

ReleaseRecord fresh_record(const plan::Release& release, const Prepared& prepared, const std::string& digest,
                           const SharedDeps& shared) {
  ReleaseRecord r;
  r.name = release.name;
  r.source_hash = release.source_hash;
  r.image = release.image;
  r.digest = digest;
  r.on_failure = plan::to_string(release.on_failure);
  r.started_at = util::format_rfc3339(shared.clock->wall_now());
  for (const auto& slot : prepared.slots) {
    const auto& t = *slot.target;
    r.targets.push_back({release.waves[slot.wave].name, t.context, t.ns, t.plan.target.deployment,
                         t.plan.name, plan::to_string(plan::kind_of(t.plan.strategy)), TargetOutcome::pending,
                         0, ""});
  }
  return r;
}

// The record this run continues: the recorded one when it is an unfinished
// apply of this very file (targets done stay done), else a fresh one.
ReleaseRecord record_for_run(const std::optional<ReleaseRecord>& previous, ReleaseRecord fresh,
                             const Prepared& prepared) {
  ReleaseRecord out = previous ? with_history_of(std::move(fresh), *previous) : std::move(fresh);
  if (previous && previous->phase == "Progressing" && previous->targets.size() == out.targets.size()) {
    out = *previous;
    for (auto& target : out.targets)
      if (target.outcome != TargetOutcome::done) target.outcome = TargetOutcome::pending;
  }
  // Serving the digest already, and not through this release: nothing of it to roll back.
  for (std::size_t i = 0; i < out.targets.size(); ++i) {
    if (out.targets[i].outcome == TargetOutcome::pending)
      out.targets[i].unchanged = prepared.slots[i].already_serving;
  }
  return out;
}

engine::RunOptions target_options(const ApplyOptions& options, const std::string& ns) {
  engine::RunOptions run;
  run.lease_duration = options.lease_duration;
  run.default_ns = ns;
  return run;
}

class Run {
 public:
  Run(const plan::Release& release, const SharedDeps& shared, const ApplyOptions& options, Prepared& prepared,
      Keeper& keeper)
      : release_(release), shared_(shared), options_(options), prepared_(prepared), keeper_(keeper) {}

  Outcome waves() {
    for (std::size_t w = 0; w < release_.waves.size(); ++w) {
      const auto& wave = release_.waves[w];
      WaveRun run = wave_run(w);
      say(shared_, release_,
          "wave " + std::to_string(w + 1) + " " + wave.name + ": " + std::to_string(run.slots.size()) +
              " target(s) to run");
      WaveResult result = run_wave(run, keeper_, *shared_.interrupt);
      if (shared_.interrupt->fired()) return interrupted();
      if (result.stopped) return decide(result.why, result.interrupted);
      GateResult gate = gate_after_wave(release_, wave, shared_);
      if (gate.interrupted) return interrupted();
      if (!gate.passed) return decide("after wave " + wave.name + ": " + gate.why, {});
    }
    std::string served = served_message();
    (void)keeper_.set_phase("Succeeded", served);
    return {k_exit_ok, state::RecordPhase::healthy, "release " + release_.name + ": " + served};
  }

 private:
  // Targets that failed within their wave's failureBudget rolled themselves
  // back: they do not serve the digest, and the message must not say they do.
  std::string served_message() const {
    std::size_t failed = 0;
    for (std::size_t i = 0; i < prepared_.slots.size(); ++i)
      failed += keeper_.outcome(i) == TargetOutcome::failed ? 1 : 0;
    if (failed == 0) return "every target serves " + keeper_.digest();
    return "every target serves " + keeper_.digest() + " but " + std::to_string(failed) +
           " that failed within their wave's failureBudget";
  }

  WaveRun wave_run(std::size_t w) {
    WaveRun run;
    run.max_parallel = release_.waves[w].max_parallel;
    run.failure_budget = release_.waves[w].failure_budget;
    run.options = target_options(options_, "");
    for (std::size_t i = 0; i < prepared_.slots.size(); ++i) {
      if (prepared_.slots[i].wave != w || keeper_.outcome(i) == TargetOutcome::done) continue;
      run.slots.push_back(&prepared_.slots[i]);
      run.indexes.push_back(i);
    }
    return run;
  }

  Outcome interrupted() {
    (void)keeper_.set_phase("Progressing", "interrupted: " + shared_.interrupt->reason());
    return {k_exit_interrupted,
            {},
            "interrupted (" + shared_.interrupt->reason() + "); apply the release again to resume"};
  }

  // Runs `what` (an abort or a rollback of one target) on a fresh interrupt.
  bool back_to_stable(std::size_t i, bool abort) {
    Slot& slot = prepared_.slots[i];
    slot.env->rearm();
    auto run = target_options(options_, slot.target->ns);
    auto out = abort ? engine::abort_rollout(slot.target->ns, slot.plan.name, slot.env->deps(), run)
                     : engine::rollback_rollout(slot.target->ns, slot.plan.name, std::nullopt,
                                                slot.env->deps(), run);
    // An abort with nothing to abort: the target was stopped before it changed anything.
    if (abort && out.exit_code == k_exit_usage) {
      (void)keeper_.set_target(i, TargetOutcome::stopped, out.exit_code, out.message);
      return true;
    }
    bool ok = out.exit_code == k_exit_ok;
    (void)keeper_.set_target(i, ok ? TargetOutcome::rolled_back : TargetOutcome::failed, out.exit_code,
                             out.message);
    return ok;
  }

  // The group decision: in-flight targets are aborted; per onFailure, the
  // targets done are rolled back (3) or held (4). A rollback that does not
  // finish makes it 7.
  Outcome decide(const std::string& why, const std::vector<std::size_t>& in_flight) {
    say(shared_, release_, "release stopped: " + why);
    bool all_back = true;
    for (std::size_t i : in_flight) all_back = back_to_stable(i, true) && all_back;
    if (release_.on_failure == plan::OnFailure::hold) {
      (void)keeper_.set_phase("Held", why);
      return {k_exit_paused, state::RecordPhase::paused,
              why + "; the targets done are held (onFailure: hold)"};
    }
    for (std::size_t i = 0; i < prepared_.slots.size(); ++i) {
      if (keeper_.outcome(i) == TargetOutcome::done && !keeper_.unchanged(i))
        all_back = back_to_stable(i, false) && all_back;
    }
    if (!all_back) {
      (void)keeper_.set_phase("Failed", why + "; a rollback did not finish");
      return {k_exit_needs_human, state::RecordPhase::degraded,
              why + "; a rollback did not finish: see `sluice status`"};
    }
    (void)keeper_.set_phase("RolledBack", why);
    return {k_exit_rolled_back, state::RecordPhase::rolled_back, why + "; every target done was rolled back"};
  }

  const plan::Release& release_;
  const SharedDeps& shared_;
  const ApplyOptions& options_;
  Prepared& prepared_;
  Keeper& keeper_;
};

Outcome locked_run(const plan::Release& release, const SharedDeps& shared, const ApplyOptions& options,
                   Prepared& prepared, const std::string& digest, engine::Deps& record_deps) {
  ReleaseStore store(*record_deps.kube, release.record.ns, release.name);  // the fenced client
  auto previous = store.load(&record_deps.interrupt->token());
  if (!previous) return {k_exit_preflight, {}, previous.error().message};
  ReleaseRecord record = record_for_run(*previous, fresh_record(release, prepared, digest, shared), prepared);
  Keeper keeper(store, *shared.clock, std::move(record));
  if (auto saved = keeper.set_phase("Progressing", ""); !saved)
    return {k_exit_needs_human, {}, saved.error().message};
  Run run(release, shared, options, prepared, keeper);
  return run.waves();
}

// The digest to deploy: an unfinished apply of this file keeps the one it
// resolved (the tag may have moved since); else the tag resolved now.
util::Result<std::string> digest_for(const plan::Release& release,
                                     const std::optional<ReleaseRecord>& previous,
                                     registry::Registry* registry, const SharedDeps& shared) {
  if (previous && previous->phase == "Progressing" && previous->source_hash == release.source_hash &&
      !previous->digest.empty())
    return previous->digest;
  return resolve_release_image(release, registry, &shared.interrupt->token());
}

}  // namespace

Outcome apply_release(const plan::Release& release, const SharedDeps& shared, registry::Registry* registry,
                      const ApplyOptions& options) {
  auto record_env = TargetEnv::create(options.kubeconfig, release.record.context,
                                      "record " + release.record.context + "/" + release.record.ns, shared);
  if (!record_env)
    return {k_exit_preflight, {}, "the release record's context: " + record_env.error().message};
  engine::Deps& record_deps = (*record_env)->deps();
  // Losing the release's lock stops every target, as losing a rollout's lock stops it.
  (*record_env)->own_interrupt().on_fire([interrupt = shared.interrupt] {
    interrupt->fire("lost the release's lock");
  });
  ReleaseStore reader(*record_deps.kube, release.record.ns, release.name);
  auto previous = reader.load(&record_deps.interrupt->token());
  if (!previous) return {k_exit_preflight, {}, previous.error().message};
  if (*previous && (**previous).phase == "Progressing" && (**previous).source_hash != release.source_hash) {
    return {k_exit_usage,
            {},
            "an unfinished apply of release " + release.name + " from a different file is recorded in " +
                release.record.context + "/" + release.record.ns + "; apply that file to resume it"};
  }
  auto digest = digest_for(release, *previous, registry, shared);
  if (!digest) return {k_exit_preflight, {}, digest.error().message};
  say(shared, release, "image " + release.image + " is " + *digest + "; every target deploys it");
  Prepared prepared = prepare_targets(release, *digest, options.kubeconfig, shared);
  if (!prepared.problems.empty()) {
    for (const auto& problem : prepared.problems) say(shared, release, "preflight: " + problem);
    return {k_exit_preflight, {}, prepared.problems.front() + "; nothing was changed anywhere"};
  }
  state::RecordStore lock_store(*record_deps.kube, *shared.clock, release.record.ns,
                                ReleaseStore::lock_rollout(release.name));
  return engine::with_lock(record_deps, release.record.ns, ReleaseStore::lock_rollout(release.name),
                           target_options(options, release.record.ns), lock_store, [&] {
                             return locked_run(release, shared, options, prepared, *digest, record_deps);
                           });
}

}  // namespace sluice::release
