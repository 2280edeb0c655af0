// kill -9 of a blue-green `abort` right after its first write, the live
// Service (issue 15: abort switches traffic back before the lock and the
// record, docs/commands.md). The record still says Paused; the Service
// carries the abort. Whatever runs next must finish the abort.
//
// Given  a blue-green rollout of web:2 paused before its switch (autoPromote off)
// When   `sluice abort` writes the Service and is killed while its Lease
//        request hangs (kubesim holds every Lease request, then refuses it)
// Then   `status` says the rollout is rolling back, the next `abort` (or
//        `apply` of the same plan) finishes the abort, web:1 serves alone,
//        the serving invariant held throughout, and the record says Aborted.
#include "faults/fault_world.hpp"

#include <catch2/catch.hpp>

#include <signal.h>

#include <thread>

namespace sluice::faults {
namespace {

// Waits (bounded) until kubesim answered an update of Service web since `mark`.
bool service_written(World& w, std::uint64_t mark, test::Process& p) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    Json log = w.sim.audit(mark);  // kept: a range-for over a temporary's member would dangle
    for (const auto& r : log["requests"])
      if (r.value("verb", "") == "update" && r.value("status", 0) == 200 &&
          r.value("path", "").find("/services/web") != std::string::npos)
        return true;
    if (!p.running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// Writes anything but the Service made since `mark` (the killed abort must have made none).
int other_writes(World& w, std::uint64_t mark) {
  int n = 0;
  Json log = w.sim.audit(mark);
  for (const auto& r : log["requests"]) {
    std::string verb = r.value("verb", "");
    bool write = verb == "create" || verb == "update" || verb == "patch" || verb == "delete";
    if (write && r.value("status", 0) < 300 && r.value("path", "").find("/services/web") == std::string::npos)
      ++n;
  }
  return n;
}

}  // namespace

TEST_CASE(
    "blueGreen: kill -9 of abort right after its Service write, then the next command finishes the abort",
    "[faults][kill][blueGreen][abort]") {
  // Given
  FaultWorld f(Strategy::blue_green);
  auto plan = f.w.write_plan("web.yaml", f.w.bluegreen_plan(f.w.image("web", "2"), false));
  std::string digest = f.pinned("web", "2");
  auto paused = f.w.sluice({"apply", plan}, std::chrono::seconds(60));
  INFO("apply:\n" << paused.out << paused.err);
  REQUIRE(paused.exit_code == 4);

  // When
  f.fault({{"verb", "*"}, {"path", "/leases"}, {"count", -1}, {"status", 503}, {"latencyMs", 20000}});
  auto mark = f.w.audit_mark();
  auto* abort = f.w.start_sluice({"abort", "web", "-n", f.w.ns});
  bool written = service_written(f.w, mark, *abort);
  if (abort->running()) ::kill(abort->pid(), SIGKILL);
  auto killed = abort->wait(std::chrono::seconds(30));
  f.clear_faults();
  INFO("killed abort:\n" << abort->stdout_text() << abort->stderr_text());
  REQUIRE(written);
  REQUIRE(killed == std::optional<int>(exit_after(SIGKILL)));
  CHECK(other_writes(f.w, mark) == 0);
  CHECK(f.w.service("web")["metadata"]["annotations"]["sluice.io/aborted"] == "web/1");

  // Then status tells the truth: traffic is back, the abort is unfinished
  auto status = f.w.sluice({"status", "web", "-n", f.w.ns});
  auto j = Json::parse(status.out, nullptr, false);
  INFO("status:\n" << status.out << status.err);
  REQUIRE(j.is_object());
  CHECK(j["rollout"]["phase"] == "RollingBack");
  CHECK(j["rollout"]["message"].get<std::string>().rfind("aborting: ", 0) == 0);

  SECTION("abort again") {
    auto next = f.w.sluice({"abort", "web", "-n", f.w.ns}, std::chrono::seconds(90));
    INFO("next abort:\n" << next.out << next.err);
    CHECK(next.exit_code == 0);
  }
  SECTION("apply the same plan") {
    auto next = f.w.sluice({"apply", plan}, std::chrono::seconds(90));
    INFO("next apply:\n" << next.out << next.err);
    CHECK(next.exit_code == 3);
  }
  f.expect_settled(f.w.first_image, {"Aborted"}, 3, digest);
}

}  // namespace sluice::faults
