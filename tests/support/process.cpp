#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace sluice::test {

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string key = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& x : extra) overridden = overridden || x.substr(0, x.find('=')) == key;
    if (!overridden) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits until `done()` holds, woken by inotify events `mask` on `watched`
// (no polling) and at least every 100 ms to notice a `process` (if any) that
// died without a word. False on timeout, or when it exited and `done()` still fails.
bool wait_until(const std::string& watched, std::uint32_t mask, Process* process,
                const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd >= 0) inotify_add_watch(fd, watched.c_str(), mask);
  bool ok = false;
  while (!(ok = done())) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || (process != nullptr && !process->running())) break;
    pollfd p{fd, POLLIN, 0};
    poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 100)));
    char buffer[4096];
    while (fd >= 0 && read(fd, buffer, sizeof buffer) > 0) {
    }
  }
  if (fd >= 0) close(fd);
  return ok || done();
}

// The line holding the first `text` in `content`, once that line has ended
// (or `complete`: nothing more will be written).
std::optional<std::string> line_containing(const std::string& content, const std::string& text,
                                           bool complete) {
  const auto at = content.find(text);
  if (at == std::string::npos) return std::nullopt;
  const auto end = content.find('\n', at);
  if (end == std::string::npos && !complete) return std::nullopt;
  const auto newline = content.rfind('\n', at);
  const auto begin = newline == std::string::npos ? 0 : newline + 1;
  return content.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "sluice-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

Process::Process(const std::string& program, const std::vector<std::string>& args,
                 const std::vector<std::string>& env, const std::string& input) {
  std::vector<std::string> argv_s = {program};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  const std::vector<std::string> env_s = merged_environment(env);
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const std::string out = dir_.file("stdout");
  const std::string err = dir_.file("stderr");
  // Stdin from a file, not a pipe: nothing to write while the child runs, so
  // no blocking and no SIGPIPE when it exits without reading.
  const std::string in = input.empty() ? "/dev/null" : dir_.file("stdin");
  if (!input.empty()) std::ofstream(in, std::ios::binary) << input;
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in_fd = open(in.c_str(), O_RDONLY);
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(program.c_str(), argv.data(), envp.data());
    _exit(127);
  }
}

Process::~Process() {
  if (pid_ > 0 && !exit_code_) terminate(std::chrono::seconds(5));
}

bool Process::running() {
  if (exit_code_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    exit_code_ = decode_status(status);
    return false;
  }
  return true;
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // A pidfd becomes readable when the child exits: no polling loop needed.
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  while (running()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (fd < 0 || poll(&p, 1, static_cast<int>(std::min<long>(left.count(), fd < 0 ? 10 : 1000))) < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // no pidfd (old kernel)
    }
  }
  if (fd >= 0) close(fd);
  return exit_code_;
}

int Process::terminate(std::chrono::milliseconds grace) {
  if (!running()) return *exit_code_;
  kill(pid_, SIGTERM);
  if (auto code = wait(grace)) return *code;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  exit_code_ = decode_status(status);
  return *exit_code_;
}

std::string Process::stdout_text() const {
  return read_all(dir_.file("stdout"));
}
std::string Process::stderr_text() const {
  return read_all(dir_.file("stderr"));
}

bool Process::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
  const std::string file = dir_.file("stdout");
  return wait_until(
      file, IN_MODIFY | IN_CLOSE_WRITE, this, [&] { return read_all(file).find(text) != std::string::npos; },
      timeout);
}

std::optional<std::string> Process::wait_for_line(Stream stream, const std::string& text,
                                                  std::chrono::milliseconds timeout) {
  const std::string file = dir_.file(stream == Stream::out ? "stdout" : "stderr");
  std::optional<std::string> line;
  wait_until(
      file, IN_MODIFY | IN_CLOSE_WRITE, this,
      [&] { return (line = line_containing(read_all(file), text, false)).has_value(); }, timeout);
  // A process that has exited may have ended its output without a newline.
  if (!line && !running()) line = line_containing(read_all(file), text, true);
  return line;
}

RunResult run(const std::string& program, const std::vector<std::string>& args,
              const std::vector<std::string>& env, std::chrono::milliseconds timeout,
              const std::string& input) {
  Process process(program, args, env, input);
  RunResult result;
  if (auto code = process.wait(timeout)) {
    result.exit_code = *code;
  } else {
    process.terminate(std::chrono::seconds(2));
  }
  result.out = process.stdout_text();
  result.err = process.stderr_text();
  return result;
}

bool wait_for_file(const std::string& path, std::chrono::milliseconds timeout, Process* process) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return wait_until(
      dir, IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE, process, [&] { return std::filesystem::exists(path); },
      timeout);
}

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace sluice::test
