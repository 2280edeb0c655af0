#include <sluice/cli/app.hpp>
#include <sluice/cli/command_table.hpp>

#include <sluice/util/logging.hpp>
#include <sluice/util/version.hpp>

#include <CLI/CLI.hpp>

#include <array>
#include <csignal>
#include <exception>
#include <iostream>
#include <sstream>

namespace sluice::cli {

namespace {

// The verbs, in `sluice --help` order.
constexpr std::array<AddVerb, 17> k_verbs = {
    add_validate, add_plan,     add_diff,       add_apply,    add_status,   add_promote,
    add_abort,    add_rollback, add_history,    add_failover, add_failback, add_drill,
    add_doctor,   add_image,    add_completion, add_man,      add_complete};

void add_global_flags(CLI::App& app, GlobalOptions& global) {
  app.add_option("--kubeconfig", global.kubeconfig, "Path to the kubeconfig file to use");
  // The variables sit between the flag and the plan (kubectl has no such
  // variables; Helm's HELM_NAMESPACE is the model): set once for a shell or CI job.
  app.add_option("--context", global.context,
                 "kubeconfig context (default: $SLUICE_CONTEXT, the plan's target.context, current-context)")
      ->envname("SLUICE_CONTEXT");
  app.add_option("-n,--namespace", global.ns,
                 "Namespace (default: $SLUICE_NAMESPACE, the plan's target.namespace, the context's)")
      ->envname("SLUICE_NAMESPACE");
  app.add_option("-o,--output", global.output,
                 "Output format: text (for people) or json (one event per line)")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("-v,--verbose", global.verbosity, "More detail in logs (repeat for more)");
  app.add_flag("--no-color", global.no_color, "No colour in the terminal view (as NO_COLOR=1)");
  app.add_option("--config", global.config,
                 "Config file with notification receivers (default: $XDG_CONFIG_HOME/sluice/config.yaml)")
      ->type_name("FILE");
  app.add_option("--metrics-file", global.metrics_file,
                 "Write the run's metrics here at its end (Prometheus text, for node_exporter's textfile "
                 "collector)")
      ->type_name("PATH");
  app.add_option("--pushgateway", global.pushgateway, "Push the run's metrics to this Pushgateway at its end")
      ->type_name("URL");
}

// The whole command line: global flags, verbs, and every verb's --help footer.
void build(CLI::App& app, Context& ctx) {
  app.set_version_flag("--version", util::version_line("sluice"));
  app.require_subcommand(1);
  app.fallthrough();
  add_global_flags(app, ctx.global);
  for (AddVerb add : k_verbs) add(app, ctx);
  for (CLI::App* verb : app.get_subcommands([](CLI::App*) { return true; })) {
    verb->footer([&app] { return verb_help_footer(command_table(app)); });
  }
}

constexpr const char* k_description = "sluice: safe rollouts to Kubernetes, from the command line";

}  // namespace

CommandSpec describe_command_line() {
  std::istringstream in;
  std::ostringstream out, err;
  Context ctx(in, out, err);
  CLI::App app{k_description, "sluice"};
  build(app, ctx);
  return command_table(app);
}

int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  // A reader that goes away (`sluice apply ... | head -1`) must not kill a
  // rollout mid-step: writes to a closed stdout fail quietly instead.
  std::signal(SIGPIPE, SIG_IGN);
  Context ctx(in, out, err);
  CLI::App app{k_description, "sluice"};
  build(app, ctx);
  // Logging must be configured before a verb's callback runs, and the
  // callbacks run inside parse(): hook the end of flag parsing.
  app.parse_complete_callback([&ctx] { util::configure_logging(ctx.global.verbosity); });
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, out, err);
    return code == 0 ? k_exit_ok : k_exit_usage;
  } catch (const std::exception& e) {
    err << "sluice: internal error: " << e.what() << "\n";
    return k_exit_internal;
  }
  return ctx.exit_code;
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  return run(args, std::cin, std::cout, std::cerr);
}

}  // namespace sluice::cli
