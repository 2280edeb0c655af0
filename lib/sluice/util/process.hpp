// Runs a local command with bounded time and output and captures what it
// writes: exec credential plugins (kube/auth) and Docker credential helpers
// (registry/auth). The one place the product starts other programs.
#pragma once

#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::util {

struct ProcessOptions {
  std::optional<std::map<std::string, std::string>> env;  // exactly this environment; none: inherit ours
  std::string input;        // written whole to stdin (keep it small: before output is read), then closed
  Duration timeout{10000};  // then the child is killed
  std::size_t max_output = std::size_t{1} << 20;  // per stream; more is read and dropped
};

struct ProcessOutput {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
};

// Absolute path of `command` (searched in `path_env`, a PATH value, when it
// has no '/'), or "" when there is no such executable file.
std::string find_executable(const std::string& command, const std::string& path_env);

// Runs argv[0] (a path, see find_executable) with signals at their defaults.
// Errors: timeout (child killed), internal (pipes or spawn failed).
Result<ProcessOutput> run_process(const std::vector<std::string>& argv, const ProcessOptions& options);

}  // namespace sluice::util
