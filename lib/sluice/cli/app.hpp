// The sluice command line: global flags, the verb table and the one place
// where exceptions become exit code 1. apps/sluice/main.cpp only calls run().
// Everything a run parses lives in that run's Context, so run() can be called
// again in the same process (the unit tests do) and starts from the defaults.
#pragma once

#include <sluice/util/exit_code.hpp>

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

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
  bool no_color = false;     // --no-color (NO_COLOR in the environment does the same)
  std::string config;        // --config: the user/CI-wide config file (notifications)
  std::string metrics_file;  // --metrics-file: the run's metrics, for node_exporter's textfile collector
  std::string pushgateway;   // --pushgateway: a Pushgateway's base URL
};

// What every verb gets: the parsed global flags, where to read and write, and
// a store for its own flags (CLI11 writes to them during parse, so they must
// outlive it: they live as long as the run).
class Context {
 public:
  Context(std::istream& in, std::ostream& out, std::ostream& err) : in(&in), out(&out), err(&err) {}

  // A default-constructed T owned by this run.
  template <class T>
  T& keep() {
    auto owned = std::make_shared<T>();
    T& flags = *owned;
    kept_.push_back(std::move(owned));
    return flags;
  }

  GlobalOptions global;
  std::istream* in;
  std::ostream* out;
  std::ostream* err;
  int exit_code = k_exit_ok;

 private:
  std::vector<std::shared_ptr<void>> kept_;
};

// Runs the command line `args` (without the program name) and returns the
// exit code. Reads stdin from `in` (`image resolve --password-stdin`).
int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
// The command line as data (verbs, flags, arguments), from the parser run() uses.
struct CommandSpec;
CommandSpec describe_command_line();
// The process entry point: run() on argv with the standard streams.
int run(int argc, char** argv);

// A verb adds its subcommand to `app`, keeps its flags in ctx and, when
// called back, stores its exit code in ctx.exit_code.
using AddVerb = void (*)(CLI::App& app, Context& ctx);
void add_validate(CLI::App& app, Context& ctx);
void add_plan(CLI::App& app, Context& ctx);
void add_apply(CLI::App& app, Context& ctx);
void add_diff(CLI::App& app, Context& ctx);
void add_status(CLI::App& app, Context& ctx);
void add_promote(CLI::App& app, Context& ctx);
void add_abort(CLI::App& app, Context& ctx);
void add_rollback(CLI::App& app, Context& ctx);
void add_history(CLI::App& app, Context& ctx);
void add_failover(CLI::App& app, Context& ctx);  // failover.cpp
void add_failback(CLI::App& app, Context& ctx);  // failover.cpp
void add_drill(CLI::App& app, Context& ctx);
void add_doctor(CLI::App& app, Context& ctx);
void add_image(CLI::App& app, Context& ctx);
void add_completion(CLI::App& app, Context& ctx);
void add_man(CLI::App& app, Context& ctx);
void add_complete(CLI::App& app, Context& ctx);

}  // namespace sluice::cli
