// `sluice doctor PLAN` beyond the cluster, the real binary against real
// servers on loopback: the image in Debian's docker-registry, the checks'
// Prometheus, and HTTP/webhook endpoints that must only be connected to.
#include "integration/registry/registry_server.hpp"
#include "support/kubesim_fixture.hpp"
#include "support/prometheus_process.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include "tree_paths.hpp"

using sluice::registry::Platform;
using sluice::registry::itest::Auth;
using sluice::registry::itest::RegistryServer;
using sluice::test::Kubesim;
using sluice::testing::TempDir;

namespace {

std::string sluice_bin() {
  const char* bin = std::getenv("SLUICE_BIN");
  return bin != nullptr ? bin : SLUICE_BINARY_DIR "/sluice";
}

// HOME and DOCKER_CONFIG point at nothing: the developer's own credentials are never read.
sluice::test::RunResult doctor(const Kubesim& sim, const std::string& plan, std::vector<std::string> env = {},
                               const std::vector<std::string>& flags = {}) {
  static TempDir home("sluice-home");
  env.push_back("HOME=" + home.path().string());
  env.push_back("DOCKER_CONFIG=");
  std::vector<std::string> args{"--kubeconfig", sim.kubeconfig_path()};
  args.insert(args.end(), flags.begin(), flags.end());
  args.insert(args.end(), {"doctor", "--timeout", "3", plan});
  return sluice::test::run(sluice_bin(), args, env, std::chrono::seconds(60));
}

// Namespace shop with Deployment and Service web, as a plan's target.
void add_target(Kubesim& sim) {
  sim.create_namespace("shop");
  sim.create_deployment("shop", "web", "web:1", 1);
  sim.create_service("shop", "web", {{"app", "web"}});
}

std::string write_plan(const TempDir& dir, const std::string& image, const std::string& checks = "") {
  std::string path = (dir.path() / "plan.yaml").string();
  std::string names;
  std::istringstream lines(checks);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > 3 && line[2] != ' ' && line.back() == ':')
      names += (names.empty() ? "" : ", ") + line.substr(2, line.size() - 3);
  }
  std::ofstream(path) << "apiVersion: sluice/v1\nkind: Plan\nmetadata: {name: web}\n"
                         "target: {namespace: shop, deployment: web, service: web}\nimage: "
                      << image << "\nplatforms: [linux/amd64]\n"
                      << "strategy: {rolling: {maxSurge: 1, maxUnavailable: 0, checks: [" << names << "]}}\n"
                      << (checks.empty() ? "" : "checks:\n" + checks);
  return path;
}

std::string prometheus_check(const std::string& name, const std::string& address, const std::string& query) {
  return "  " + name + ":\n    prometheus: {address: '" + address + "', query: '" + query +
         "'}\n    successCondition: result < 1\n";
}

std::string url_check(const std::string& name, const std::string& kind, const std::string& url) {
  return "  " + name + ":\n    " + kind + ": {url: '" + url + "'}\n";
}

bool has_line(const std::string& out, const std::string& line) {
  return out.find(line + "\n") != std::string::npos;
}

// Gauges at /fixed, scraped every second, and a count of every request that
// reached /healthz or /hook (the doctor must send none).
struct Endpoints {
  sluice::testing::LoopbackServer target;
  std::atomic<int> probed{0};
  std::unique_ptr<sluice::testing::PrometheusProcess> prometheus;

  Endpoints() {
    target.server().Get("/fixed", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("# TYPE doctor_value gauge\ndoctor_value{case=\"web\"} 0.25\n",
                      "text/plain; version=0.0.4");
    });
    auto count = [this](const httplib::Request&, httplib::Response& res) {
      ++probed;
      res.status = 500;
    };
    target.server().Get("/healthz", count);
    target.server().Post("/hook", count);
    target.start();
    prometheus = std::make_unique<sluice::testing::PrometheusProcess>(target.port(),
                                                                      std::vector<std::string>{"/fixed"});
  }
};

}  // namespace

TEST_CASE("doctor PLAN checks the image and every check endpoint, warning on a query without data",
          "[integration][doctor][endpoints]") {
  Kubesim sim;
  add_target(sim);
  RegistryServer registry(Auth::none);
  std::string digest = registry.push_image("web", "2", Platform{"linux", "amd64", ""});
  Endpoints endpoints;
  std::string prom = endpoints.prometheus->address();
  TempDir dir;
  std::string plan =
      write_plan(dir, registry.host() + "/web:2",
                 prometheus_check("errors", prom, "sum(doctor_value{case=\"{{service}}\"})") +
                     prometheus_check("fresh", prom, "sum(doctor_value{case=\"{{canary_hash}}\"})") +
                     url_check("health", "http", endpoints.target.url("/healthz")) +
                     url_check("approve", "webhook", endpoints.target.url("/hook")));
  // The gauge is there once Prometheus has scraped: the first scrape comes within a second or two.
  sluice::test::RunResult result;
  REQUIRE(sluice::testing::eventually(
      [&] {
        result = doctor(sim, plan);
        return result.out.find("the query returns 0.25") != std::string::npos;
      },
      std::chrono::seconds(20)));
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(has_line(result.out, "  ok    image " + registry.host() + "/web:2: " + digest + " (linux/amd64)"));
  CHECK(result.out.find("  ok    check errors: Prometheus ") != std::string::npos);
  CHECK(result.out.find("  warn  check fresh: Prometheus ") != std::string::npos);
  CHECK(result.out.find("the query returns no data yet (expected before the new version runs)") !=
        std::string::npos);
  CHECK(has_line(result.out, "  ok    check health: connects to " + endpoints.target.url("/healthz") +
                                 " (its status is judged during the rollout)"));
  CHECK(has_line(result.out, "  ok    check approve: connects to " + endpoints.target.url("/hook") +
                                 " (not POSTed: the receiver may act on it)"));
  CHECK(endpoints.probed == 0);

  // -o json: the same checks, one object a line, the warning marked and not failing.
  auto json = doctor(sim, plan, {}, {"-o", "json"});
  INFO(json.out);
  CHECK(json.exit_code == 0);
  CHECK(json.out.find(R"("check":"check fresh","ok":true,"warning":true,)") != std::string::npos);
  CHECK(json.out.find(R"("check":"image )" + registry.host() + R"(/web:2","ok":true,"warning":false,)") !=
        std::string::npos);
  CHECK(endpoints.probed == 0);
}

TEST_CASE("doctor PLAN names a missing tag, a query that does not parse and unreachable endpoints, exit 6",
          "[integration][doctor][endpoints]") {
  Kubesim sim;
  add_target(sim);
  RegistryServer registry(Auth::none);
  registry.push_image("web", "2", Platform{"linux", "amd64", ""});
  Endpoints endpoints;
  std::string prom = endpoints.prometheus->address();
  std::string closed = "http://127.0.0.1:" + std::to_string(sluice::testing::free_loopback_port());
  TempDir dir;
  std::string plan =
      write_plan(dir, registry.host() + "/web:9",
                 prometheus_check("typo", prom, "sum(doctor_value") + prometheus_check("gone", closed, "up") +
                     url_check("health", "http", closed + "/healthz") +
                     url_check("nowhere", "http", "http://no-such-host.invalid/healthz") +
                     url_check("approve", "webhook", "http://hook.shop.svc.cluster.local/approve"));
  auto result = doctor(sim, plan);
  INFO(result.out << result.err);
  CHECK(result.exit_code == 6);
  CHECK(has_line(result.out, "  FAIL  image " + registry.host() + "/web:9: tag \"9\" not found"));
  CHECK(result.out.find("  FAIL  check typo: the query does not parse: bad_data: ") != std::string::npos);
  CHECK(result.out.find("  FAIL  check gone: Prometheus at " + closed + " unreachable: ") !=
        std::string::npos);
  CHECK(result.out.find("  FAIL  check health: cannot connect to " + closed + "/healthz: ") !=
        std::string::npos);
  CHECK(result.out.find("  FAIL  check nowhere: host no-such-host.invalid does not resolve") !=
        std::string::npos);
  CHECK(has_line(
      result.out,
      "  warn  check approve: hook.shop.svc.cluster.local does not resolve from here: the check runs "
      "where sluice runs, so http://hook.shop.svc.cluster.local/approve must be reachable from there"));
}

TEST_CASE("doctor PLAN says the registry refused the credentials without printing them",
          "[integration][doctor][endpoints]") {
  Kubesim sim;
  add_target(sim);
  RegistryServer registry(Auth::htpasswd);
  registry.push_image("web", "2", Platform{"linux", "amd64", ""});
  TempDir dir;
  std::string plan = write_plan(dir, registry.host() + "/web:2");
  auto result = doctor(sim, plan, {"REGISTRY_USERNAME=alice", "REGISTRY_PASSWORD=not-the-password-93"});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 6);
  CHECK(has_line(result.out, "  FAIL  image " + registry.host() + "/web:2: " + registry.host() +
                                 " rejected the credentials from REGISTRY_USERNAME/REGISTRY_PASSWORD"));
  CHECK((result.out + result.err).find("not-the-password-93") == std::string::npos);

  auto good = doctor(
      sim, plan,
      {"REGISTRY_USERNAME=alice", std::string("REGISTRY_PASSWORD=") + sluice::registry::itest::k_password});
  INFO(good.out << good.err);
  CHECK(good.out.find("  ok    image " + registry.host() + "/web:2: sha256:") != std::string::npos);
}
