#include <sluice/util/process.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <sstream>

extern char** environ;

namespace sluice::util {

namespace {

bool is_executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::vector<char*> c_strings(std::vector<std::string>& items) {
  std::vector<char*> out;
  out.reserve(items.size() + 1);
  for (auto& s : items) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Closes what it holds when it goes away.
struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() = default;
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    close_end(0);
    close_end(1);
  }
  bool open() { return ::pipe2(fd, O_CLOEXEC) == 0; }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
};

// A child may exit without reading its stdin; that must not kill us with
// SIGPIPE, and the process-wide disposition is not ours to change.
void write_ignoring_sigpipe(int fd, const std::string& data) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  std::size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  if (written < data.size() && errno == EPIPE) {
    timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

// Reads both pipes until they close or the deadline passes; false on
// timeout. Beyond `cap` bytes a stream is read and dropped, so the child never blocks on a full pipe.
bool drain(int out_fd, int err_fd, ProcessOutput& output, std::size_t cap,
           std::chrono::steady_clock::time_point deadline) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  char buffer[4096];
  while (open_fds > 0) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    int ready = ::poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        std::string& into = i == 0 ? output.out : output.err;
        into.append(buffer, std::min(static_cast<std::size_t>(n), cap - std::min(cap, into.size())));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  return true;
}

// Spawns with an empty signal mask and SIGPIPE, SIGINT and SIGTERM at their
// defaults: sluice blocks or ignores them, a child must start clean.
int spawn(pid_t& pid, std::vector<std::string> argv,
          const std::optional<std::map<std::string, std::string>>& env, Pipe& in, Pipe& out, Pipe& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int signal : {SIGPIPE, SIGINT, SIGTERM}) sigaddset(&defaults, signal);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> envs;
  if (env)
    for (const auto& [k, v] : *env) envs.push_back(fmt::format("{}={}", k, v));
  auto c_args = c_strings(argv);
  auto c_envs = c_strings(envs);
  int rc = posix_spawn(&pid, c_args[0], &actions, &attr, c_args.data(), env ? c_envs.data() : environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return rc;
}

}  // namespace

std::string find_executable(const std::string& command, const std::string& path_env) {
  if (command.empty()) return "";
  if (command.find('/') != std::string::npos) return is_executable(command) ? command : "";
  std::stringstream dirs(path_env);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + command;
    if (is_executable(candidate)) return candidate;
  }
  return "";
}

Result<ProcessOutput> run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) return make_error(ErrorKind::invalid, "no command to run");
  Pipe in, out, err;
  if (!in.open() || !out.open() || !err.open())
    return make_error(ErrorKind::internal, std::string("pipe: ") + std::strerror(errno));
  pid_t pid = 0;
  if (int rc = spawn(pid, argv, options.env, in, out, err); rc != 0)
    return make_error(ErrorKind::internal, fmt::format("starting '{}': {}", argv[0], std::strerror(rc)));
  in.close_end(0);
  out.close_end(1);
  err.close_end(1);
  write_ignoring_sigpipe(in.fd[1], options.input);
  in.close_end(1);
  ProcessOutput output;
  bool finished = drain(out.fd[0], err.fd[0], output, options.max_output,
                        std::chrono::steady_clock::now() + options.timeout);
  if (!finished) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!finished) {
    return make_error(ErrorKind::timeout,
                      fmt::format("'{}' did not finish within {} ms", argv[0], options.timeout.count()));
  }
  output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return output;
}

}  // namespace sluice::util
