// Missing metrics during a canary analysis: Prometheus down, answering an
// empty vector, or NaN. A measurement that could not be taken is an Error,
// never a pass: the canary must never be promoted on missing data.
//
// Given  a world serving web:1 on 3 pods, a real Prometheus, and a canary
//        plan for web:2 whose analysis (and, in one row, background check)
//        asks Prometheus,
// When   the row's data problem hits the analysis,
// Then   apply exits as documented (3 rolled back; 8 held when automatic
//        rollback is off, and a later abort exits 0), the stable Deployment
//        never runs web:2, web:1 serves alone at the end, the serving
//        invariant held throughout, and `status -o json` agrees.
#include "faults/case_table.hpp"
#include "faults/fault_world.hpp"

namespace sluice::faults {
namespace {

struct PromCase {
  const char* name;
  const char* query;
  bool kill_after_first_measurement;  // Prometheus goes down mid-analysis
  bool background;                    // the check runs as a background check, not an analysis step
  bool automatic_rollback;
};

std::vector<PromCase> prom_cases() {
  return {
      {"Prometheus killed mid-analysis", "vector(0)", true, false, true},
      {"Prometheus answering an empty vector", "sluice_faults_no_such_metric", false, false, true},
      {"Prometheus answering NaN", "0/0", false, false, true},
      {"Prometheus killed mid-analysis with automatic rollback off", "vector(0)", true, false, false},
      {"a background check answering an empty vector", "sluice_faults_no_such_metric", false, true, true},
  };
}

std::string name_of(const PromCase& c) {
  return std::string("canary: ") + c.name + ": never promoted and " +
         (c.automatic_rollback ? "rolled back (exit 3)" : "held (exit 8) until abort returns to stable");
}

std::string plan_yaml(World& w, const PromCase& c, const testing::PrometheusProcess& prom) {
  std::string steps = c.background
                          ? "    steps:\n      - setWeight: 34\n      - pause: {duration: 3s}\n"
                            "      - setWeight: 100\n    backgroundChecks: [metrics]\n"
                          : "    steps:\n      - setWeight: 34\n      - analysis: {checks: [metrics]}\n"
                            "      - setWeight: 100\n";
  std::string check = "  metrics:\n    prometheus:\n      address: " + prom.address() + "\n      query: '" +
                      c.query +
                      "'\n    successCondition: result < 0.05\n    failureCondition: result >= 0.05\n"
                      "    interval: 1s\n    count: 5\n    consecutiveErrorLimit: 1\n";
  std::string yaml = w.canary_plan(w.image("web", "2"), steps, check);
  if (!c.automatic_rollback) yaml += "rollback:\n  automatic: false\n";
  return yaml;
}

// Whether the stable Deployment `web` ever ran `digest`, from kubesim's serving records.
bool stable_ever_ran(World& w, const std::string& digest) {
  Json log = w.sim.audit(w.serving_since);
  for (const auto& e : log["serving"])
    if (e["kind"] == "Deployment" && e["name"] == "web" && e["state"].value("image", "") == digest)
      return true;
  return false;
}

void run_prom_case(const PromCase& c) {
  // Given
  FaultWorld f(Strategy::canary);
  auto prom = std::make_unique<testing::PrometheusProcess>(f.w.sim_port());
  auto plan = f.w.write_plan("web.yaml", plan_yaml(f.w, c, *prom));
  std::string digest = f.pinned("web", "2");

  // When
  auto* run = f.w.start_sluice({"apply", plan});
  bool measured = true;
  if (c.kill_after_first_measurement) {
    measured = f.wait_for(*run, Trigger{"check_measured", 0, 1, "", 0}, std::chrono::seconds(60));
    prom->kill();
  }
  auto code = run->wait(std::chrono::seconds(90));
  if (!code) run->terminate();
  std::string out = run->stdout_text();

  // Then
  INFO("apply:\n" << out << run->stderr_text());
  REQUIRE(measured);
  int expected = c.automatic_rollback ? 3 : 8;  // 8: a gate failed, automatic rollback off (held)
  CHECK(code == std::optional<int>(expected));
  CHECK(out.find("\"verdict\":\"Error\"") != std::string::npos);
  CHECK(out.find("\"outcome\":\"Healthy\"") == std::string::npos);
  CHECK(out.find("\"type\":\"promoted\"") == std::string::npos);
  CHECK_FALSE(stable_ever_ran(f.w, digest));
  if (!c.automatic_rollback) {
    auto aborted = f.w.sluice({"abort", "web", "-n", f.w.ns}, std::chrono::seconds(60));
    INFO("abort:\n" << aborted.out << aborted.err);
    CHECK(aborted.exit_code == 0);
    CHECK_FALSE(stable_ever_ran(f.w, digest));
  }
  f.expect_settled(f.w.first_image, {c.automatic_rollback ? "RolledBack" : "Aborted"}, 3, digest);
}

// Rows that fail today because of sluice bugs: name -> what was observed.
const std::map<std::string, std::string> k_pending = {};

[[maybe_unused]] const bool k_registered = register_rows<PromCase>(
    prom_cases(), name_of, [](const PromCase&) { return std::string("[prometheus][canary]"); }, k_pending,
    run_prom_case);

}  // namespace
}  // namespace sluice::faults
