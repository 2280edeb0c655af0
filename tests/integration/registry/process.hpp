// Minimal child-process helpers for the registry integration tests: start a
// server and wait for a line of its output; run a command to completion.
// (Local to this folder until a shared tests/support/process helper exists.)
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sluice::registry::itest {

// A long-running child whose stdout+stderr are collected by a reader thread.
// The destructor stops it (SIGTERM, then SIGKILL) and reaps it.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The first output line containing `needle`, waiting at most `timeout`.
  std::optional<std::string> wait_for_line(const std::string& needle, std::chrono::milliseconds timeout);
  std::string output() const;

 private:
  void read_output(int fd);

  int pid_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string output_;
  bool closed_ = false;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv with `input` on stdin; extra_env entries are "NAME=value".
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = "",
                          const std::vector<std::string>& extra_env = {});

}  // namespace sluice::registry::itest
