// `sluice completion bash|zsh|fish`: a shell completion script on stdout, and
// `sluice man` (hidden; the build installs its output as sluice.1): both read
// the command table of this very run, so they list exactly what parses.
#include <sluice/cli/app.hpp>
#include <sluice/cli/command_table.hpp>
#include <sluice/util/version.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

namespace {

const CLI::App& root_of(const CLI::App& app) {
  const CLI::App* root = &app;
  while (root->get_parent() != nullptr) root = root->get_parent();
  return *root;
}

}  // namespace

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
