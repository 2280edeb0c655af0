#include <sluice/release/abort.hpp>

#include <sluice/engine/commands.hpp>
#include <sluice/release/status.hpp>
#include <sluice/util/exit_code.hpp>

#include <vector>

namespace sluice::release {

namespace {

using engine::Outcome;

std::string target_name(const TargetRecord& t) {
  return t.context + "/" + t.ns + "/" + t.deployment;
}

void say(const SharedDeps& shared, const std::string& release, const std::string& message) {
  shared.out->emit(report::Event{report::EventType::info, release, 0, 0, "", message, {}});
}

// Aborts one target's rollout through clients for its context; true when
// its stable version serves (or it had finished before the abort came).
bool abort_target(const TargetRecord& t, const std::string& release, const SharedDeps& shared,
                  const ApplyOptions& options) {
  auto env = TargetEnv::create(options.kubeconfig, t.context, target_name(t), shared);
  if (!env) {
    say(shared, release, target_name(t) + ": " + env.error().message);
    return false;
  }
  engine::RunOptions run;
  run.lease_duration = options.lease_duration;
  run.default_ns = t.ns;
  Outcome out = engine::abort_rollout(t.ns, t.rollout, (*env)->deps(), run);
  bool finished = out.exit_code == k_exit_usage;  // nothing to abort: it ended before the abort came
  say(shared, release,
      target_name(t) + ": " + (finished ? "finished before the abort reached it: " : "") + out.message);
  return out.exit_code == k_exit_ok || finished;
}

}  // namespace

Outcome abort_release(const plan::Release& release, const SharedDeps& shared, const ApplyOptions& options) {
  auto record_env = TargetEnv::create(options.kubeconfig, release.record.context,
                                      "record " + release.record.context + "/" + release.record.ns, shared);
  if (!record_env)
    return {k_exit_preflight, {}, "the release record's context: " + record_env.error().message};
  auto record = read_release_record(*(*record_env)->deps().kube, release.record.ns, release.name);
  if (!record) {
    return {record.error().kind == util::ErrorKind::not_found ? k_exit_usage : k_exit_preflight,
            {},
            record.error().message};
  }
  if (record->phase != "Progressing")
    return {k_exit_usage, {}, "release " + release.name + " is " + record->phase + ": nothing to abort"};
  std::vector<const TargetRecord*> running;
  for (const auto& t : record->targets)
    if (t.outcome == TargetOutcome::running) running.push_back(&t);
  if (running.empty())
    return {k_exit_usage, {}, "release " + release.name + " has no target in progress: nothing to abort"};
  bool all_back = true;
  for (const TargetRecord* t : running)
    all_back = abort_target(*t, release.name, shared, options) && all_back;
  if (!all_back)
    return {k_exit_needs_human, {}, "release " + release.name + ": a target's abort did not finish"};
  return {k_exit_ok,
          {},
          "release " + release.name + ": " + std::to_string(running.size()) +
              " target(s) in progress aborted; stable serves"};
}

}  // namespace sluice::release
