// `sluice completion bash|zsh|fish`: a shell completion script on stdout, and
// `sluice man` (hidden; the build installs its output as sluice.1): both read
// the command table of this very run, so they list exactly what parses.
#include <sluice/cli/app.hpp>
#include <sluice/cli/command_table.hpp>
#include <sluice/kube/client.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/state/record_store.hpp>
#include <sluice/util/version.hpp>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

namespace sluice::cli {

namespace {

const CLI::App& root_of(const CLI::App& app) {
  const CLI::App* root = &app;
  while (root->get_parent() != nullptr) root = root->get_parent();
  return *root;
}

// A shell waits for completion with the user's cursor: never longer than this.
constexpr util::Duration k_complete_timeout{2000};

// The rollouts recorded in the namespace the global flags choose, one LIST;
// none at all when the cluster cannot say (completion prints no errors).
std::vector<std::string> recorded_rollouts(const GlobalOptions& global) {
  kube::LoadOptions load;
  load.explicit_path = global.kubeconfig;
  load.context = global.context;
  auto config = kube::load_kubeconfig(load);
  if (!config) return {};
  kube::ClientOptions options;
  options.connect_timeout = k_complete_timeout;
  options.request_timeout = k_complete_timeout;
  options.max_attempts = 1;
  auto client = kube::make_client(*config, options);
  if (!client) return {};
  kube::ListOptions list;
  list.label_selector = state::RecordStore::k_selector;
  auto records = (*client)->list(kube::k_configmaps, global.ns.empty() ? config->ns : global.ns, list);
  if (!records) return {};
  std::vector<std::string> names;
  for (const auto& cm : records->value("items", kube::Json::array())) {
    auto labels = cm.value("/metadata/labels"_json_pointer, kube::Json::object());
    std::string name = labels.value(state::RecordStore::k_rollout_label, std::string());
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

}  // namespace

// `sluice __complete rollouts` (hidden): what the completion scripts offer
// for a rollout NAME, always exit 0.
void add_complete(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("__complete", "Completion candidates from the cluster");
  sub->group("");  // for the completion scripts only
  sub->require_subcommand(1);
  auto* rollouts = sub->add_subcommand("rollouts", "Rollout names recorded in the namespace");
  rollouts->callback([&ctx] {
    spdlog::set_level(spdlog::level::off);  // nothing but names may reach the shell
    for (const auto& name : recorded_rollouts(ctx.global)) *ctx.out << name << "\n";
    ctx.exit_code = 0;
  });
}

void add_completion(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("completion", "Print a shell completion script (bash, zsh or fish)");
  sub->footer(
      "\nLoad it in the current shell with `source <(sluice completion bash)` (or zsh);\n"
      "for fish: `sluice completion fish > ~/.config/fish/completions/sluice.fish`.");
  auto& shell = ctx.keep<std::string>();
  sub->add_option("SHELL", shell, "Shell to complete for")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  sub->callback([&ctx, &shell, sub] {
    CommandSpec table = command_table(root_of(*sub));
    if (shell == "bash") *ctx.out << bash_completion(table);
    if (shell == "zsh") *ctx.out << zsh_completion(table);
    if (shell == "fish") *ctx.out << fish_completion(table);
  });
}

void add_man(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("man", "Print the man page (roff)");
  sub->group("");  // for the build and packagers, not a daily verb
  sub->callback(
      [&ctx, sub] { *ctx.out << man_page(command_table(root_of(*sub)), util::version_line("sluice")); });
}

}  // namespace sluice::cli
