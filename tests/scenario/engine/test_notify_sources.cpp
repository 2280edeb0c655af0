// Where a run's receivers and their secrets come from: a receiver's URL and
// signing key from a Kubernetes Secret in the rollout's namespace (read when
// the run starts, sent to the receiver, found nowhere else: output, events,
// the record, the cluster), and for abort the plan recorded with the rollout.
#include "scenario/engine/world.hpp"
#include "support/prometheus_process.hpp"

#include <sluice/util/base64.hpp>

#include <catch2/catch.hpp>

#include <mutex>

using sluice::scenario::Json;
using sluice::scenario::SluiceRun;
using sluice::scenario::World;
using namespace std::chrono_literals;

namespace {

const std::string k_planted_path = "planted-hook-path-6620";
const std::string k_planted_key = "planted-signing-key-6621";

// Everything of the namespace sluice may have written, and kubesim's audit log.
std::string cluster_dump(World& w) {
  std::string all;
  for (const std::string& kind :
       {"/api/v1/namespaces/" + w.ns + "/configmaps",
        "/apis/coordination.k8s.io/v1/namespaces/" + w.ns + "/leases",
        "/apis/apps/v1/namespaces/" + w.ns + "/deployments", "/api/v1/namespaces/" + w.ns + "/services",
        "/api/v1/namespaces/" + w.ns + "/events"})
    all += w.sim.get_object(kind).dump() + "\n";
  return all + w.sim.audit().dump();
}

}  // namespace

TEST_CASE("a receiver's secrets from a Kubernetes Secret are sent and appear nowhere else",
          "[scenario][notify]") {
  World w;
  sluice::testing::LoopbackServer receiver;
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> got;  // (X-Sluice-Event, X-Sluice-Signature)
  receiver.server().Post("/" + k_planted_path, [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    got.emplace_back(req.get_header_value("X-Sluice-Event"), req.get_header_value("X-Sluice-Signature"));
    res.status = 204;
  });
  receiver.start();
  Json secret{{"apiVersion", "v1"},
              {"kind", "Secret"},
              {"metadata", {{"name", "hooks"}, {"namespace", w.ns}}},
              {"type", "Opaque"},
              {"data",
               {{"url", sluice::util::base64_encode(receiver.url("/" + k_planted_path))},
                {"signing", sluice::util::base64_encode(k_planted_key)}}}};
  REQUIRE(w.sim.request("POST", "/api/v1/namespaces/" + w.ns + "/secrets", secret).status == 201);
  std::string plan = w.write_plan(
      "web.yaml",
      w.rolling_plan(w.image("web", "2"),
                     "notifications:\n  receivers:\n    - name: ci\n      webhook:\n"
                     "        url: {valueFrom: {secretKeyRef: {name: hooks, key: url}}}\n"
                     "        secret: {valueFrom: {secretKeyRef: {name: hooks, key: signing}}}\n"));

  SluiceRun run = w.sluice({"-vv", "apply", plan}, 90s);

  INFO(run.err);
  CHECK(run.exit_code == 0);
  {
    std::lock_guard lock(mutex);
    REQUIRE(got.size() == 2);
    CHECK(got[0].first == "started");
    CHECK(got[1].first == "succeeded");
    CHECK(got[1].second.rfind("sha256=", 0) == 0);
  }
  for (const std::string& planted : {k_planted_path, k_planted_key}) {
    INFO(planted);
    CHECK(run.out.find(planted) == std::string::npos);  // the -o json events
    CHECK(run.err.find(planted) == std::string::npos);  // warnings and -vv's request log
    CHECK(cluster_dump(w).find(planted) == std::string::npos);
  }
}

TEST_CASE("a receiver whose Secret is missing is left out with a warning that names the Secret",
          "[scenario][notify]") {
  World w;
  std::string plan = w.write_plan(
      "web.yaml", w.rolling_plan(w.image("web", "2"),
                                 "notifications:\n  receivers:\n    - name: ci\n      webhook:\n"
                                 "        url: {valueFrom: {secretKeyRef: {name: absent, key: url}}}\n"));

  SluiceRun run = w.sluice({"apply", plan}, 90s);

  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.err.find("receiver 'ci' url: reading Secret " + w.ns + "/absent") != std::string::npos);
}

TEST_CASE("abort tells the receivers of the plan recorded with the rollout", "[scenario][notify]") {
  World w(4);
  sluice::testing::LoopbackServer receiver;
  std::mutex mutex;
  std::vector<std::string> got;  // X-Sluice-Event of each notification
  receiver.server().Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    got.push_back(req.get_header_value("X-Sluice-Event"));
    res.status = 204;
  });
  receiver.start();
  std::string plan = w.write_plan(
      "web.yaml",
      w.canary_plan(w.image("web", "2"), "    steps:\n      - setWeight: 50\n      - pause: {}\n") +
          "notifications:\n  receivers:\n    - name: ci\n      webhook: {url: '" + receiver.url("/hook") +
          "'}\n      on: [paused, aborted]\n");
  REQUIRE(w.sluice({"apply", plan}).exit_code == 4);
  {
    std::lock_guard lock(mutex);
    CHECK(got == std::vector<std::string>{"paused"});
  }

  // No config file and no plan on the command line: the receiver comes from the record.
  auto aborted = w.sluice({"abort", "web", "-n", w.ns});

  INFO(aborted.err);
  REQUIRE(aborted.exit_code == 0);
  std::lock_guard lock(mutex);
  CHECK(got == std::vector<std::string>{"paused", "aborted"});
}
