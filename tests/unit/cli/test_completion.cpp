// Shell completions and the man page come from the command table of the
// parser itself. These tests load the generated bash script into a real bash
// and ask it what it completes, check the zsh and fish scripts with the
// shells' own parsers when installed, and render the man page with groff.
#include <sluice/cli/app.hpp>
#include <sluice/cli/command_table.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "tree_paths.hpp"

namespace {

std::string sluice_out(const std::vector<std::string>& args) {
  std::istringstream in;
  std::ostringstream out, err;
  REQUIRE(sluice::cli::run(args, in, out, err) == 0);
  return out.str();
}

// What bash's completion function offers after typing `line` (words split on
// spaces; a trailing space starts a new, empty word), run from `cwd`.
std::string completes(const std::string& line, const std::string& cwd = "/") {
  static sluice::testing::TempDir dir("sluice-completion");
  static std::string script = dir.write("sluice.bash", sluice_out({"completion", "bash"})).string();
  std::string program =
      "source " + script + "; cd " + cwd + "; read -ra COMP_WORDS <<< \"$LINE\"; " +
      "[[ \"$LINE\" == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _sluice; " +
      "(( ${#COMPREPLY[@]} )) && printf '%s\\n' \"${COMPREPLY[@]}\" | sort | tr '\\n' ' '; true";
  auto ran = sluice::test::run("/bin/bash", {"--norc", "-c", program}, {"LINE=" + line});
  REQUIRE(ran.exit_code == 0);
  return ran.out;
}

}  // namespace

TEST_CASE("completion: bash offers the verbs, each verb's flags and the choices of a flag's value",
          "[completion]") {
  CHECK(
      completes("sluice ") ==
      "abort apply completion diff doctor drill failback failover history image plan promote rollback status "
      "validate ");
  CHECK(completes("sluice ap") == "apply ");
  CHECK(completes("sluice apply --le") == "--lease-seconds ");
  CHECK(completes("sluice status --w") == "--watch ");
  CHECK(completes("sluice -o ") == "json text ");
  CHECK(completes("sluice status web --output j") == "json ");
  CHECK(completes("sluice image ") == "resolve verify ");
  CHECK(completes("sluice image verify --ke") == "--key ");
  CHECK(completes("sluice image resolve --pl") == "--platform ");
  CHECK(completes("sluice completion ") == "bash fish zsh ");
  // global flags are accepted after the verb too (the parser falls through to them)
  CHECK(completes("sluice rollback --names") == "--namespace ");
  // `man` is for packagers: hidden from --help, and so from completion
  CHECK(completes("sluice m") == "");
}

TEST_CASE("completion: bash completes plan files for the verbs that take a plan", "[completion]") {
  sluice::testing::TempDir dir("sluice-plans");
  dir.write("checkout.yaml", "name: checkout\n");
  CHECK(completes("sluice apply che", dir.path().string()) == "checkout.yaml ");
  CHECK(completes("sluice validate che", dir.path().string()) == "checkout.yaml ");
  CHECK(completes("sluice status che", dir.path().string()).empty());  // a rollout name, not a file
}

TEST_CASE("completion: every flag --help shows is in the table, and so in every script", "[completion]") {
  std::istringstream in;
  std::ostringstream out, err;
  sluice::cli::run({"apply", "--help"}, in, out, err);
  std::string help = out.str();
  for (const std::string shell : {"bash", "zsh", "fish"}) {
    std::string script = sluice_out({"completion", shell});
    for (const std::string flag : {"--abort-previous", "--lease-seconds", "--kubeconfig", "--context"}) {
      CHECK(help.find(flag) != std::string::npos);
      CHECK(script.find(shell == "fish" ? "-l " + flag.substr(2) : flag) != std::string::npos);
    }
  }
}

TEST_CASE("completion: the zsh and fish scripts parse in their shells", "[completion]") {
  for (const std::string shell : {"zsh", "fish"}) {
    std::string program = sluice::test::find_program(shell);
    if (program.empty()) {
      WARN(shell << " is not installed: its script was not parsed");
      continue;
    }
    sluice::testing::TempDir dir("sluice-completion");
    auto script = dir.write("sluice." + shell, sluice_out({"completion", shell}));
    auto ran = sluice::test::run(program, {"-n", script.string()});
    INFO(ran.err);
    CHECK(ran.exit_code == 0);
  }
}

TEST_CASE("man: the page renders without groff warnings and documents verbs, flags and exit codes", "[man]") {
  std::string page = sluice_out({"man"});
  sluice::testing::TempDir dir("sluice-man");
  auto file = dir.write("sluice.1", page);
  std::string groff = sluice::test::find_program("groff");
  if (groff.empty()) {
    WARN("groff is not installed: the page was not rendered");
  } else {
    auto ran = sluice::test::run(groff, {"-man", "-Tutf8", "-ww", "-z", file.string()});
    CHECK(ran.err.empty());
    CHECK(ran.exit_code == 0);
  }
  for (const std::string text :
       {".SS \"sluice apply [options] PLAN\"", "\\fB\\-\\-lease\\-seconds\\fR", ".SS \"sluice image resolve",
        "\\fB8\\fR", "\\fB130\\fR", ".SH EXIT STATUS"}) {
    CHECK(page.find(text) != std::string::npos);
  }
}

namespace {

std::string read_doc(const std::string& name) {
  std::ifstream file(std::string(SLUICE_SOURCE_DIR) + "/docs/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The part of commands.md under the heading "## sluice <path>...".
std::string section(const std::string& doc, const std::string& path) {
  auto start = doc.find("\n## sluice " + path);
  if (start == std::string::npos) return "";
  auto end = doc.find("\n## ", start + 1);
  return doc.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

TEST_CASE("docs: commands.md documents every verb and every flag the parser takes", "[completion][docs]") {
  std::string doc = read_doc("commands.md");
  REQUIRE(!doc.empty());
  sluice::cli::CommandSpec root = sluice::cli::describe_command_line();
  std::string global = doc.substr(0, doc.find("\n## "));
  for (const auto& flag : sluice::cli::flag_names(root)) {
    INFO(flag);
    if (flag.rfind("--", 0) == 0) CHECK(global.find(flag) != std::string::npos);
  }
  std::vector<std::pair<std::string, const sluice::cli::CommandSpec*>> verbs;
  for (const auto& verb : root.commands) {
    if (verb.commands.empty()) verbs.emplace_back(verb.name, &verb);
    for (const auto& sub : verb.commands) verbs.emplace_back(verb.name + " " + sub.name, &sub);
  }
  REQUIRE(verbs.size() >= 11);
  for (const auto& [path, verb] : verbs) {
    INFO("sluice " << path);
    std::string text = section(doc, path);
    if (path == "validate") text = section(doc, "plan PLAN, sluice validate");
    REQUIRE(!text.empty());
    for (const auto& flag : sluice::cli::flag_names(*verb)) {
      INFO(flag);
      if (flag.rfind("--", 0) == 0 && flag != "--help") CHECK(text.find(flag) != std::string::npos);
    }
  }
}
