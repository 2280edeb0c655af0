// The sluice command line: global flags, the verb table and the one place
// where exceptions become exit code 1. apps/sluice/main.cpp only calls run().
#pragma once

#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace sluice::cli {

// Exit codes, fixed for every verb; documented in docs/exit-codes.md.
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
  k_exit_interrupted = 130,
};

const char* exit_code_meaning(int code);

struct GlobalOptions {
  std::string kubeconfig;
  std::string context;
  std::string ns;
  std::string output = "text";  // text | json
  int verbosity = 0;
};

// What every verb gets: the parsed global flags and where to write.
struct Context {
  GlobalOptions global;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  int exit_code = k_exit_ok;
};

// Runs the command line and returns the process exit code.
int run(int argc, char** argv);

// Each verb adds its subcommand to `app`; its callback stores the exit code in ctx.exit_code.
void add_validate(CLI::App& app, Context& ctx);
void add_plan(CLI::App& app, Context& ctx);
void add_apply(CLI::App& app, Context& ctx);
void add_status(CLI::App& app, Context& ctx);
void add_promote(CLI::App& app, Context& ctx);
void add_abort(CLI::App& app, Context& ctx);
void add_rollback(CLI::App& app, Context& ctx);
void add_history(CLI::App& app, Context& ctx);
void add_doctor(CLI::App& app, Context& ctx);
void add_image(CLI::App& app, Context& ctx);

}  // namespace sluice::cli
