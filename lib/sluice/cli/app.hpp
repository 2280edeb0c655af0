// The sluice command line: global flags, the verb table and the one place
// where exceptions become exit code 1. apps/sluice/main.cpp only calls run().
#pragma once

#include <sluice/util/exit_code.hpp>

#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace sluice::cli {

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
