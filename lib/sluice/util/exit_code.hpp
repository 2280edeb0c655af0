// Exit codes, fixed for every verb and documented in docs/exit-codes.md. A
// leaf header (after ninja's exit_status.h): the engine decides outcomes in
// these terms and the CLI returns them, without either including the other.
#pragma once

namespace sluice {

enum ExitCode : int {
  k_exit_ok = 0,
  k_exit_internal = 1,
  k_exit_usage = 2,        // invalid usage or invalid plan; nothing changed
  k_exit_rolled_back = 3,  // a gate failed or the deadline passed; stable serves
  k_exit_paused = 4,       // waiting for `sluice promote`
  k_exit_locked = 5,       // another deploy holds the lock for this target
  k_exit_preflight = 6,    // cluster/registry/metrics unreachable, image missing; nothing changed
  k_exit_needs_human = 7,  // rollback failed or state unknown
  k_exit_held = 8,         // a gate failed, automatic rollback is off: held for `abort` or `promote`
  k_exit_lock_lost = 9,    // the lock was lost mid-run (taken over, or not renewed in time); stopped writing
  k_exit_timed_out = 10,   // --timeout ran out: stopped as an interrupt stops, state saved, lock released
  k_exit_changes = 11,     // `diff --exit-code`: the plan would change the cluster (nothing was changed)
  k_exit_objective_missed =
      12,  // `drill`: everything restored, but an objective (RTO, failback time) was missed
  k_exit_interrupted = 130,
};

// One line for the final event and the human summary: what `code` means.
const char* exit_code_meaning(int code);

}  // namespace sluice
