// The operator commands as library functions (the cli/ files only parse
// flags): apply a plan, promote, abort, roll back, and read status and
// history from the cluster (report/ prints them). Each returns the exit code and says why.
#pragma once

#include <sluice/engine/context.hpp>
#include <sluice/engine/driver.hpp>
#include <sluice/engine/preflight.hpp>
#include <sluice/plan/model.hpp>
#include <sluice/state/record.hpp>
#include <sluice/state/status_view.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sluice::engine {

// Runs `plan` (its file's text in `plan_text`, kept in the record so
// promote/abort can continue without the file).
Outcome apply_plan(const plan::Plan& plan, const std::string& plan_text, Deps& deps,
                   const RunOptions& options);

// The namespace a plan's rollout runs in: -n, else the plan's, else the kubeconfig context's.
std::string target_namespace(const plan::Plan& plan, const RunOptions& options);
// The version preflight found serving already runs the resolved image: apply has nothing to do.
bool already_serving(const Target& target);

// `sluice diff` and `apply --dry-run`: preflight as apply runs it, then the
// writes of apply's first step sent with dryRun=All, one `diff` event per
// object they would change. Takes no lock and writes no record: nothing
// the cluster stores changes. `changed` counts the objects that would.
struct DryRunOutcome {
  Outcome outcome;
  int changed = 0;
};
DryRunOutcome dry_run_plan(const plan::Plan& plan, Deps& deps, const RunOptions& options);

// Continues a paused rollout from this process; `full` skips remaining checks and pauses.
Outcome promote_rollout(const std::string& ns, const std::string& name, bool full, Deps& deps,
                        const RunOptions& options);

// Sends an unfinished rollout back to the stable version now; exit 0 when stable serves.
Outcome abort_rollout(const std::string& ns, const std::string& name, Deps& deps, const RunOptions& options);

// After a finished rollout: back to the version before it (or the one left
// by history entry `to_revision`). Blue-green with the old version still warm: one Service write.
Outcome rollback_rollout(const std::string& ns, const std::string& name, std::optional<int> to_revision,
                         Deps& deps, const RunOptions& options);

// `status`: the record, the versions' ready counts and who holds the lock
// (report::print_status shows it).
using StatusView = state::StatusView;
// `clock` judges whether the lock's last renewal is older than its lease.
util::Result<StatusView> read_status(kube::Client& kube, util::Clock& clock, const std::string& ns,
                                     const std::string& name);

// The command that resumes `record` (its plan file and --image/--set flags),
// carrying the flags `reach` needs: "`sluice apply web.yaml --image=web:3 -n shop`".
std::string resume_command(const Reach& reach, const state::Record& record, const std::string& ns);

// Pure parts of `status`: the exit code a record's run ends (or ended) with,
// and the holder of a Lease still inside its lease ("" when free or run out).
int status_exit_code(const state::Record& record, bool abandoned);
std::string live_lock_holder(const nlohmann::json& lease, util::WallTime now);

// `history`: the finished rollouts kept in the record, oldest first (report::print_history shows them).
util::Result<std::vector<state::HistoryEntry>> read_history(kube::Client& kube, util::Clock& clock,
                                                            const std::string& ns, const std::string& name);

// The final event every command ends with: outcome and the exit code's meaning.
void emit_finished(report::Reporter& out, const std::string& rollout, const Outcome& outcome);

}  // namespace sluice::engine
