// Runs Docker credential helpers (`docker-credential-<name> get`), the way the
// Docker CLI does: the server on stdin, {"Username","Secret"} JSON on stdout.
#include <sluice/registry/auth.hpp>
#include <sluice/util/process.hpp>

#include <cstdlib>

namespace sluice::registry::detail {
namespace {

constexpr util::Duration k_helper_timeout{10000};
constexpr std::size_t k_max_helper_output = std::size_t{64} * 1024;

std::string path_env() {
  const char* path = std::getenv("PATH");
  return path == nullptr ? std::string() : std::string(path);
}

}  // namespace

Result<std::string> run_credential_helper(const std::string& helper, const std::string& server) {
  std::string program = "docker-credential-" + helper;
  std::string path = util::find_executable(program, path_env());
  if (path.empty()) return util::make_error(util::ErrorKind::unavailable, program + " not found in PATH");
  util::ProcessOptions options;
  options.input = server + "\n";
  options.timeout = k_helper_timeout;
  options.max_output = k_max_helper_output;
  auto ran = util::run_process({path, "get"}, options);
  if (!ran) {
    if (ran.error().kind == util::ErrorKind::timeout)
      return util::make_error(util::ErrorKind::timeout, program + " did not answer within 10s");
    return util::make_error(util::ErrorKind::unavailable, program + " get failed: " + ran.error().message);
  }
  if (ran->exit_code != 0) {
    // Per the helper protocol, "credentials not found" on stdout means: nothing stored.
    if (ran->out.find("credentials not found") != std::string::npos)
      return util::make_error(util::ErrorKind::not_found, "no credentials stored");
    return util::make_error(util::ErrorKind::unavailable, program + " get failed");
  }
  return ran->out;
}

}  // namespace sluice::registry::detail
