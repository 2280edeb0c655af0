#include <sluice/util/exit_code.hpp>

namespace sluice {

const char* exit_code_meaning(int code) {
  switch (code) {
    case k_exit_ok: return "success";
    case k_exit_internal: return "unexpected internal error";
    case k_exit_usage: return "invalid usage or invalid plan; nothing was changed";
    case k_exit_rolled_back:
      return "a gate failed or the progress deadline passed; rolled back, the stable version serves";
    case k_exit_paused: return "paused, waiting for `sluice promote`";
    case k_exit_locked: return "another deploy holds the lock for this target";
    case k_exit_preflight: return "preflight failed; nothing was changed";
    case k_exit_needs_human: return "rollback failed or the state is unknown: a human must look";
    case k_exit_held:
      return "a gate failed and automatic rollback is off: held where it failed; `sluice abort` rolls back, "
             "`sluice promote` continues";
    case k_exit_lock_lost:
      return "another deploy took the lock, or it could not be renewed in time; this run stopped writing";
    case k_exit_timed_out:
      return "--timeout ran out; state saved, lock released: `sluice apply` again resumes, `sluice abort` "
             "rolls "
             "back";
    case k_exit_changes:
      return "diff --exit-code: applying the plan would change the cluster; nothing was changed";
    case k_exit_objective_missed:
      return "drill: everything was restored, but an objective was missed or the failover did not complete";
    case k_exit_interrupted: return "interrupted; state saved, `sluice apply` again resumes";
    default: return "unknown exit code";
  }
}

}  // namespace sluice
