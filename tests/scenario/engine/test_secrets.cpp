// Planted secrets: a plan with a unique secret in every place a credential
// can be (header, basic-auth password, URL user-info, URL query token and
// api_key, env, file and Secret references) run through every command at
// every verbosity, in text and JSON. No planted string may appear in any
// output, in any object sluice wrote or in kubesim's audit log - and the
// check server must really receive the referenced secrets.
#include "scenario/engine/world.hpp"
#include "support/prometheus_process.hpp"

#include <sluice/util/base64.hpp>

#include <httplib.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <mutex>
#include "tree_paths.hpp"

using namespace sluice::scenario;
using sluice::testing::LoopbackServer;

namespace {

const std::string k_header = "planted-header-5b1c";
const std::string k_password = "planted-password-8d2e";
const std::string k_userinfo = "planted-userinfo-3f7a";
const std::string k_query_token = "planted-querytoken-9a4b";
const std::string k_api_key = "planted-apikey-2c6d";
const std::string k_env = "planted-env-7e1f";
const std::string k_file = "planted-file-4a9c";
const std::string k_secret_ref = "planted-secretref-6b3d";
const std::string k_prom_password = "planted-prompw-1d8e";
const std::vector<std::string> k_planted = {k_header, k_password, k_userinfo,   k_query_token,  k_api_key,
                                            k_env,    k_file,     k_secret_ref, k_prom_password};

std::string basic(const std::string& user, const std::string& password) {
  return "Basic " + sluice::util::base64_encode(user + ":" + password);
}

// Answers 200 only when a request carries the credentials its path expects,
// so a check passes only if sluice really sent them.
struct CheckServer {
  CheckServer() {
    expect("/inline", [](const httplib::Request& r) {
      return r.get_header_value("Authorization") == basic("probe", k_userinfo) &&
             r.get_header_value("X-Api-Key") == k_header && r.get_param_value("token") == k_query_token &&
             r.get_param_value("api_key") == k_api_key;
    });
    expect("/approve", [](const httplib::Request& r) {
      return r.get_header_value("Authorization") == basic("bot", k_password);
    });
    expect("/env", [](const httplib::Request& r) {
      return r.get_header_value("Authorization") == "Bearer " + k_env;
    });
    expect("/file", [](const httplib::Request& r) { return r.get_header_value("X-File-Token") == k_file; });
    expect("/secret", [](const httplib::Request& r) {
      return r.get_header_value("Authorization") == basic("reader", k_secret_ref);
    });
    server.start();
  }

  void expect(const std::string& path, std::function<bool(const httplib::Request&)> ok) {
    auto handler = [this, path, ok](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      std::string seen = req.target;
      for (const auto& [name, value] : req.headers) seen += "\n" + name + ": " + value;
      requests.push_back(path + " " + seen);
      res.status = ok(req) ? 200 : 401;
      res.set_content(res.status == 200 ? "ok" : "unauthorized", "text/plain");
    };
    server.server().Get(path, handler);
    server.server().Post(path, handler);
  }

  int count(const std::string& path) {
    std::lock_guard lock(mutex);
    return static_cast<int>(std::count_if(requests.begin(), requests.end(),
                                          [&](const std::string& r) { return r.rfind(path + " ", 0) == 0; }));
  }
  std::string all_requests() {
    std::lock_guard lock(mutex);
    std::string all;
    for (const auto& r : requests) all += r + "\n";
    return all;
  }

  LoopbackServer server;
  std::mutex mutex;
  std::vector<std::string> requests;
};

std::string checks_yaml(CheckServer& s, const std::string& secret_file) {
  std::string host = "127.0.0.1:" + std::to_string(s.server.port());
  return "  inline:\n    http:\n      url: 'http://probe:" + k_userinfo + "@" + host +
         "/inline?token=" + k_query_token + "&api_key=" + k_api_key +
         "'\n      headers: {X-Api-Key: " + k_header +
         "}\n    interval: 1s\n    consecutiveErrorLimit: 0\n"
         "  approve:\n    webhook:\n      url: http://" +
         host +
         "/approve\n"
         "      basicAuth: {username: bot, password: " +
         k_password +
         "}\n"
         "  env:\n    http:\n      url: http://" +
         host +
         "/env\n"
         "      bearerToken: {valueFrom: {env: SLUICE_TEST_PROBE_TOKEN}}\n"
         "  file:\n    http:\n      url: http://" +
         host +
         "/file\n"
         "      headers: {X-File-Token: {valueFrom: {file: " +
         secret_file +
         "}}}\n"
         "  secret:\n    http:\n      url: http://" +
         host +
         "/secret\n"
         "      basicAuth: {username: reader, password: {valueFrom: {secretKeyRef: {name: probe-creds, key: "
         "password}}}}\n";
}

// Inline secrets pass on apply; after the pause only referenced ones can be sent.
const std::string k_gated =
    "    steps:\n      - setWeight: 50\n      - analysis: {checks: [inline, approve, env, file, secret]}\n"
    "      - pause: {}\n      - analysis: {checks: [env, file, secret]}\n      - setWeight: 100\n";
// An inline secret needed after the pause: the continuing command cannot send it.
const std::string k_inline_after_pause =
    "    steps:\n      - setWeight: 50\n      - pause: {}\n      - analysis: {checks: [inline]}\n";

std::string sluice_binary() {
  const char* env = std::getenv("SLUICE_BIN");
  return env != nullptr ? env : std::string(SLUICE_BINARY_DIR) + "/sluice";
}

struct Mode {
  std::string verbosity;  // "", "-v", "-vv"
  bool json = false;
  std::string name() const { return (verbosity.empty() ? "quiet" : verbosity) + (json ? " json" : " text"); }
};

// Runs sluice in `mode` and collects everything it printed into `seen`.
struct Runner {
  World& w;
  std::string& seen;
  Mode mode;
  sluice::test::RunResult operator()(std::vector<std::string> args) {
    std::vector<std::string> all{"--kubeconfig", w.sim.kubeconfig_path()};
    if (mode.json) all.insert(all.end(), {"-o", "json"});
    if (!mode.verbosity.empty()) all.push_back(mode.verbosity);
    all.insert(all.end(), args.begin(), args.end());
    auto r = sluice::test::run(sluice_binary(), all, {"SLUICE_TEST_PROBE_TOKEN=" + k_env},
                               std::chrono::seconds(90));
    seen += "\n--- " + mode.name() + " " + args.front() + "\n" + r.out + r.err;
    return r;
  }
};

// Every object in the namespace a rollout touches, and the audit log.
std::string cluster_dump(World& w) {
  std::string all;
  for (const char* path :
       {"/api/v1/namespaces/shop/configmaps", "/apis/coordination.k8s.io/v1/namespaces/shop/leases",
        "/apis/apps/v1/namespaces/shop/deployments", "/apis/apps/v1/namespaces/shop/replicasets",
        "/api/v1/namespaces/shop/services", "/api/v1/namespaces/shop/events", "/api/v1/namespaces/shop/pods"})
    all += w.sim.get_object(path).dump() + "\n";
  return all + w.sim.audit().dump();
}

void require_no_planted(const std::string& where, const std::string& text) {
  for (const auto& secret : k_planted) {
    INFO(where << " holds " << secret);
    CHECK(text.find(secret) == std::string::npos);
  }
}

}  // namespace

TEST_CASE(
    "secrets: no planted secret reaches output, the cluster or the audit log, and references are sent") {
  World w(2);
  CheckServer server;
  std::string secret_file = w.dir.file("probe-token");
  std::ofstream(secret_file) << k_file << "\n";
  Json secret{{"apiVersion", "v1"},
              {"kind", "Secret"},
              {"metadata", {{"name", "probe-creds"}, {"namespace", w.ns}}},
              {"type", "Opaque"},
              {"data", {{"password", sluice::util::base64_encode(k_secret_ref)}}}};
  auto created = w.sim.request("POST", "/api/v1/namespaces/" + w.ns + "/secrets", secret);
  REQUIRE(created.status == 201);
  std::string checks = checks_yaml(server, secret_file);
  int closed_port = sluice::testing::free_loopback_port();
  std::string seen;
  int tag = 2;

  for (const Mode& mode : {Mode{"", false}, Mode{"-v", false}, Mode{"-vv", false}, Mode{"", true},
                           Mode{"-v", true}, Mode{"-vv", true}}) {
    INFO(mode.name());
    Runner sluice{w, seen, mode};
    auto next_image = [&] { return w.image("web", std::to_string(tag++)); };
    std::string gated = w.write_plan("gated.yaml", w.canary_plan(next_image(), k_gated, checks));

    // validate warns about the inline secrets without printing them; plan previews it
    auto validated = sluice({"validate", gated});
    CHECK(validated.exit_code == 0);
    CHECK((validated.out + validated.err).find("headers.X-Api-Key") != std::string::npos);
    CHECK(sluice({"plan", gated}).exit_code == 0);

    // a Prometheus behind basic auth that cannot be reached fails preflight
    std::string unreachable = w.write_plan(
        "unreachable.yaml",
        w.canary_plan(next_image(), "    steps:\n      - setWeight: 50\n      - analysis: {checks: [prom]}\n",
                      "  prom:\n    prometheus: {address: 'http://reader:" + k_prom_password + "@127.0.0.1:" +
                          std::to_string(closed_port) + "', query: up}\n    successCondition: result < 1\n"));
    CHECK(sluice({"apply", unreachable}).exit_code == 6);

    // apply sends inline and referenced secrets, pauses; promote sends the referenced ones
    int secret_requests = server.count("/secret");
    CHECK(sluice({"apply", gated}).exit_code == 4);
    CHECK(server.count("/inline") > 0);
    CHECK(sluice({"status", "web", "-n", w.ns}).exit_code == 4);  // paused: status exits as the run did
    CHECK(sluice({"history", "web", "-n", w.ns}).exit_code == 0);
    CHECK(sluice({"promote", "web", "-n", w.ns}).exit_code == 0);
    CHECK(server.count("/secret") >= secret_requests + 2);
    CHECK(sluice({"rollback", "web", "-n", w.ns}).exit_code == 0);

    // an inline secret needed by a continuing command is not sent: the check errors, rollout rolls back
    std::string later = w.write_plan("later.yaml", w.canary_plan(next_image(), k_inline_after_pause, checks));
    REQUIRE(sluice({"apply", later}).exit_code == 4);
    int inline_requests = server.count("/inline");
    auto promoted = sluice({"promote", "web", "-n", w.ns});
    CHECK(promoted.exit_code == 3);
    CHECK((promoted.out + promoted.err).find("give it with valueFrom") != std::string::npos);
    CHECK(server.count("/inline") == inline_requests);

    // abort of a paused rollout
    std::string again = w.write_plan("again.yaml", w.canary_plan(next_image(), k_gated, checks));
    REQUIRE(sluice({"apply", again}).exit_code == 4);
    CHECK(sluice({"abort", "web", "-n", w.ns}).exit_code == 0);
  }

  require_no_planted("sluice's output", seen);
  require_no_planted("the cluster", cluster_dump(w));
  std::string sent = server.all_requests();
  CHECK(sent.find("redacted") == std::string::npos);
  CHECK(sent.find("Bearer " + k_env) != std::string::npos);
  CHECK(sent.find("X-File-Token: " + k_file) != std::string::npos);
  CHECK(sent.find(basic("reader", k_secret_ref)) != std::string::npos);
}
