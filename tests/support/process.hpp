// Test support: run another program (kubesim, kubectl, sluice, prometheus...)
// from a test. Spawn with arguments and extra environment, capture stdout and
// stderr to files, feed it stdin, wait for a file to appear (e.g. kubesim's
// kubeconfig) or a line of its output, and stop it with SIGTERM then SIGKILL;
// the destructor always reaps the child.
//
//   auto kubectl = sluice::test::run("/usr/bin/kubectl", {"get", "pods"}, {"KUBECONFIG=/tmp/kc"});
//   CHECK(kubectl.exit_code == 0);
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sluice::test {

// A temporary directory removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Which captured output of a Process to look at.
enum class Stream { out, err };

class Process {
 public:
  // Starts `program` with `args` (argv[0] is added); `env` entries "K=V"
  // are added to (or override) the current environment. The child reads
  // `input` on stdin, then end of file.
  Process(const std::string& program, const std::vector<std::string>& args,
          const std::vector<std::string>& env = {}, const std::string& input = "");
  ~Process();  // terminate() if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  int pid() const { return pid_; }
  bool running();
  // Exit code (128+signal when killed by a signal) once exited; nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; returns the exit code.
  int terminate(std::chrono::milliseconds grace = std::chrono::seconds(5));
  std::string stdout_text() const;
  std::string stderr_text() const;
  // Waits (inotify on the captured file) until stdout contains `text`;
  // false on timeout or when the process exits without printing it.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout);
  // Waits the same way until a whole line of `stream` contains `text` and
  // returns that line (without its newline); nullopt on timeout or exit first.
  std::optional<std::string> wait_for_line(Stream stream, const std::string& text,
                                           std::chrono::milliseconds timeout);

 private:
  int pid_ = -1;
  std::optional<int> exit_code_;
  TempDir dir_;
};

struct RunResult {
  int exit_code = -1;  // -1 when it timed out (and was killed)
  std::string out;
  std::string err;
};

// Runs to completion with `input` on stdin, killing the program after `timeout`.
RunResult run(const std::string& program, const std::vector<std::string>& args,
              const std::vector<std::string>& env = {},
              std::chrono::milliseconds timeout = std::chrono::seconds(60), const std::string& input = "");

// Waits (inotify, no polling) until `path` exists; false on timeout or when
// `process` (if given) exits first.
bool wait_for_file(const std::string& path, std::chrono::milliseconds timeout, Process* process = nullptr);

// Full path of an executable found on PATH or at an absolute path; empty when absent.
std::string find_program(const std::string& name);

}  // namespace sluice::test
