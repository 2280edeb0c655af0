#include <sluice/cli/app.hpp>

#include <sluice/util/logging.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <exception>
#include <iostream>

namespace sluice::cli {

namespace {

void add_global_flags(CLI::App& app, GlobalOptions& global) {
  app.add_option("--kubeconfig", global.kubeconfig, "Path to the kubeconfig file to use");
  app.add_option("--context", global.context, "The kubeconfig context to use");
  app.add_option("-n,--namespace", global.ns, "Namespace (overrides the plan's target.namespace)");
  app.add_option("-o,--output", global.output, "Output format")->check(CLI::IsMember({"text", "json"}));
  app.add_flag("-v,--verbose", global.verbosity, "More detail in logs (repeat for more)");
}

}  // namespace

int run(int argc, char** argv) {
  // A reader that goes away (`sluice apply ... | head -1`) must not kill a
  // rollout mid-step: writes to a closed stdout fail quietly instead.
  std::signal(SIGPIPE, SIG_IGN);
  Context ctx;
  ctx.out = &std::cout;
  ctx.err = &std::cerr;
  CLI::App app{"sluice: safe rollouts to Kubernetes, from the command line", "sluice"};
  app.set_version_flag("--version", std::string("sluice ") + SLUICE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  add_global_flags(app, ctx.global);
  add_validate(app, ctx);
  add_plan(app, ctx);
  add_apply(app, ctx);
  add_status(app, ctx);
  add_promote(app, ctx);
  add_abort(app, ctx);
  add_rollback(app, ctx);
  add_history(app, ctx);
  add_doctor(app, ctx);
  add_image(app, ctx);
  // Logging must be configured before a verb's callback runs, and the
  // callbacks run inside parse(): hook the end of flag parsing.
  app.parse_complete_callback([&ctx] { util::configure_logging(ctx.global.verbosity); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, std::cout, std::cerr);
    return code == 0 ? k_exit_ok : k_exit_usage;
  } catch (const std::exception& e) {
    std::cerr << "sluice: internal error: " << e.what() << "\n";
    return k_exit_internal;
  }
  return ctx.exit_code;
}

}  // namespace sluice::cli
