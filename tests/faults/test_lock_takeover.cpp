// Lock takeover at each step: a holder frozen (SIGSTOP) past its lease is
// taken over by a second sluice; when the first wakes up it must stop
// without writing anything more, and the second must finish the rollout.
//
// Given  a world serving web:1 on 3 pods and `sluice apply --lease-seconds 2`
//        of web:2 frozen by SIGSTOP as the row's step starts,
// When   a second `sluice apply --lease-seconds 30` of the same plan takes the
//        lock over, is frozen itself, and the first is woken (SIGCONT),
// Then   the first exits 9 (lock lost) without one successful write to the cluster, the
//        second (woken) exits 0, web:2 serves alone, the serving invariant held
//        throughout, and `status -o json` records it Healthy with the lock free.
#include "faults/case_table.hpp"
#include "faults/fault_world.hpp"

#include <signal.h>

#include <thread>

namespace sluice::faults {
namespace {

struct TakeoverCase {
  Strategy strategy;
  int step;
};

std::vector<TakeoverCase> takeover_cases() {
  std::vector<TakeoverCase> rows;
  rows.push_back({Strategy::rolling, 1});  // its one step, RollOut
  for (int step = 1; step <= 5; ++step) rows.push_back({Strategy::blue_green, step});
  for (int step = 1; step <= 5; ++step) rows.push_back({Strategy::canary, step});
  return rows;
}

std::string name_of(const TakeoverCase& c) {
  return std::string(to_string(c.strategy)) + ": a holder frozen at step " + std::to_string(c.step) +
         " is taken over: woken it writes nothing more and the new holder finishes";
}

// Sends `signal` to `p` if it still runs.
void signal_if_running(test::Process& p, int signal) {
  if (p.running()) ::kill(p.pid(), signal);
}

void run_takeover_case(const TakeoverCase& c) {
  // Given
  FaultWorld f(c.strategy);
  auto plan = f.plan("web", "2");
  std::string digest = f.pinned("web", "2");
  f.latency(20);
  auto* first = f.w.start_sluice({"apply", "--lease-seconds", "2", plan});
  bool reached = f.wait_for(*first, at_step(c.step));
  signal_if_running(*first, SIGSTOP);
  f.clear_faults();
  INFO("first:\n" << first->stdout_text());
  REQUIRE(reached);

  // When
  auto* second = f.w.start_sluice({"apply", "--lease-seconds", "30", plan});
  bool took_over = f.wait_for(*second, Trigger{"info", 0, 1, "", 0}, std::chrono::seconds(20)) &&
                   second->stdout_text().find("took over the lock") != std::string::npos;
  signal_if_running(*second, SIGSTOP);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the second's last request is answered
  auto mark = f.w.audit_mark();
  ::kill(first->pid(), SIGCONT);
  auto first_code = first->wait(std::chrono::seconds(20));
  int first_writes = f.successful_writes(mark);
  Json first_requests = f.w.sim.audit(mark)["requests"];
  if (!first_code) first->terminate();
  ::kill(second->pid(), SIGCONT);
  auto second_code = second->wait(std::chrono::seconds(90));
  if (!second_code) second->terminate();

  // Then
  INFO("first after waking:\n" << first->stdout_text() << first->stderr_text());
  INFO("requests once the first woke: " << first_requests.dump());
  INFO("second:\n" << second->stdout_text() << second->stderr_text());
  REQUIRE(took_over);
  // docs/exit-codes.md: 9, the lock was lost. 0 only when the first's last write (its final record)
  // had landed before it froze: its outcome was decided while it held the lock, and it wrote nothing since.
  CHECK((first_code == std::optional<int>(9) ||
         (first_code == std::optional<int>(0) &&
          first->stdout_text().find("\"outcome\":\"Healthy\"") != std::string::npos)));
  CHECK(first_writes == 0);
  CHECK(second_code == std::optional<int>(0));
  f.expect_settled(digest, {"Healthy"}, 0, digest);
}

// Rows that fail today because of sluice bugs: name -> what was observed.
const std::map<std::string, std::string> k_pending = {};

[[maybe_unused]] const bool k_registered = register_rows<TakeoverCase>(
    takeover_cases(), name_of,
    [](const auto& row) { return std::string("[lock][") + to_string(row.strategy) + "]"; }, k_pending,
    run_takeover_case);

}  // namespace
}  // namespace sluice::faults
