// Runs Docker credential helpers (`docker-credential-<name> get`), the way the
// Docker CLI does: the server on stdin, {"Username","Secret"} JSON on stdout.
#include <sluice/registry/auth.hpp>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

extern char** environ;

namespace sluice::registry::detail {
namespace {

constexpr int k_helper_timeout_ms = 10000;
constexpr std::size_t k_max_helper_output = std::size_t{64} * 1024;

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) close(f);
  }
  void close_end(int i) {
    if (fd[i] >= 0) close(fd[i]);
    fd[i] = -1;
  }
};

// Reads stdout until EOF or the deadline; false on timeout.
bool read_all(int fd, std::string& out) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(k_helper_timeout_ms);
  char buf[4096];
  while (out.size() < k_max_helper_output) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r == 0) return false;
    if (r < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return true;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

// A helper may exit without reading stdin; that must not kill sluice with
// SIGPIPE, and the process-wide disposition is not ours to change.
void write_ignoring_sigpipe(int fd, const std::string& data) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t n = write(fd, data.data(), data.size());
  if (n < 0 && errno == EPIPE) {
    timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace

Result<std::string> run_credential_helper(const std::string& helper, const std::string& server) {
  std::string program = "docker-credential-" + helper;
  Pipe in, out;
  if (pipe2(in.fd, O_CLOEXEC) != 0 || pipe2(out.fd, O_CLOEXEC) != 0)
    return util::make_error(util::ErrorKind::internal, "cannot create pipes for " + program);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  std::string verb = "get";
  char* argv[] = {program.data(), verb.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return util::make_error(util::ErrorKind::unavailable, program + " not found in PATH");
  in.close_end(0);
  out.close_end(1);
  std::string input = server + "\n";
  write_ignoring_sigpipe(in.fd[1], input);
  in.close_end(1);
  std::string output;
  bool finished = read_all(out.fd[0], output);
  if (!finished) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!finished) return util::make_error(util::ErrorKind::timeout, program + " did not answer within 10s");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // Per the helper protocol, "credentials not found" on stdout means: nothing stored.
    if (output.find("credentials not found") != std::string::npos)
      return util::make_error(util::ErrorKind::not_found, "no credentials stored");
    return util::make_error(util::ErrorKind::unavailable, program + " get failed");
  }
  return output;
}

}  // namespace sluice::registry::detail
