// The command line as data: the verbs, their flags and arguments, read from
// the same CLI11 tree that parses and prints --help. Shell completions and the
// man page are generated from it, so they cannot drift from the parser.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sluice::cli {

struct FlagSpec {
  std::vector<std::string> names;  // "--namespace", "-n"
  std::string description;
  std::string value_name;            // "" for a switch; else what it takes ("TEXT", "N>=1"...)
  std::vector<std::string> choices;  // -o: {"text", "json"}
};

struct CommandSpec {
  std::string name;  // "sluice", "apply", "resolve"
  std::string description;
  std::vector<std::string> arguments;         // positional names, in order ("plan")
  std::vector<std::string> argument_choices;  // `completion SHELL`: bash, zsh, fish
  bool takes_files = false;                   // the arguments are plan files
  bool takes_rollout = false;                 // NAME: completed from the cluster's records
  std::vector<FlagSpec> flags;
  std::vector<CommandSpec> commands;
};

// Reads `app` and its subcommands (CLI11 hides those in the empty group).
CommandSpec command_table(const CLI::App& app);

// Every flag name of `command` (long and short), in order.
std::vector<std::string> flag_names(const CommandSpec& command);

// Every exit code sluice documents, in order.
const std::vector<int>& exit_codes();

// What every verb's --help ends with: the global flags and the exit codes.
std::string verb_help_footer(const CommandSpec& root);

// Shell completion scripts and the man page (roff), from the table.
std::string bash_completion(const CommandSpec& root);
std::string zsh_completion(const CommandSpec& root);
std::string fish_completion(const CommandSpec& root);
std::string man_page(const CommandSpec& root, const std::string& version_line);

}  // namespace sluice::cli
