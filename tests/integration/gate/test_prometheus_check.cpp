// The prometheus check against Debian's real Prometheus on loopback, scraping
// a fixed set of gauges every second.
#include <kubesim/traffic_http.hpp>
#include <sluice/gate/runner.hpp>
#include <sluice/http/client.hpp>
#include <sluice/metrics/prometheus.hpp>
#include <sluice/plan/condition.hpp>
#include <sluice/plan/model.hpp>

#include <catch2/catch.hpp>

#include "support/prometheus_process.hpp"

using namespace sluice;
using namespace std::chrono_literals;
using gate::Phase;
using gate::Verdict;

namespace {

const char* k_metrics =
    "# TYPE gate_test_value gauge\n"
    "gate_test_value{case=\"good\"} 0.01\n"
    "gate_test_value{case=\"bad\"} 0.5\n"
    "gate_test_value{case=\"meh\"} 0.07\n"
    "gate_test_value{case=\"nan\"} NaN\n";

kubesim::Json pod(const std::string& name, const std::string& hash, const std::string& image) {
  return {
      {"metadata",
       {{"name", name}, {"namespace", "default"}, {"labels", {{"app", "web"}, {"pod-template-hash", hash}}}}},
      {"spec", {{"containers", {{{"name", "app"}, {"image", image}}}}}},
      {"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

// A Service with two stable pods and one canary pod whose image answers 20% of requests with 500.
void add_canary(kubesim::Store& store, kubesim::SimConfig& config) {
  kubesim::ImageBehaviour broken;
  broken.error_rate = 0.2;
  config.set_behaviour("web:2", broken);
  kubesim::Json service{{"metadata", {{"name", "web"}, {"namespace", "default"}}},
                        {"spec", {{"selector", {{"app", "web"}}}}}};
  REQUIRE(store.create("services", service).ok());
  REQUIRE(store.create("pods", pod("web-s1-a", "s1", "web:1")).ok());
  REQUIRE(store.create("pods", pod("web-s1-b", "s1", "web:1")).ok());
  REQUIRE(store.create("pods", pod("web-c1-a", "c1", "web:2")).ok());
}

// Fixed gauges at /fixed and kubesim's simulated traffic at /metrics, plus a
// Prometheus scraping both, with at least one scrape done.
struct Stack {
  kubesim::Store store;
  kubesim::SimConfig config;
  kubesim::TrafficSimulator traffic{store, config};
  testing::LoopbackServer target;
  std::unique_ptr<testing::PrometheusProcess> prometheus;
  std::unique_ptr<http::Client> client = http::make_curl_client({});

  Stack() {
    add_canary(store, config);
    traffic.set_default_rate(300);  // 100 rps a pod: a 1 s scrape sees whole 20% error batches
    traffic.start(util::system_clock());
    target.server().Get("/fixed", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(k_metrics, "text/plain; version=0.0.4");
    });
    target.server().Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
      kubesim::serve_traffic(traffic, req, res);
    });
    target.start();
    prometheus = std::make_unique<testing::PrometheusProcess>(target.port(),
                                                              std::vector<std::string>{"/fixed", "/metrics"});
    metrics::PrometheusClient api(*client, prometheus->address(), 2s);
    bool scraped = testing::eventually(
        [&] {
          auto r = api.query("count(gate_test_value)");
          return r.ok() && r->samples.size() == 1 && r->samples[0].value == 4;
        },
        20s);
    if (!scraped) throw std::runtime_error("prometheus never scraped the test target");
  }
};

// One Prometheus per file: startup costs seconds.
Stack& shared_stack() {
  static Stack stack;
  return stack;
}

plan::Condition condition(const std::string& text) {
  auto parsed = plan::parse_condition(text);
  REQUIRE_FALSE(parsed.error.has_value());
  return plan::Condition{text, parsed.expr};
}

plan::Check value_check(const std::string& address) {
  plan::Check check;
  check.name = "value";
  check.source = plan::PrometheusSource{address, "sum(gate_test_value{case=\"{{service}}\"})"};
  check.success_condition = condition("result < 0.05");
  check.failure_condition = condition("result >= 0.1");
  return check;
}

gate::CheckContext context_for(const std::string& which) {
  gate::CheckContext context;
  context.service = which;
  return context;
}

}  // namespace

TEST_CASE("a prometheus check against a real Prometheus gives each phase") {
  Stack& stack = shared_stack();
  auto provider =
      gate::make_provider(value_check(stack.prometheus->address()), *stack.client, util::system_clock());
  struct Row {
    const char* which;
    Phase expected;
  };
  std::vector<Row> rows{{"good", Phase::successful},
                        {"bad", Phase::failed},
                        {"meh", Phase::inconclusive},
                        {"nan", Phase::error},
                        {"missing", Phase::error}};
  for (const auto& row : rows) {
    INFO(row.which);
    auto m = provider->measure(context_for(row.which), nullptr);
    INFO(m.message);
    CHECK(m.phase == row.expected);
  }
}

TEST_CASE("a query Prometheus rejects is an Error naming Prometheus' complaint") {
  Stack& stack = shared_stack();
  plan::Check check = value_check(stack.prometheus->address());
  check.source = plan::PrometheusSource{stack.prometheus->address(), "sum(gate_test_value"};
  auto m = gate::make_provider(check, *stack.client, util::system_clock())->measure({}, nullptr);
  CHECK(m.phase == Phase::error);
  CHECK(m.message.find("bad_data: ") != std::string::npos);
}

TEST_CASE("a baseline comparison reads both values from Prometheus") {
  Stack& stack = shared_stack();
  plan::Check check = value_check(stack.prometheus->address());
  check.source = plan::PrometheusSource{stack.prometheus->address(), "sum(gate_test_value{case=\"meh\"})"};
  check.baseline = plan::Baseline{"sum(gate_test_value{case=\"good\"})"};
  check.success_condition = condition("result <= baseline + 0.1");
  check.failure_condition.reset();
  auto m = gate::make_provider(check, *stack.client, util::system_clock())->measure({}, nullptr);
  CHECK(m.phase == Phase::successful);
  CHECK(m.value == Approx(0.07));
  CHECK(m.baseline == Approx(0.01));
}

TEST_CASE("an analysis against a real Prometheus runs to Successful on real time") {
  Stack& stack = shared_stack();
  plan::Check check = value_check(stack.prometheus->address());
  check.count = 3;
  check.interval = 100ms;
  auto specs = gate::CheckSpec{"value", gate::Limits::from(check),
                               gate::make_provider(check, *stack.client, util::system_clock())};
  auto started = std::chrono::steady_clock::now();
  auto result = gate::run_checks({specs}, context_for("good"), util::system_clock(), nullptr);
  CHECK(result.verdict == Verdict::successful);
  CHECK(result.checks.at(0).counts.successful == 3);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("a canary with a 20% error rate fails an error-rate check over kubesim's traffic metrics") {
  Stack& stack = shared_stack();
  plan::Check check;
  check.name = "error-rate";
  check.source = plan::PrometheusSource{
      stack.prometheus->address(),
      "sum(rate(kubesim_http_requests_total{service=\"{{service}}\",pod_template_hash=\"{{hash}}\",code="
      "\"500\"}[5s]))"
      " / "
      "sum(rate(kubesim_http_requests_total{service=\"{{service}}\",pod_template_hash=\"{{hash}}\"}[5s]))"};
  check.success_condition = condition("result < 0.05");
  check.failure_condition = condition("result >= 0.1");
  auto provider = gate::make_provider(check, *stack.client, util::system_clock());
  gate::CheckContext canary = context_for("web");
  canary.canary_hash = "c1";
  gate::CheckContext stable = context_for("web");
  stable.canary_hash = "s1";
  // rate() over 5s needs two scrapes of the traffic counters.
  REQUIRE(testing::eventually([&] { return provider->measure(stable, nullptr).phase != Phase::error; }, 15s));
  auto bad = provider->measure(canary, nullptr);
  INFO(bad.message);
  CHECK(bad.phase == Phase::failed);
  CHECK(bad.value.value_or(0) == Approx(0.2).margin(0.03));
  auto good = provider->measure(stable, nullptr);
  CHECK(good.phase == Phase::successful);
  CHECK(good.value == 0);
}

TEST_CASE("Prometheus stopped mid-analysis: errors are counted and the verdict is Error, never Successful") {
  Stack stack;  // its own instance: this test kills it
  plan::Check check = value_check(stack.prometheus->address());
  check.count = 50;
  check.interval = 100ms;
  check.consecutive_error_limit = 3;
  gate::CheckSpec spec{"value", gate::Limits::from(check),
                       gate::make_provider(check, *stack.client, util::system_clock())};
  std::vector<Phase> seen;
  auto result =
      gate::run_checks({spec}, context_for("good"), util::system_clock(), nullptr,
                       [&](const std::string&, const gate::Measurement& m, const gate::AnalysisRun&) {
                         seen.push_back(m.phase);
                         if (seen.size() == 2) stack.prometheus->kill();
                       });
  CHECK(result.verdict == Verdict::error);
  CHECK(seen == std::vector<Phase>{Phase::successful, Phase::successful, Phase::error, Phase::error,
                                   Phase::error, Phase::error});
  CHECK(result.message.find("the data source failed, not the version") != std::string::npos);
  CHECK(result.message.find("querying Prometheus at " + stack.prometheus->address()) != std::string::npos);
}
