// The canary strategy: the new version runs in `<deployment>-canary` beside
// the stable Deployment and takes traffic step by step, either by replica
// ratio (the Service selects both versions) or by exact HTTPRoute weights
// (Gateway API). Analysis steps and background checks gate each step.
// Promotion moves the stable Deployment to the new digest and retires the
// canary; a rollback sends all traffic to stable in one write first.
#include <sluice/engine/canary_parts.hpp>
#include <sluice/engine/driver.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/engine/wait.hpp>
#include <sluice/engine/writes.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/strategy/canary_math.hpp>
#include <sluice/strategy/capacity.hpp>
#include <sluice/util/exit_code.hpp>
#include <sluice/util/rfc3339.hpp>

#include <fmt/format.h>

namespace sluice::engine {

namespace {

using Json = nlohmann::json;
using plan::CanaryStrategy;
using namespace canary_parts;  // this strategy's own parts

// --- waiting ---------------------------------------------------------------

// Starts the canary's background checks once traffic reaches the canary (in
// d.background()); the result ends the step when they cannot start.
std::optional<StepResult> start_background(Driver& d) {
  const auto& names = canary(d).background_checks;
  if (d.background() || names.empty() || d.record().full_promote || d.record().traffic.weight <= 0)
    return std::nullopt;
  auto runner = analysis_runner(d, names, "Background", -1);
  if (auto* end = std::get_if<StepResult>(&runner)) return *end;
  d.background() = std::move(std::get<std::unique_ptr<gate::AnalysisRunner>>(runner));
  return std::nullopt;
}

int measured(const gate::AnalysisRunner* runner) {
  int n = 0;
  if (runner != nullptr)
    for (const auto& c : runner->result().checks) n += c.counts.measured;
  return n;
}

// What a verdict means for the step: nothing yet, a rollback or a pause.
std::optional<StepResult> judge(Driver& d, gate::Verdict verdict, const gate::AnalysisRunner& runner,
                                const std::string& what) {
  if (verdict == gate::Verdict::running || verdict == gate::Verdict::successful) return std::nullopt;
  return after_verdict(verdict, what + runner.result().message,
                       d.command("promote") + " continues, " + d.command("abort") + " rolls back");
}

struct CanaryWait {
  // Moves towards the step's goal; true once there. Null: nothing to move.
  std::function<util::Result<bool>()> converge;
  gate::AnalysisRunner* checks = nullptr;  // the step's own checks: done when they pass
  util::TimePoint until;                   // a pause's end, or the progress deadline
  bool pause = false;                      // reaching `until` ends the step well
};

// With replica traffic, once stable gave pods up for the canary, the ready
// pods of both must still meet the floor: canary pods that stop being ready
// are a failure to act on now, not at the progress deadline.
std::optional<std::string> capacity_lost(Driver& d) {
  if (gateway(d)) return std::nullopt;
  auto stable = watched_deployment(d, stable_name(d));
  auto can = watched_deployment(d, canary_name(stable_name(d)));
  if (!stable || !can || replicas_of(*stable) >= total(d)) return std::nullopt;
  int ready = serving(*stable) + serving(*can);
  int floor = plan_floor(d.plan(), total(d));
  if (ready >= floor) return std::nullopt;
  return fmt::format("ready pods fell to {} ({} canary, {} stable), below the floor of {}", ready,
                     serving(*can), serving(*stable), floor);
}

// The one loop every canary step waits in: woken by watched changes and by
// check schedules, it judges the canary's pods, the background checks and
// the step's own checks, and saves the record when measurements came in.
StepResult wait_canary(Driver& d, const CanaryWait& w) {
  ChangeWaiter waiter(d, {stable_name(d), canary_name(stable_name(d))});
  for (;;) {
    if (d.cancel().cancelled()) return {StepStatus::interrupted, d.stop_reason()};
    if (w.pause && d.take_promote()) return {StepStatus::next, "promoted"};
    if (auto signal = failing_pod(d, d.record().digest)) return StepResult::rollback("canary " + *signal);
    if (auto lost = capacity_lost(d)) return StepResult::rollback(*lost);
    if (auto end = start_background(d)) return *end;
    gate::AnalysisRunner* bg = d.background().get();
    int seen = measured(bg) + measured(w.checks);
    if (bg != nullptr)
      if (auto end = judge(d, bg->poll(&d.cancel()), *bg, "background ")) return *end;
    bool done = true;
    if (w.checks != nullptr) {
      gate::Verdict v = w.checks->poll(&d.cancel());
      if (auto end = judge(d, v, *w.checks, "")) return *end;
      done = v == gate::Verdict::successful;
    }
    if (measured(bg) + measured(w.checks) != seen) d.save();  // so `status` shows each measurement
    if (w.converge) {
      auto moved = w.converge();
      if (!moved) return failed_write(moved.error(), "moving traffic");
      done = done && *moved;
    }
    auto now = d.deps().clock->now();
    if (w.pause ? now >= w.until : done) return StepResult::next();
    if (now >= w.until)
      return StepResult::rollback("the canary did not reach its step within the progress deadline");
    auto until = w.until;
    if (bg != nullptr) until = std::min(until, bg->next_due());
    if (w.checks != nullptr) until = std::min(until, w.checks->next_due());
    waiter.sleep_until(until);
  }
}

// --- traffic -----------------------------------------------------------------

void learn_canary_hash(Driver& d) {
  auto& rec = d.record();
  if (!rec.next.pod_template_hash.empty()) return;
  auto dep = watched_deployment(d, canary_name(stable_name(d)));  // the watch has it: no GET
  if (!dep) return;
  if (auto hash = current_hash(d, *dep)) rec.next.pod_template_hash = *hash;
  if (d.background()) d.background()->set_context(check_context(d, -1));
}

// Records where traffic stands and reports it, with the weight the pods or route really give.
std::string note_traffic(Driver& d, int weight, double measured_weight, int canary_ready, int stable_ready) {
  d.record().traffic = state::Traffic{weight, measured_weight, canary_ready, stable_ready};
  d.emit(report::EventType::progress, "", {{"traffic", state::to_json(d.record().traffic)}});
  return fmt::format("{:g}% of traffic to the canary (asked {}%): {} canary, {} stable pods ready",
                     measured_weight, weight, canary_ready, stable_ready);
}

// Replica ratio: one scale write per side per change, stable shrinking only as canary pods become ready.
StepResult move_by_replicas(Driver& d, const strategy::CanaryPosition& pos) {
  auto target = strategy::canary_replica_counts(total(d), pos.weight, pos.scale);
  int floor = plan_floor(d.plan(), total(d));
  int surge = canary(d).max_surge.resolve(total(d), true);
  strategy::PodCounts ready;
  CanaryWait w;
  w.until = d.deps().clock->now() + d.plan().progress_deadline;
  w.converge = [&]() -> util::Result<bool> {
    auto stable = watched_deployment(d, stable_name(d));
    auto can = watched_deployment(d, canary_name(stable_name(d)));
    if (!stable || !can) return false;
    strategy::PodCounts current{replicas_of(*can), replicas_of(*stable)};
    ready = {serving(*can), serving(*stable)};
    if (current.canary == target.canary && current.stable == target.stable && ready.canary >= target.canary &&
        ready.stable >= target.stable)
      return true;
    auto next = strategy::next_scale(target, current, ready, total(d), floor, surge);
    if (next.canary != current.canary)
      if (auto s = d.writes().scale(canary_name(stable_name(d)), next.canary); !s) return s.error();
    if (next.stable != current.stable)
      if (auto s = d.writes().scale(stable_name(d), next.stable); !s) return s.error();
    return false;
  };
  d.record().traffic.weight = pos.weight;  // checks measuring meanwhile see the weight asked for
  auto result = wait_canary(d, w);
  if (result.status != StepStatus::next) return result;
  learn_canary_hash(d);
  return {StepStatus::next,
          note_traffic(d, pos.weight, strategy::measured_weight(ready), ready.canary, ready.stable)};
}

// Gateway API: the canary is sized for its share first, then the route moves
// in one write (or the route first when the share shrinks).
StepResult move_by_route(Driver& d, const strategy::CanaryPosition& pos) {
  auto split = strategy::gateway_split(total(d), pos.weight, pos.scale);
  int before = d.record().traffic.weight;
  if (split.route_canary_weight < before) {
    if (auto s = set_route_weights(d, split.route_stable_weight, split.route_canary_weight); !s)
      return failed_write(s.error(), "setting the HTTPRoute weights");
  }
  std::string can_name = canary_name(stable_name(d));
  int canary_ready = 0;
  CanaryWait w;
  w.until = d.deps().clock->now() + d.plan().progress_deadline;
  w.converge = [&]() -> util::Result<bool> {
    auto can = watched_deployment(d, can_name);
    if (!can) return false;
    if (replicas_of(*can) != split.canary_replicas)
      if (auto s = d.writes().scale(can_name, split.canary_replicas); !s) return s.error();
    canary_ready = serving(*can);
    return replicas_of(*can) == split.canary_replicas && canary_ready >= split.canary_replicas;
  };
  auto result = wait_canary(d, w);
  if (result.status != StepStatus::next) return result;
  if (auto s = set_route_weights(d, split.route_stable_weight, split.route_canary_weight); !s)
    return failed_write(s.error(), "setting the HTTPRoute weights");
  learn_canary_hash(d);
  return {StepStatus::next, note_traffic(d, pos.weight, split.route_canary_weight, canary_ready, total(d))};
}

// Records the version serving now: what promotion replaces and rollback restores.
util::Status remember_stable(Driver& d) {
  auto& rec = d.record();
  auto stable = serving_version(d, d.target().deployment);
  // The stable pods' hash is what a rollback pins the Service to: without it, no canary.
  if (stable.pod_template_hash.empty())
    return util::make_error(util::ErrorKind::unavailable, "cannot read the ReplicaSets of " + stable_name(d));
  rec.previous = stable;
  if (d.target().service.is_object()) {
    rec.previous.service_selector =
        base_selector(d.target().service.value("/spec/selector"_json_pointer, Json()));
  }
  rec.next.deployment = stable_name(d);
  rec.next.image = rec.digest;
  rec.total_replicas = std::max(1, d.target().desired);
  rec.traffic = state::Traffic{};
  return {};
}

// Gateway API: the canary Service selects the canary pods, the stable Service
// only the stable ones (or it would reach the canary's too), and the route
// gets the canary backend at weight 0.
util::Status prepare_route(Driver& d, const std::string& version) {
  const Json& base = d.record().previous.service_selector;
  auto s = ensure_service(d, canary_service(d), selector_with(base, k_version_label, version));
  if (!s) return with_context(s, "pointing " + canary_service(d) + " at the canary");
  auto pinned = selector_with(base, "pod-template-hash", d.record().previous.pod_template_hash);
  s = d.writes().set_selector(d.plan().target.service, pinned);
  if (!s) return with_context(s, "pinning " + d.plan().target.service + " to the stable pods");
  return with_context(set_route_weights(d, 100, 0),
                      "adding " + canary_service(d) + " to HTTPRoute " + canary(d).route_name);
}

// The canary's selector names its version and a selector is immutable, so a
// canary Deployment left by an earlier rollout (scaled to 0) is deleted, not
// adopted. The precondition keeps a concurrent change from being deleted unseen.
util::Status retire_older_canary(Driver& d, const Json& body) {
  return d.writes().remove_unless(
      kube::k_deployments, body["metadata"]["name"].get<std::string>(), [&](const Json& existing) {
        return existing.value("/spec/selector"_json_pointer, Json()) == body["spec"]["selector"];
      });
}

StepResult create_canary(Driver& d) {
  auto& rec = d.record();
  // What serves now, for promotion and rollback: normally recorded by Canary::prepare.
  if (rec.total_replicas == 0) {
    if (auto s = remember_stable(d); !s) return failed_write(s.error(), "reading the stable version");
    if (!d.save()) return {StepStatus::needs_human, "could not write the rollout record"};
  }
  std::string version = version_id(rec.digest);
  std::string name = canary_name(stable_name(d));
  Json body = make_preview_deployment(d.target().deployment, name, d.plan().name, version,
                                      d.target().container, rec.digest, 0);
  if (auto old = retire_older_canary(d, body); !old)
    return failed_write(old.error(), "deleting the previous rollout's " + name);
  if (auto made = d.writes().create_or_adopt(body); !made)
    return failed_write(made.error(), "creating " + name);
  if (gateway(d))
    if (auto s = prepare_route(d, version); !s) return failed_write(s.error(), "preparing the HTTPRoute");
  return {StepStatus::next, name + " created beside " + stable_name(d) + " (" +
                                std::to_string(rec.total_replicas) + " replicas)"};
}

StepResult move_traffic(Driver& d, const strategy::StepSpec& step) {
  auto pos = strategy::canary_position(canary(d).steps, step.plan_step + 1);
  if (gateway(d)) return move_by_route(d, pos);
  return move_by_replicas(d, pos);
}

StepResult timed_pause(Driver& d, const strategy::StepSpec& step) {
  const auto& pause = std::get<plan::PauseStep>(canary(d).steps[step.plan_step].action);
  // Resumed or promoted, the pause goes on from when it first started.
  util::Duration elapsed{0};
  const auto& rec = d.record();
  if (auto started = util::parse_rfc3339(rec.steps[rec.step_index].started_at))
    elapsed = std::chrono::duration_cast<util::Duration>(d.deps().clock->wall_now() - *started);
  CanaryWait w;
  const auto left = std::max(util::Duration{0}, pause.duration.value_or(plan::Duration{0}) - elapsed);
  w.until = d.deps().clock->now() + left;
  w.pause = true;
  d.emit(report::EventType::progress, "",
         {{"pauseUntil", util::format_rfc3339(d.deps().clock->wall_now() + left)},
          {"pauseSeconds", std::chrono::duration_cast<std::chrono::seconds>(left).count()}});
  return wait_canary(d, w);
}

StepResult analysis(Driver& d, const strategy::StepSpec& step) {
  learn_canary_hash(d);
  auto made = analysis_runner(d, step.checks, step.name, static_cast<int>(d.record().step_index));
  if (auto* end = std::get_if<StepResult>(&made)) return *end;
  auto& runner = *std::get<std::unique_ptr<gate::AnalysisRunner>>(made);
  CanaryWait w;
  w.checks = &runner;
  w.until = d.deps().clock->now() + std::chrono::hours(24 * 7);  // checks end by count; this is a backstop
  auto result = wait_canary(d, w);
  d.save();
  if (result.status == StepStatus::next) return {StepStatus::next, runner.result().message};
  return result;
}

StepResult promote(Driver& d) {
  auto& rec = d.record();
  if (auto& bg = d.background()) {
    // Stopped here: an outage at the end leaves health unconfirmed, which never promotes.
    auto ended = bg->finish();
    d.save();
    if (auto end = judge(d, ended.verdict, *bg, "background ")) return *end;
  }
  if (gateway(d)) {
    if (auto s = restore_service(d); !s)
      return failed_write(s.error(), "unpinning " + d.plan().target.service);
  }
  const auto& c = canary(d);
  auto params =
      strategy::rolling_parameters(total(d), c.max_surge, c.max_unavailable, d.plan().min_available);
  std::size_t index = d.target().container;
  Json written;
  auto status = d.writes().update_deployment(stable_name(d), [&](Json& dep) {
    dep["spec"]["replicas"] = total(d);
    dep["spec"]["template"]["spec"]["containers"][index]["image"] = rec.digest;
    set_rolling_update(dep, params, d.plan().progress_deadline);
    written = dep["spec"]["template"];
  });
  if (!status) return failed_write(status.error(), "moving " + stable_name(d) + " to the new version");
  rec.next.template_spec = writable_template(written);
  VersionWait w = version_wait(d, stable_name(d), rec.digest);
  w.also_report = {canary_name(stable_name(d))};
  if (auto waited = step_after(wait_for_version(d, w)); waited.status != StepStatus::next) return waited;
  if (gateway(d)) {
    if (auto s = set_route_weights(d, 100, 0); !s)
      return failed_write(s.error(), "setting the HTTPRoute weights");
  }
  if (auto serves = stable_serves(d); !serves) return failed_write(serves.error(), "promoting");
  if (auto s = d.writes().scale(canary_name(stable_name(d)), 0); !s)
    return failed_write(s.error(), "scaling down " + canary_name(stable_name(d)));
  rec.traffic = state::Traffic{100, 100, 0, total(d)};
  return {StepStatus::next,
          stable_name(d) + " runs the new version; " + canary_name(stable_name(d)) + " scaled to 0"};
}

class Canary final : public StrategyDriver {
 public:
  explicit Canary(Driver& d) : StrategyDriver(d) {}
  StepResult execute(const strategy::StepSpec& step) override {
    using strategy::StepKind;
    switch (step.kind) {
      case StepKind::create_canary: return create_canary(d_);
      case StepKind::set_weight:
      case StepKind::set_canary_scale: return move_traffic(d_, step);
      case StepKind::timed_pause: return timed_pause(d_, step);
      case StepKind::promote_canary: return promote(d_);
      default: return StepResult::needs_human("canary has no step " + step.name);
    }
  }
  // What serves now is saved with create_canary's start: one record write, not
  // two. create_canary still records it itself when this could not read it.
  void prepare(const strategy::StepSpec& step) override {
    if (step.kind == strategy::StepKind::create_canary && d_.record().total_replicas == 0)
      (void)remember_stable(d_);
  }
  // Analysis steps are measured alongside the canary's pods and background checks.
  StepResult run_checks(const strategy::StepSpec& step) override { return analysis(d_, step); }
  util::Result<std::string> roll_back() override { return canary_parts::roll_back(d_); }
  // The canary learns its hashes as its Deployments change (learn_canary_hash).
  void learn_template_hashes() override {}
};

}  // namespace

std::unique_ptr<StrategyDriver> make_canary(Driver& d) {
  return std::make_unique<Canary>(d);
}

}  // namespace sluice::engine
