#include <sluice/cli/app.hpp>

#include <sluice/util/logging.hpp>

#include <CLI/CLI.hpp>

#include <array>
#include <csignal>
#include <exception>
#include <iostream>

namespace sluice::cli {

namespace {

// The verbs, in `sluice --help` order.
constexpr std::array<AddVerb, 10> k_verbs = {add_validate, add_plan,     add_apply,   add_status, add_promote,
                                             add_abort,    add_rollback, add_history, add_doctor, add_image};

void add_global_flags(CLI::App& app, GlobalOptions& global) {
  app.add_option("--kubeconfig", global.kubeconfig, "Path to the kubeconfig file to use");
  app.add_option("--context", global.context, "The kubeconfig context to use");
  app.add_option("-n,--namespace", global.ns, "Namespace (overrides the plan's target.namespace)");
  app.add_option("-o,--output", global.output, "Output format")->check(CLI::IsMember({"text", "json"}));
  app.add_flag("-v,--verbose", global.verbosity, "More detail in logs (repeat for more)");
}

}  // namespace

int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  // A reader that goes away (`sluice apply ... | head -1`) must not kill a
  // rollout mid-step: writes to a closed stdout fail quietly instead.
  std::signal(SIGPIPE, SIG_IGN);
  Context ctx(in, out, err);
  CLI::App app{"sluice: safe rollouts to Kubernetes, from the command line", "sluice"};
  app.set_version_flag("--version", std::string("sluice ") + SLUICE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  add_global_flags(app, ctx.global);
  for (AddVerb add : k_verbs) add(app, ctx);
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
