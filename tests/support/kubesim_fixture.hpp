// Test support: a kubesim for one test. Starts it in-process (default: fast,
// and the test can reach server().store()) or as the real `kubesim` binary,
// on a free port with a kubeconfig in a temp dir; offers REST helpers to
// create namespaces, Deployments and Services, the control API and the audit log.
//
//   sluice::test::Kubesim sim;                       // in-process, controllers on
//   sim.create_namespace("shop");
//   sim.create_deployment("shop", "web", "web:1", 3);
//   run("/usr/bin/kubectl", {"--kubeconfig", sim.kubeconfig_path(), "get", "deploy", "-n", "shop"});
#pragma once

#include "support/process.hpp"

#include <kubesim/server.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace sluice::test {

using Json = nlohmann::json;

struct KubesimOptions {
  bool as_process = false;  // spawn the kubesim binary (KUBESIM_BIN) instead of embedding it
  bool tls = false;
  std::string token;  // when set, bearer-token auth is on and the kubeconfig carries it
  bool controllers = true;
  Json sim_config = Json::object();  // as for --config
  std::chrono::milliseconds bookmark_interval{5000};
  // Off: watches with sendInitialEvents are refused (--no-watch-list), as
  // by an API server without the WatchList feature.
  bool watch_list = true;
};

struct HttpResult {
  int status = 0;  // 0 when no answer came back
  Json body;       // parsed JSON, or the raw text as a string
};

class Kubesim {
 public:
  explicit Kubesim(KubesimOptions options = {});
  ~Kubesim();
  Kubesim(const Kubesim&) = delete;
  Kubesim& operator=(const Kubesim&) = delete;

  std::string url() const { return url_; }
  const std::string& kubeconfig_path() const { return kubeconfig_; }
  const std::string& dir() const { return dir_.path(); }
  // The embedded server; null in process mode.
  kubesim::Server* server() { return server_.get(); }
  Process* process() { return process_.get(); }

  // One HTTP request (10 s timeout), authenticated like the kubeconfig.
  HttpResult request(const std::string& method, const std::string& path, const Json& body = nullptr,
                     const std::string& content_type = "application/json");
  HttpResult get(const std::string& path) { return request("GET", path); }

  Json create_namespace(const std::string& name);
  Json create_deployment(const std::string& ns, const std::string& name, const std::string& image,
                         int replicas, const Json& extra_spec = Json::object());
  Json create_service(const std::string& ns, const std::string& name, const Json& selector, int port = 80);
  Json get_object(const std::string& path);  // throws unless 200

  // Control API: POST/PUT/GET /kubesim/v1/<path>.
  HttpResult control(const std::string& method, const std::string& path, const Json& body = nullptr);
  Json audit(std::uint64_t since = 0);  // {"requests": [...], "serving": [...], "next": N}

 private:
  KubesimOptions options_;
  TempDir dir_;
  std::string kubeconfig_;
  std::string url_;
  std::string ca_pem_;
  std::unique_ptr<kubesim::Server> server_;
  std::unique_ptr<Process> process_;
};

// Where the kubesim binary is: $KUBESIM_BIN, else the build tree.
std::string kubesim_binary();

}  // namespace sluice::test
