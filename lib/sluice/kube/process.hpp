// Runs a local command with a bounded time and captures its output: used for
// exec credential plugins. Private to the kube client.
#pragma once

#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <map>
#include <string>
#include <vector>

namespace sluice::kube::process {

struct Output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Absolute path of `command` (searched in PATH when it has no '/'), or "" when missing.
std::string find_executable(const std::string& command, const std::string& path_env);

// Runs argv[0] (an absolute path) with exactly `env`; stdin is /dev/null.
// timeout: the child is killed and an Error{timeout} returned.
util::Result<Output> run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                         util::Duration timeout);

}  // namespace sluice::kube::process
