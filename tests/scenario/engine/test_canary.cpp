// Canary rollouts on kubesim, gated by a real Prometheus scraping kubesim's
// simulated traffic every second, driven by the real sluice binary.
#include "scenario/engine/world.hpp"
#include "support/prometheus_process.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <thread>

using sluice::scenario::Json;
using sluice::scenario::SluiceRun;
using sluice::scenario::World;
using sluice::testing::PrometheusProcess;

namespace {

std::string image_of(const Json& deployment) {
  return deployment["spec"]["template"]["spec"]["containers"][0]["image"].get<std::string>();
}

// The canary's error ratio over the last few seconds of kubesim's traffic.
std::string error_rate_check(const PrometheusProcess& prom, const std::string& conditions,
                             const std::string& extra = "") {
  return "  error-rate:\n    prometheus:\n      address: " + prom.address() +
         "\n      query: >-\n"
         "        sum(rate(kubesim_http_requests_total{namespace=\"{{namespace}}\", "
         "pod_template_hash=\"{{canary_hash}}\", code=\"500\"}[5s]))\n"
         "        / sum(rate(kubesim_http_requests_total{namespace=\"{{namespace}}\", "
         "pod_template_hash=\"{{canary_hash}}\"}[5s]))\n" +
         conditions + "    interval: 1s\n    initialDelay: 3s\n" + extra;
}

const std::string k_judged = "    successCondition: result < 0.05\n    failureCondition: result >= 0.05\n";

// Prometheus scraping kubesim, whose Service `web` gets 100 requests per
// second: enough that a 20% error rate shows in any second of a canary pod's life.
std::unique_ptr<PrometheusProcess> busy_prometheus(World& w) {
  auto set = w.sim.control("PUT", "traffic", {{"rates", {{w.ns + "/web", 100}}}});
  if (set.status != 200) throw std::runtime_error("setting the traffic rate: " + set.body.dump());
  return std::make_unique<PrometheusProcess>(w.sim_port());
}

// Steps: `weight`% of the traffic, an error-rate analysis, then all of it.
std::string analysed_steps(int weight) {
  return "    steps:\n      - setWeight: " + std::to_string(weight) +
         "\n      - analysis: {checks: [error-rate]}\n      - setWeight: 100\n";
}

// An HTTPRoute "web" sending all its traffic to the stable Service.
void create_route(World& w) {
  Json route{{"apiVersion", "gateway.networking.k8s.io/v1"},
             {"kind", "HTTPRoute"},
             {"metadata", {{"name", "web"}, {"namespace", w.ns}}},
             {"spec",
              {{"parentRefs", Json::array({{{"name", "gateway"}}})},
               {"rules", Json::array({{{"backendRefs", Json::array({{{"name", "web"}, {"port", 80}}})}}})}}}};
  auto made =
      w.sim.request("POST", "/apis/gateway.networking.k8s.io/v1/namespaces/" + w.ns + "/httproutes", route);
  if (made.status != 201) throw std::runtime_error("creating the HTTPRoute: " + made.body.dump());
}

Json route_backends(World& w) {
  return w.sim.get_object("/apis/gateway.networking.k8s.io/v1/namespaces/" + w.ns +
                          "/httproutes/web")["spec"]["rules"][0]["backendRefs"];
}

// The traffic each SetWeight step reported, in order.
std::vector<Json> traffic_reports(const SluiceRun& run) {
  std::vector<Json> out;
  for (const auto& e : run.events)
    if (e["type"] == "progress" && e.contains("traffic")) out.push_back(e["traffic"]);
  return out;
}

bool has_event(const SluiceRun& run, const std::string& type) {
  for (const auto& e : run.events)
    if (e["type"] == type) return true;
  return false;
}

}  // namespace

TEST_CASE("canary: a healthy version goes 10% -> 50% -> 100% through Prometheus analysis") {
  // Given ten stable pods, a Prometheus scraping kubesim and a healthy v2
  World w(10);
  auto prom = busy_prometheus(w);
  auto plan = w.write_plan(
      "web.yaml",
      w.canary_plan(w.image("web", "2"),
                    "    steps:\n      - setWeight: 10\n      - analysis: {checks: [error-rate]}\n"
                    "      - setWeight: 50\n      - analysis: {checks: [error-rate]}\n"
                    "      - setWeight: 100\n    backgroundChecks: [error-rate]\n",
                    error_rate_check(*prom, k_judged, "    count: 2\n")));

  // When it is applied
  auto run = w.sluice({"apply", plan}, std::chrono::seconds(90));

  // Then it is promoted, each step reporting the weight the pods really give
  REQUIRE(run.exit_code == 0);
  CHECK((*run.last())["outcome"] == "Healthy");
  auto reports = traffic_reports(run);
  REQUIRE(reports.size() >= 3);
  CHECK(reports[0]["weight"] == 10);
  CHECK(reports[0]["measuredWeight"] == 10.0);
  CHECK(reports[0]["canaryReady"] == 1);
  CHECK(reports[1]["weight"] == 50);
  CHECK(reports[1]["measuredWeight"] == 50.0);
  CHECK(reports[2]["measuredWeight"] == 100.0);
  int successful = 0;
  for (const auto& e : run.events)
    if (e["type"] == "check_measured" && e["verdict"] == "Successful") ++successful;
  CHECK(successful >= 4);
  bool background_measured = false;
  for (const auto& e : run.events)
    background_measured = background_measured || (e["type"] == "check_measured" && e["gate"] == "Background");
  CHECK(background_measured);
  // and stable runs v2 at full size, the canary retired, capacity kept throughout
  auto stable = w.deployment("web");
  CHECK(image_of(stable).find("/web@sha256:") != std::string::npos);
  CHECK(image_of(stable) != w.first_image);
  CHECK(stable["spec"]["replicas"] == 10);
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 0);
  CHECK(w.serving_image("web") == image_of(stable));
  CHECK(w.min_ready("web") >= 10);
  CHECK(w.sluice({"status", "web", "-n", w.ns}).exit_code == 0);
}

TEST_CASE("canary: a 20% error rate is caught by the first analysis and rolled back, exit 3") {
  // Given a v2 that answers one request in five with a 500
  World w(4);
  auto prom = busy_prometheus(w);
  w.behave("web", {{"errorRate", 0.2}});
  auto plan = w.write_plan(
      "web.yaml", w.canary_plan(w.image("web", "2"), analysed_steps(25), error_rate_check(*prom, k_judged)));

  auto mark = w.audit_mark();
  auto run = w.sluice({"apply", plan}, std::chrono::seconds(90));

  // Then the failed measurement rolls it back: stable serves everything again
  REQUIRE(run.exit_code == 3);
  CHECK((*run.last())["outcome"] == "RolledBack");
  CHECK((*run.last())["message"].get<std::string>().find("error-rate") != std::string::npos);
  bool failed_measurement = false;
  for (const auto& e : run.events)
    failed_measurement = failed_measurement || (e["type"] == "check_measured" && e["verdict"] == "Failed");
  CHECK(failed_measurement);
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.deployment("web")["spec"]["replicas"] == 4);
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 0);
  CHECK(w.service("web")["spec"]["selector"] == Json{{"app", "web"}});  // unpinned again
  CHECK(w.min_ready("web") >= 4);
  // and the first write of the rollback pinned the Service to the stable pods, before the canary shrank
  std::vector<std::string> writes;
  Json log = w.sim.audit(mark);
  for (const auto& e : log["requests"])
    if (e["verb"] == "update" || e["verb"] == "patch") writes.push_back(e["path"].get<std::string>());
  auto is_service = [](const std::string& p) { return p.find("/services/web") != std::string::npos; };
  auto is_canary_scale = [](const std::string& p) {
    return p.find("/deployments/web-canary/scale") != std::string::npos;
  };
  auto pin = std::find_if(writes.begin(), writes.end(), is_service);
  auto last_canary_scale = std::find_if(writes.rbegin(), writes.rend(), is_canary_scale);
  REQUIRE(pin != writes.end());
  REQUIRE(last_canary_scale != writes.rend());
  CHECK(pin < last_canary_scale.base() - 1);
  CHECK(w.service_writes("web", mark) == 2);  // pinned to stable, then its own selector again
  // and `status` shows why, from the record
  auto status = w.sluice({"status", "web", "-n", w.ns});
  CHECK(status.exit_code == 3);
  CHECK(status.out.find("Failed") != std::string::npos);
}

TEST_CASE("canary: Prometheus stopped mid-analysis rolls back naming the data source, never promotes") {
  World w(4);
  auto prom = busy_prometheus(w);
  std::string address = prom->address();
  auto plan = w.write_plan(
      "web.yaml",
      w.canary_plan(w.image("web", "2"), analysed_steps(25),
                    error_rate_check(*prom, k_judged, "    count: 30\n    consecutiveErrorLimit: 2\n")));
  auto* apply = w.start_sluice({"apply", plan});

  // When Prometheus dies after the first measurement
  REQUIRE(apply->wait_for_output("check_measured", std::chrono::seconds(60)));
  prom->kill();
  auto code = apply->wait(std::chrono::seconds(60));

  // Then the errors are counted and it is rolled back, blaming the data source
  CHECK(code == std::optional<int>(3));
  std::string out = apply->stdout_text();
  CHECK(out.find("\"verdict\":\"Error\"") != std::string::npos);
  CHECK(out.find("data source") != std::string::npos);
  CHECK(out.find(address) != std::string::npos);
  CHECK(out.find("\"outcome\":\"Healthy\"") == std::string::npos);
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 0);
}

TEST_CASE(
    "canary: with automatic rollback off, a Prometheus outage holds it (exit 8), and abort rolls back") {
  World w(4);
  auto prom = busy_prometheus(w);
  auto plan = w.write_plan(
      "web.yaml",
      w.canary_plan(w.image("web", "2"), analysed_steps(25),
                    error_rate_check(*prom, k_judged, "    count: 30\n    consecutiveErrorLimit: 1\n") +
                        "rollback:\n  automatic: false\n"));
  auto* apply = w.start_sluice({"apply", plan});
  REQUIRE(apply->wait_for_output("check_measured", std::chrono::seconds(60)));
  prom->kill();

  REQUIRE(apply->wait(std::chrono::seconds(60)) == std::optional<int>(8));
  CHECK(apply->stdout_text().find("data source") != std::string::npos);
  auto status = w.sluice({"status", "web", "-n", w.ns});
  CHECK(status.exit_code == 8);
  CHECK(status.events.back()["rollout"]["pauseReason"] == "failed");
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 1);  // left as it was, for a human to decide
  CHECK(image_of(w.deployment("web")) == w.first_image);

  auto aborted = w.sluice({"abort", "web", "-n", w.ns});
  REQUIRE(aborted.exit_code == 0);
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 0);
}

TEST_CASE("canary: an inconclusive result pauses with exit 4 and promote continues") {
  // Given a v2 whose error rate is neither clearly good nor clearly bad
  World w(4);
  auto prom = busy_prometheus(w);
  w.behave("web", {{"errorRate", 0.2}});
  auto plan =
      w.write_plan("web.yaml", w.canary_plan(w.image("web", "2"), analysed_steps(25),
                                             error_rate_check(*prom,
                                                              "    successCondition: result < 0.05\n"
                                                              "    failureCondition: result > 0.5\n")));

  auto first = w.sluice({"apply", plan}, std::chrono::seconds(90));

  INFO(first.out);
  REQUIRE(first.exit_code == 4);
  CHECK((*first.last())["outcome"] == "Paused");
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 1);  // the canary keeps its share meanwhile
  auto status = w.sluice({"status", "web", "-n", w.ns});
  CHECK(status.exit_code == 4);
  CHECK(status.events.back()["rollout"]["pauseReason"] == "inconclusive");

  // When a human promotes it
  auto promoted = w.sluice({"promote", "web", "-n", w.ns}, std::chrono::seconds(60));

  // Then it goes on to 100% and is promoted
  REQUIRE(promoted.exit_code == 0);
  CHECK(image_of(w.deployment("web")) != w.first_image);
  CHECK(w.serving_image("web") == image_of(w.deployment("web")));
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 0);
  CHECK(w.min_ready("web") >= 4);
}

TEST_CASE("canary: Gateway API weights on an HTTPRoute carry the exact share") {
  // Given an HTTPRoute sending all traffic to the stable Service
  World w(4);
  auto prom = busy_prometheus(w);
  create_route(w);
  auto plan = w.write_plan(
      "web.yaml", w.canary_plan(w.image("web", "2"),
                                "    traffic: {gatewayRoute: {name: web}}\n    steps:\n      - setWeight: 5\n"
                                "      - analysis: {checks: [error-rate]}\n      - setWeight: 50\n"
                                "      - setWeight: 100\n",
                                error_rate_check(*prom, k_judged)));
  auto mark = w.audit_mark();

  auto run = w.sluice({"apply", plan}, std::chrono::seconds(90));

  // Then each step set exact weights, the canary sized for its share
  REQUIRE(run.exit_code == 0);
  auto reports = traffic_reports(run);
  REQUIRE(reports.size() >= 3);
  CHECK(reports[0]["measuredWeight"] == 5.0);
  CHECK(reports[0]["canaryReady"] == 1);
  CHECK(reports[1]["measuredWeight"] == 50.0);
  CHECK(reports[1]["canaryReady"] == 2);
  // and at the end stable carries everything on the new version, by the route and by the pods
  auto refs = route_backends(w);
  REQUIRE(refs.size() == 2);
  CHECK(refs[0]["name"] == "web");
  CHECK(refs[0]["weight"] == 100);
  CHECK(refs[1]["name"] == "web-canary");
  CHECK(refs[1]["weight"] == 0);
  CHECK(w.writes_to("/httproutes/web", mark) >= 4);
  CHECK(image_of(w.deployment("web")) != w.first_image);
  CHECK(w.deployment("web")["spec"]["replicas"] == 4);
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 0);
  CHECK(w.service("web")["spec"]["selector"] == Json{{"app", "web"}});
  CHECK(w.min_ready("web") >= 4);
}

TEST_CASE("canary: a failing Gateway API canary is cut off by one route write, then scaled down") {
  World w(4);
  auto prom = busy_prometheus(w);
  w.behave("web", {{"errorRate", 0.2}});
  create_route(w);
  auto plan = w.write_plan("web.yaml", w.canary_plan(w.image("web", "2"),
                                                     "    traffic: {gatewayRoute: {name: web}}\n    steps:\n"
                                                     "      - setWeight: 20\n"
                                                     "      - analysis: {checks: [error-rate]}\n",
                                                     error_rate_check(*prom, k_judged)));

  auto run = w.sluice({"apply", plan}, std::chrono::seconds(90));

  REQUIRE(run.exit_code == 3);
  auto refs = route_backends(w);
  CHECK(refs[0]["weight"] == 100);
  CHECK(refs[1]["weight"] == 0);
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 0);
  CHECK(image_of(w.deployment("web")) == w.first_image);
  CHECK(w.min_ready("web") >= 4);
}

TEST_CASE("canary: a manual pause stops with exit 4; abort returns all traffic to stable") {
  World w(4);
  auto plan = w.write_plan("web.yaml", w.canary_plan(w.image("web", "2"),
                                                     "    steps:\n      - setWeight: 50\n      - pause: {}\n"
                                                     "      - setWeight: 100\n"));
  auto first = w.sluice({"apply", plan});
  REQUIRE(first.exit_code == 4);
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 2);
  CHECK(w.deployment("web")["spec"]["replicas"] == 2);

  auto aborted = w.sluice({"abort", "web", "-n", w.ns});

  REQUIRE(aborted.exit_code == 0);
  CHECK((*aborted.last())["outcome"] == "Aborted");
  CHECK(has_event(aborted, "aborted"));
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.deployment("web")["spec"]["replicas"] == 4);
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 0);
  CHECK(w.service("web")["spec"]["selector"] == Json{{"app", "web"}});
  CHECK(w.min_ready("web") >= 4);

  // and the next version's canary replaces the retired one (a Deployment's selector cannot change)
  auto next =
      w.write_plan("v3.yaml", w.canary_plan(w.image("web", "3"), "    steps:\n      - setWeight: 50\n"));
  REQUIRE(w.sluice({"apply", next}).exit_code == 0);
  CHECK(image_of(w.deployment("web")).find("/web@sha256:") != std::string::npos);
  CHECK(image_of(w.deployment("web-canary")) == image_of(w.deployment("web")));  // v3's canary, not v2's
  CHECK(w.min_ready("web") >= 4);
}

TEST_CASE("canary: rollback after a promoted canary returns the stable Deployment to the old version") {
  World w(3);
  auto plan = w.write_plan("web.yaml", w.canary_plan(w.image("web", "2"),
                                                     "    steps:\n      - setWeight: 34\n"
                                                     "      - pause: {duration: 1s}\n"));
  REQUIRE(w.sluice({"apply", plan}).exit_code == 0);
  REQUIRE(image_of(w.deployment("web")) != w.first_image);

  auto back = w.sluice({"rollback", "web", "-n", w.ns});

  REQUIRE(back.exit_code == 0);
  CHECK(image_of(w.deployment("web")) == w.first_image);
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.min_ready("web") >= 3);
}

namespace {

using sluice::testing::LoopbackServer;

// A health endpoint and a webhook receiver on loopback; the webhook answers `webhook_status`.
struct CheckServer {
  explicit CheckServer(int webhook_status, std::chrono::milliseconds health_delay = {}) {
    server.server().Get("/healthz", [health_delay](const httplib::Request&, httplib::Response& res) {
      if (health_delay.count() > 0) std::this_thread::sleep_for(health_delay);  // a slow dependency
      res.set_content("status: ok", "text/plain");
    });
    server.server().Post("/approve",
                         [this, webhook_status](const httplib::Request& req, httplib::Response& res) {
                           {
                             std::lock_guard lock(mutex);
                             bodies.push_back(Json::parse(req.body, nullptr, false));
                           }
                           res.status = webhook_status;
                         });
    server.start();
  }
  std::string checks(const std::string& http_extra = "") const {
    return "  smoke:\n    http:\n      url: " + server.url("/healthz") + "\n      bodyMatch: ok\n" +
           http_extra + "    interval: 1s\n  approve:\n    webhook:\n      url: " + server.url("/approve") +
           "\n      timeout: 2s\n";
  }
  LoopbackServer server;
  std::mutex mutex;
  std::vector<Json> bodies;
};

const std::string k_gated_steps =
    "    steps:\n      - setWeight: 50\n      - analysis: {checks: [smoke, approve]}\n      - setWeight: "
    "100\n";

}  // namespace

TEST_CASE("canary: http and webhook checks on loopback gate a step") {
  // Given a healthy endpoint and an approval webhook that says yes
  World w(2);
  CheckServer checks(200);
  auto plan = w.write_plan("web.yaml", w.canary_plan(w.image("web", "2"), k_gated_steps, checks.checks()));

  auto run = w.sluice({"apply", plan}, std::chrono::seconds(60));

  // Then both pass and the webhook was told which rollout, step and weight it approved
  REQUIRE(run.exit_code == 0);
  std::lock_guard lock(checks.mutex);
  REQUIRE(checks.bodies.size() == 1);
  const Json& body = checks.bodies.front();
  CHECK(body["check"] == "approve");
  CHECK(body["rollout"] == "web");
  CHECK(body["namespace"] == w.ns);
  CHECK(body["strategy"] == "canary");
  CHECK(body["weight"] == 50);
  CHECK_FALSE(body["canaryHash"].get<std::string>().empty());
  CHECK_FALSE(body["stableHash"].get<std::string>().empty());
  CHECK(body["canaryHash"] != body["stableHash"]);
}

TEST_CASE("canary: a webhook answering non-2xx fails the step and rolls back") {
  World w(2);
  CheckServer checks(503);
  auto plan = w.write_plan("web.yaml", w.canary_plan(w.image("web", "2"), k_gated_steps, checks.checks()));

  auto run = w.sluice({"apply", plan}, std::chrono::seconds(60));

  REQUIRE(run.exit_code == 3);
  CHECK((*run.last())["message"].get<std::string>().find("approve") != std::string::npos);
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 0);
}

TEST_CASE("canary: an http check that times out is an Error that blames the data source") {
  // Given a health endpoint slower than the check's timeout
  World w(2);
  CheckServer checks(200, std::chrono::milliseconds(800));
  auto plan = w.write_plan("web.yaml", w.canary_plan(w.image("web", "2"), k_gated_steps,
                                                     checks.checks("      timeout: 200ms\n    count: 3\n"
                                                                   "    consecutiveErrorLimit: 1\n")));

  auto run = w.sluice({"apply", plan}, std::chrono::seconds(60));

  REQUIRE(run.exit_code == 3);
  std::string message = (*run.last())["message"].get<std::string>();
  CHECK(message.find("smoke") != std::string::npos);
  CHECK(message.find("data source") != std::string::npos);
  CHECK(w.serving_image("web") == w.first_image);
}

TEST_CASE("canary: replica traffic works without a Service in the plan") {
  World w(2);
  std::string yaml = w.canary_plan(w.image("web", "2"), "    steps:\n      - setWeight: 50\n");
  yaml.replace(yaml.find("  service: web\n"), 15, "");
  auto plan = w.write_plan("web.yaml", yaml);

  auto run = w.sluice({"apply", plan});

  REQUIRE(run.exit_code == 0);
  CHECK(image_of(w.deployment("web")) != w.first_image);
  CHECK(w.service("web")["spec"]["selector"] == Json{{"app", "web"}});  // never touched
}

TEST_CASE("canary: SIGTERM mid-pause saves the state (exit 130) and the next apply resumes there") {
  // Given a canary at 50% in a timed pause
  World w(4);
  auto plan =
      w.write_plan("web.yaml", w.canary_plan(w.image("web", "2"),
                                             "    steps:\n      - setWeight: 50\n"
                                             "      - pause: {duration: 3s}\n      - setWeight: 100\n"));
  auto* apply = w.start_sluice({"apply", plan});
  REQUIRE(apply->wait_for_output("\"stepName\":\"Pause(3s)\"", std::chrono::seconds(60)));

  // When the run is terminated
  int code = apply->terminate();

  // Then it stops at once with the step recorded as started, the canary still at its share
  CHECK(code == 130);
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 2);
  auto status = w.sluice({"status", "web", "-n", w.ns});
  REQUIRE(!status.events.empty());
  CHECK(status.events.front()["rollout"]["phase"] == "Progressing");
  CHECK(status.events.front()["lockHolder"] == "");
  Json pause_before = status.events.front()["rollout"]["steps"][2];
  REQUIRE(pause_before["name"] == "Pause(3s)");
  REQUIRE(pause_before["state"] == "Running");

  // and applying the same plan again resumes at the pause and finishes
  auto again = w.sluice({"apply", plan});
  REQUIRE(again.exit_code == 0);
  REQUIRE(!again.events.empty());
  CHECK(again.events.front()["resumed"] == true);
  bool created_again = false;
  for (const auto& e : again.events)
    created_again = created_again || (e["type"] == "step_started" && e["stepName"] == "CreateCanary");
  CHECK_FALSE(created_again);
  // the redone pause kept its first start: it waits only what was left of it
  auto after = w.sluice({"status", "web", "-n", w.ns});
  REQUIRE(!after.events.empty());
  CHECK(after.events.front()["rollout"]["steps"][2]["startedAt"] == pause_before["startedAt"]);
  CHECK(image_of(w.deployment("web")) != w.first_image);
  CHECK(w.deployment("web-canary")["spec"]["replicas"] == 0);
  CHECK(w.min_ready("web") >= 4);
}

TEST_CASE("canary: a gatewayRoute plan whose HTTPRoute is missing fails preflight, exit 6, nothing changed") {
  World w(2);
  auto mark = w.audit_mark();
  auto plan = w.write_plan("web.yaml", w.canary_plan(w.image("web", "2"),
                                                     "    traffic: {gatewayRoute: {name: no-such-route}}\n"
                                                     "    steps:\n      - setWeight: 50\n"));

  auto run = w.sluice({"apply", plan});

  REQUIRE(run.exit_code == 6);
  CHECK((*run.last())["message"].get<std::string>().find("no-such-route") != std::string::npos);
  int writes = 0;
  Json log = w.sim.audit(mark);
  for (const auto& e : log["requests"]) {
    std::string verb = e.value("verb", "");
    writes += verb == "create" || verb == "update" || verb == "patch" || verb == "delete";
  }
  CHECK(writes == 0);
}
