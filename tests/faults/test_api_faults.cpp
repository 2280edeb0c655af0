// Kubernetes API trouble during a rollout: 5xx and 429 bursts with and
// without Retry-After, added latency, dropped watches and a compaction (410)
// in the middle of a wait. A rollout of a good version must still finish.
//
// Given  a world serving web:1 on 3 pods and a plan rolling out web:2,
// When   the row's fault is injected once the rollout is under way,
// Then   apply exits 0, web:2 serves alone, the serving invariant held
//        throughout, and `status -o json` records it Healthy with the lock free.
#include "faults/case_table.hpp"
#include "faults/fault_world.hpp"

namespace sluice::faults {
namespace {

struct ApiFault {
  const char* name;
  bool mid_wait;  // injected at the wait's first progress event, else when step 1 starts
  std::function<void(FaultWorld&)> inject;
};

struct ApiCase {
  Strategy strategy;
  ApiFault fault;
};

// A burst of `status` on every kind of call the rollout makes, once each.
std::function<void(FaultWorld&)> burst(int status, int retry_after) {
  return [status, retry_after](FaultWorld& f) {
    for (const char* verb : {"get", "list", "watch", "create", "update", "patch"}) {
      Json rule{{"verb", verb}, {"path", "/namespaces/" + f.w.ns + "/"}, {"count", 2}, {"status", status}};
      if (retry_after > 0) rule["retryAfterSeconds"] = retry_after;
      f.fault(rule);
    }
  };
}

std::vector<ApiFault> api_faults() {
  return {
      {"a 500 burst without Retry-After", false, burst(500, 0)},
      {"a 503 burst without Retry-After", false, burst(503, 0)},
      {"a 503 burst with Retry-After: 1", false, burst(503, 1)},
      {"a 429 burst with Retry-After: 1", false, burst(429, 1)},
      {"a 429 burst without Retry-After", false, burst(429, 0)},
      {"200 ms added to every API call", false, [](FaultWorld& f) { f.latency(200); }},
      {"every watch dropped mid-wait", true,
       [](FaultWorld& f) { REQUIRE(f.w.sim.control("POST", "watches/drop").status == 200); }},
      {"a compaction (410 on resume) mid-wait", true,
       [](FaultWorld& f) {
         REQUIRE(f.w.sim.control("POST", "compact").status == 200);
         REQUIRE(f.w.sim.control("POST", "watches/drop").status == 200);
       }},
  };
}

std::vector<ApiCase> api_cases() {
  std::vector<ApiCase> rows;
  for (auto s : {Strategy::rolling, Strategy::blue_green, Strategy::canary})
    for (const auto& fault : api_faults()) rows.push_back({s, fault});
  return rows;
}

std::string name_of(const ApiCase& c) {
  return std::string(to_string(c.strategy)) + ": " + c.fault.name + " during the rollout: it still finishes";
}

void run_api_case(const ApiCase& c) {
  // Given
  FaultWorld f(c.strategy);
  auto plan = f.plan("web", "2");
  std::string digest = f.pinned("web", "2");

  // When
  auto* run = f.w.start_sluice({"apply", plan});
  bool seen = f.wait_for(*run, c.fault.mid_wait ? mid_wait(f.wait_step()) : at_step(1));
  if (seen) c.fault.inject(f);
  auto code = run->wait(std::chrono::seconds(90));
  std::string out = run->stdout_text();
  if (!code) run->terminate();
  f.clear_faults();

  // Then
  INFO("apply:\n" << out << run->stderr_text());
  REQUIRE(seen);
  CHECK(code == std::optional<int>(0));
  CHECK(out.find("\"outcome\":\"Healthy\"") != std::string::npos);
  f.expect_settled(digest, {"Healthy"}, 0, digest);
}

// Rows that fail today because of sluice bugs: name -> what was observed.
const std::map<std::string, std::string> k_pending = {};

[[maybe_unused]] const bool k_registered = register_rows<ApiCase>(
    api_cases(), name_of,
    [](const auto& row) { return std::string("[api][") + to_string(row.strategy) + "]"; }, k_pending,
    run_api_case);

}  // namespace
}  // namespace sluice::faults
