#include <sluice/util/process.hpp>

#include <catch2/catch.hpp>

#include <pthread.h>

#include <csignal>
#include <cstdlib>

using namespace sluice::util;

namespace {

ProcessOptions with_timeout(int ms) {
  ProcessOptions options;
  options.timeout = Duration{ms};
  return options;
}

}  // namespace

TEST_CASE("run_process captures stdout, stderr and the exit code") {
  auto ran = run_process({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, with_timeout(10000));
  REQUIRE(ran.ok());
  CHECK(ran->out == "out\n");
  CHECK(ran->err == "err\n");
  CHECK(ran->exit_code == 3);
}

TEST_CASE("run_process writes the input to stdin and closes it") {
  auto options = with_timeout(10000);
  options.input = "reg.example\n";
  auto ran = run_process({"/bin/sh", "-c", "read line; echo \"got $line\"; cat"}, options);
  REQUIRE(ran.ok());
  CHECK(ran->out == "got reg.example\n");
}

TEST_CASE("run_process passes exactly the given environment, else ours") {
  auto options = with_timeout(10000);
  options.env = std::map<std::string, std::string>{{"ONLY", "this"}};
  auto exact = run_process({"/usr/bin/env"}, options);
  REQUIRE(exact.ok());
  CHECK(exact->out == "ONLY=this\n");

  setenv("SLUICE_PROCESS_TEST", "inherited", 1);
  auto inherited = run_process({"/bin/sh", "-c", "echo $SLUICE_PROCESS_TEST"}, with_timeout(10000));
  unsetenv("SLUICE_PROCESS_TEST");
  REQUIRE(inherited.ok());
  CHECK(inherited->out == "inherited\n");
}

TEST_CASE("run_process kills a child that outlives its timeout") {
  auto ran = run_process({"/bin/sleep", "30"}, with_timeout(200));
  REQUIRE_FALSE(ran.ok());
  CHECK(ran.error().kind == ErrorKind::timeout);
  CHECK(ran.error().message == "'/bin/sleep' did not finish within 200 ms");
}

TEST_CASE("run_process keeps at most max_output bytes and never blocks the child") {
  auto options = with_timeout(10000);
  options.max_output = 10;
  auto ran = run_process({"/bin/sh", "-c", "head -c 200000 /dev/zero | tr '\\0' x"}, options);
  REQUIRE(ran.ok());
  CHECK(ran->out == std::string(10, 'x'));
  CHECK(ran->exit_code == 0);
}

TEST_CASE("run_process starts the child with SIGTERM at its default even when we block it") {
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, &old);
  auto ran = run_process({"/bin/sh", "-c", "kill -TERM $$; sleep 5; echo survived"}, with_timeout(10000));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  REQUIRE(ran.ok());
  CHECK(ran->out.empty());
  CHECK(ran->exit_code == 128 + SIGTERM);
}

TEST_CASE("find_executable searches PATH only for bare names") {
  CHECK(find_executable("sh", "/nonexistent:/bin") == "/bin/sh");
  CHECK(find_executable("sh", "/nonexistent").empty());
  CHECK(find_executable("/bin/sh", "") == "/bin/sh");
  CHECK(find_executable("", "/bin").empty());
}
