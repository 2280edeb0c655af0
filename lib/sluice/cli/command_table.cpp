#include <sluice/cli/command_table.hpp>

#include <sluice/util/exit_code.hpp>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <array>

namespace sluice::cli {

namespace {

// CLI11 describes a flag's value as "TEXT:{text,json}" or "N>=1": the part
// before ':' names the value, a {...} lists its choices.
void read_value(const CLI::Option& option, FlagSpec& flag) {
  std::string type = option.get_type_name();
  flag.value_name = type.substr(0, type.find(':'));
  auto open = type.find('{');
  auto close = type.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return;
  std::string list = type.substr(open + 1, close - open - 1);
  for (size_t start = 0; start <= list.size();) {
    size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) flag.choices.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
}

FlagSpec read_flag(const CLI::Option& option) {
  FlagSpec flag;
  for (const auto& name : option.get_lnames()) flag.names.push_back("--" + name);
  for (const auto& name : option.get_snames()) flag.names.push_back("-" + name);
  flag.description = option.get_description();
  if (option.get_type_size_max() > 0) read_value(option, flag);
  return flag;
}

constexpr std::array k_exit_codes = {k_exit_ok,
                                     k_exit_internal,
                                     k_exit_usage,
                                     k_exit_rolled_back,
                                     k_exit_paused,
                                     k_exit_locked,
                                     k_exit_preflight,
                                     k_exit_needs_human,
                                     k_exit_held,
                                     k_exit_lock_lost,
                                     k_exit_timed_out,
                                     k_exit_changes,
                                     k_exit_objective_missed,
                                     k_exit_interrupted};

}  // namespace

const std::vector<int>& exit_codes() {
  static const std::vector<int> codes(k_exit_codes.begin(), k_exit_codes.end());
  return codes;
}

std::string verb_help_footer(const CommandSpec& root) {
  std::string s = "Global flags (before or after the verb):\n";
  for (const auto& f : root.flags) {
    if (f.names.front() == "--help" || f.names.front() == "--version") continue;
    std::string names;
    for (const auto& name : f.names) names += (names.empty() ? "" : ",") + name;
    if (!f.value_name.empty()) names += " " + f.value_name;
    s += fmt::format("  {:<28}{}\n", names, f.description);
  }
  s += "\nExit codes (docs/exit-codes.md):\n";
  for (int code : exit_codes()) s += fmt::format("  {:<4}{}\n", code, exit_code_meaning(code));
  return s;
}

CommandSpec command_table(const CLI::App& app) {
  CommandSpec command;
  command.name = app.get_name();
  command.description = app.get_description();
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_positional()) {
      command.arguments.push_back(option->get_name(true));
      command.takes_files = command.takes_files || option->get_name(true) == "PLAN";
      command.takes_rollout = command.takes_rollout || option->get_name(true) == "NAME";
      FlagSpec value;
      read_value(*option, value);
      command.argument_choices.insert(command.argument_choices.end(), value.choices.begin(),
                                      value.choices.end());
    } else if (!option->get_lnames().empty() || !option->get_snames().empty()) {
      command.flags.push_back(read_flag(*option));
    }
  }
  auto visible = [](const CLI::App* sub) { return !sub->get_group().empty(); };
  for (const CLI::App* sub : app.get_subcommands(visible)) command.commands.push_back(command_table(*sub));
  return command;
}

std::vector<std::string> flag_names(const CommandSpec& command) {
  std::vector<std::string> names;
  for (const auto& flag : command.flags) names.insert(names.end(), flag.names.begin(), flag.names.end());
  return names;
}

}  // namespace sluice::cli
