// The webhook director with the sluice binary: a capture server on loopback
// answers the first POST 500 and the next 200; the failover goes through, the
// secret arrives as a header and appears in no output.
#include "support/kubesim_clusters.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "tree_paths.hpp"

#include <httplib.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <mutex>
#include <thread>

using Json = nlohmann::json;

namespace {

std::string sluice_binary() {
  const char* env = std::getenv("SLUICE_BIN");
  return env != nullptr ? env : std::string(SLUICE_BINARY_DIR) + "/sluice";
}

const char* const k_secret = "s3cr3t-glb-token";

// Answers the first POST 500, every later one 200, keeping what arrived.
class CaptureServer {
 public:
  CaptureServer() {
    server_.Post("/shares", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      bodies_.push_back(Json::parse(req.body, nullptr, false));
      secrets_.push_back(req.get_header_value("X-Glb-Token"));
      res.status = bodies_.size() == 1 ? 500 : 200;
      res.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  }
  ~CaptureServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/shares"; }
  std::vector<Json> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  std::vector<std::string> secrets() {
    std::lock_guard lock(mutex_);
    return secrets_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::vector<Json> bodies_;
  std::vector<std::string> secrets_;
};

}  // namespace

TEST_CASE("a webhook director answering 500 then 200 moves traffic; its secret stays out of the output",
          "[drill]") {
  // Given three regions and a GLB webhook that fails once
  CaptureServer glb;
  sluice::test::KubesimOptions fast;
  fast.sim_config = {{"timing", {{"controllerDelayMs", 2}, {"podDeleteMs", 5}}},
                     {"default", {{"startupMs", 20}}}};
  sluice::test::KubesimClusters clusters({"eu", "us", "ap"}, fast);
  for (const std::string& context : clusters.contexts()) {
    clusters[context].create_namespace("shop");
    clusters[context].create_deployment("shop", "web", "web:1", 2);
  }
  sluice::testing::TempDir dir("sluice-drill");
  const std::string secret_file = dir.write("token", std::string(k_secret) + "\n").string();
  const std::string drill = dir.write("drill.yaml", R"(apiVersion: sluice/v1
kind: Drill
metadata: {name: web-dr}
service:
  - {name: eu, context: eu, namespace: shop, deployment: web}
  - {name: us, context: us, namespace: shop, deployment: web}
  - {name: ap, context: ap, namespace: shop, deployment: web}
record: {context: us, namespace: shop}
director:
  webhook: {url: ")" + glb.url() + R"(", secretFrom: {file: )" +
                                                        secret_file + R"(}, header: X-Glb-Token}
failover: {from: eu}
)")
                                .string();
  auto run = [&](const std::string& verb) {
    return sluice::test::run(sluice_binary(),
                             {verb, drill, "--kubeconfig", clusters.kubeconfig_path(), "-vv"}, {},
                             std::chrono::seconds(60));
  };
  // When failing over from eu
  auto failover = run("failover");
  INFO(failover.out << failover.err);
  // Then it succeeds after the retry, sending the survivors all traffic
  REQUIRE(failover.exit_code == 0);
  auto bodies = glb.bodies();
  REQUIRE(bodies.size() == 2);
  CHECK(bodies[1]["action"] == "failover");
  CHECK(bodies[1]["shares"] == Json{{"ap", 50}, {"eu", 0}, {"us", 50}});
  // And failing back sends the shares it started from
  auto failback = run("failback");
  INFO(failback.out << failback.err);
  REQUIRE(failback.exit_code == 0);
  bodies = glb.bodies();
  REQUIRE(bodies.size() == 3);
  CHECK(bodies[2]["action"] == "failback");
  CHECK(bodies[2]["shares"] == Json{{"ap", 33}, {"eu", 34}, {"us", 33}});
  // And the secret arrived as the header every time, and is in no output
  for (const std::string& secret : glb.secrets()) CHECK(secret == k_secret);
  for (const std::string& output : {failover.out, failover.err, failback.out, failback.err})
    CHECK(output.find(k_secret) == std::string::npos);
}
