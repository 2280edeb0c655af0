// HTTPS with given certificate files and client-certificate authentication.
#include "support/process.hpp"

#include <kubesim/server.hpp>
#include <kubesim/tls.hpp>

#include <catch2/catch.hpp>

#include <httplib.h>

#include <fstream>

using kubesim::Json;

TEST_CASE("client certificates signed by --client-ca authenticate (CN user, O group); none is anonymous",
          "[kubesim][auth]") {
  sluice::test::TempDir dir;
  auto certs = kubesim::generate_server_certs();
  REQUIRE(certs.ok());
  auto alice = kubesim::generate_client_cert(*certs, "alice", "system:masters");
  REQUIRE(alice.ok());
  auto bob = kubesim::generate_client_cert(*certs, "bob");  // no group: RBAC grants him discovery only
  REQUIRE(bob.ok());
  std::ofstream(dir.file("ca.pem")) << certs->ca_pem;
  std::ofstream(dir.file("server.pem")) << certs->server_cert_pem;
  std::ofstream(dir.file("server-key.pem")) << certs->server_key_pem;
  std::ofstream(dir.file("alice.pem")) << alice->first;
  std::ofstream(dir.file("alice-key.pem")) << alice->second;
  std::ofstream(dir.file("bob.pem")) << bob->first;
  std::ofstream(dir.file("bob-key.pem")) << bob->second;

  kubesim::ServerOptions options;
  options.tls = true;
  options.tls_cert_file = dir.file("server.pem");
  options.tls_key_file = dir.file("server-key.pem");
  options.client_ca_file = dir.file("ca.pem");
  options.run_controllers = false;
  kubesim::Server server(options);
  REQUIRE(server.start().ok());

  httplib::Client with_cert(server.url(), dir.file("alice.pem"), dir.file("alice-key.pem"));
  with_cert.set_ca_cert_path(dir.file("ca.pem").c_str());
  auto ok = with_cert.Get("/api/v1/namespaces");
  REQUIRE(ok);
  CHECK(ok->status == 200);

  httplib::Client as_bob(server.url(), dir.file("bob.pem"), dir.file("bob-key.pem"));
  as_bob.set_ca_cert_path(dir.file("ca.pem").c_str());
  CHECK(as_bob.Get("/api")->status == 200);
  auto denied = as_bob.Get("/api/v1/namespaces");
  REQUIRE(denied);
  CHECK(denied->status == 403);
  CHECK(Json::parse(denied->body)["message"] ==
        "namespaces is forbidden: User \"bob\" cannot list resource \"namespaces\" in API group \"\" at the "
        "cluster scope");

  httplib::Client without(server.url());
  without.set_ca_cert_path(dir.file("ca.pem").c_str());
  auto anonymous = without.Get("/api/v1/namespaces");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 403);
  CHECK(Json::parse(anonymous->body)["message"] ==
        "namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group "
        "\"\" at "
        "the cluster scope");
  server.stop();
}
