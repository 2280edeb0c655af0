// kubesim's API server: serves the Kubernetes REST API for the Store (plus
// the /kubesim/v1 control API) on 127.0.0.1 over HTTP or HTTPS, with the
// simulated controllers running behind it. Tests embed it in-process:
//   kubesim::Server server;  server.start();  ... server.url() ...
#pragma once

#include <kubesim/audit.hpp>
#include <kubesim/sim_config.hpp>
#include <kubesim/store.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace kubesim {

class Controllers;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: pick a free port
  bool tls = false;
  std::string tls_cert_file;  // with tls: PEM files; both empty = generate a CA and server certificate
  std::string tls_key_file;
  std::string client_ca_file;  // client certificates signed by this CA authenticate (CN = user, O = groups)
  // Accepted bearer tokens, each a static token file line `token,user,uid,"g1,g2"` or a bare token (an
  // admin in system:masters). Authentication, and RBAC for users outside system:masters, is on when
  // tokens or client_ca_file are set.
  std::vector<std::string> tokens;
  std::string audit_log_file;  // JSONL mirror of the audit log, empty = none
  bool run_controllers = true;
  Json sim_config = Json::object();  // initial SimConfig (same form as --config)
  int threads = 96;                  // each open watch holds one
  std::chrono::milliseconds bookmark_interval{5000};
  // The WatchList feature: watches that start with the current state
  // (sendInitialEvents). Off, such a watch is refused with 422, as
  // kube-apiserver 1.27+ does with its WatchList feature gate off.
  bool watch_list = true;
  std::size_t history_limit = 20000;
  // Stamps creationTimestamp and judges token expiry; the system clock when null. Must outlive the server.
  const sluice::util::Clock* clock = nullptr;
};

class Server {
 public:
  explicit Server(ServerOptions options = {});
  ~Server();  // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, creates the default namespaces, starts controllers and serving
  // threads; returns once requests are accepted.
  sluice::util::Status start();
  // Ends watches, stops controllers, joins every thread. Idempotent.
  void stop();

  int port() const;
  std::string url() const;  // "http://127.0.0.1:PORT" or https
  // A complete kubeconfig (cluster, user with the first token, context "kubesim").
  std::string kubeconfig() const;
  // PEM of the CA clients should trust (tls only; empty otherwise).
  std::string ca_pem() const;

  Store& store();
  SimConfig& config();
  Audit& audit();
  Controllers* controllers();  // null when run_controllers is false

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubesim
