// The kube client against kubesim over HTTPS with each way of authenticating.
#include "kube_env.hpp"

#include <sluice/kube/errors.hpp>

#include <support/tls_certs.hpp>

#include <filesystem>
#include <fstream>

using namespace sluice::kube;
using namespace sluice::kube::testing;
using sluice::test::Kubesim;
using sluice::test::KubesimOptions;
using sluice::util::ErrorKind;

namespace {

// A kubesim that trusts client certificates signed by `certs`' CA.
struct CertKubesim {
  sluice::test::TempDir dir;
  sluice::testing::TlsCerts certs;
  std::unique_ptr<kubesim::Server> server;

  CertKubesim() {
    sluice::testing::TlsCertOptions cert_options;
    cert_options.client_common_name = "alice";
    cert_options.client_organization = "system:masters";  // as kind's admin: RBAC lets the group do anything
    certs = sluice::testing::make_tls_certs(dir.path(), cert_options);
    kubesim::ServerOptions options;
    options.tls = true;
    options.tls_cert_file = certs.server_cert.string();
    options.tls_key_file = certs.server_key.string();
    options.client_ca_file = certs.ca_cert.string();
    options.run_controllers = false;
    server = std::make_unique<kubesim::Server>(options);
    REQUIRE(server->start().ok());
  }

  // Paths relative to the kubeconfig's directory, as kind and kubeadm write them.
  std::string kubeconfig(bool with_client_cert) const {
    std::string user = with_client_cert ? "{client-certificate: client.crt, client-key: client.key}" : "{}";
    std::string text = "current-context: c\nclusters: [{name: k, cluster: {server: \"" + server->url() +
                       "\", certificate-authority: ca.crt}}]\nusers: [{name: u, user: " + user +
                       "}]\ncontexts: [{name: c, context: {cluster: k, user: u, namespace: default}}]\n";
    std::string path = dir.file(with_client_cert ? "kubeconfig" : "kubeconfig-anonymous");
    std::ofstream(path) << text;
    return path;
  }
};

}  // namespace

TEST_CASE("HTTPS with a client certificate: CRUD, conflicts, patches, paging", "[kube][integration]") {
  CertKubesim sim;
  auto client = client_for(config_for(sim.kubeconfig(true)));
  Client& kube = *client;

  auto created =
      kube.create(k_configmaps, "default", config_map("settings", {{"color", "blue"}}, {{"app", "web"}}));
  REQUIRE(created.ok());
  CHECK(kube.create(k_configmaps, "default", config_map("settings", {})).error().kind ==
        ErrorKind::already_exists);

  Json stale = *created;
  Json fresh = *created;
  fresh["data"]["color"] = "green";
  auto updated = kube.update(k_configmaps, "default", fresh);
  REQUIRE(updated.ok());
  stale["data"]["color"] = "red";
  auto conflict = kube.update(k_configmaps, "default", stale);
  REQUIRE_FALSE(conflict.ok());
  CHECK(conflict.error().kind == ErrorKind::conflict);

  REQUIRE(
      kube.patch(k_configmaps, "default", "settings", PatchType::merge, {{"data", {{"size", "L"}}}}).ok());
  REQUIRE(kube.patch(k_configmaps, "default", "settings", PatchType::json,
                     Json::array({{{"op", "replace"}, {"path", "/data/color"}, {"value", "teal"}}}))
              .ok());
  Json applied = config_map("settings", {{"owner", "sluice"}});
  REQUIRE(kube.apply(k_configmaps, "default", applied).ok());
  auto got = kube.get(k_configmaps, "default", "settings");
  REQUIRE(got.ok());
  CHECK((*got)["data"]["color"] == "teal");
  CHECK((*got)["data"]["size"] == "L");
  CHECK((*got)["data"]["owner"] == "sluice");

  for (int i = 0; i < 5; ++i) {
    REQUIRE(
        kube.create(k_configmaps, "default", config_map("page-" + std::to_string(i), {}, {{"paged", "yes"}}))
            .ok());
  }
  ListOptions paged;
  paged.label_selector = "paged=yes";
  paged.limit = 2;
  auto first_page = kube.list(k_configmaps, "default", paged);
  REQUIRE(first_page.ok());
  CHECK((*first_page)["items"].size() == 2);
  auto all = kube.list_all(k_configmaps, "default", paged);
  REQUIRE(all.ok());
  CHECK(all->items.size() == 5);
  CHECK_FALSE(all->resource_version.empty());

  REQUIRE(kube.remove(k_configmaps, "default", "settings", {Propagation::background, std::nullopt, ""}).ok());
  CHECK(kube.get(k_configmaps, "default", "settings").error().kind == ErrorKind::not_found);
}

TEST_CASE("HTTPS without the client certificate is refused with a typed error", "[kube][integration]") {
  CertKubesim sim;
  auto client = client_for(config_for(sim.kubeconfig(false)));
  auto got = client->get(k_configmaps, "default", "x");
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::forbidden);
}

TEST_CASE("a wrong CA fails TLS verification", "[kube][integration]") {
  CertKubesim sim;
  sluice::test::TempDir other;
  auto other_certs = sluice::testing::make_tls_certs(other.path());
  Config config = config_for(sim.kubeconfig(true));
  config.cluster.certificate_authority = other_certs.ca_cert.string();
  auto got = client_for(config)->get(k_configmaps, "default", "x");
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::tls);
}

TEST_CASE("bearer tokens: the right token works, a wrong one is unauthorized", "[kube][integration]") {
  KubesimOptions options;
  options.tls = true;
  options.token = "kubesim-token-1";
  options.controllers = false;
  Kubesim sim(options);
  Config config = config_for(sim.kubeconfig_path());
  CHECK(config.user.token == "kubesim-token-1");
  CHECK_FALSE(config.cluster.certificate_authority_data.empty());
  REQUIRE(client_for(config)->list(k_pods, "default").ok());

  config.user.token = "wrong";
  auto denied = client_for(config)->list(k_pods, "default");
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().kind == ErrorKind::unauthorized);
  CHECK(denied.error().http_status == 401);
}

TEST_CASE("an exec plugin supplies the token; a 401 re-runs it once", "[kube][integration]") {
  KubesimOptions options;
  options.tls = true;
  options.token = "from-the-plugin";
  options.controllers = false;
  Kubesim sim(options);
  sluice::test::TempDir dir;
  // First run hands out a stale token (as after a rotation), later runs the good one.
  std::string plugin = dir.file("get-token.sh");
  std::ofstream(plugin)
      << "#!/bin/sh\n"
         "n=$(cat \"$STATE/n\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$STATE/n\"\n"
         "if [ $n = 1 ]; then t=stale; else t=from-the-plugin; fi\n"
         "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
         "\"status\":{\"token\":\"'$t'\"}}'\n";
  std::filesystem::permissions(plugin, std::filesystem::perms::owner_all);
  Config config = config_for(sim.kubeconfig_path());
  config.user = UserInfo{};
  ExecConfig exec;
  exec.command = plugin;
  exec.env = {{"STATE", dir.path()}};
  config.user.exec = exec;
  auto client = client_for(config);
  REQUIRE(client->list(k_pods, "default").ok());
  REQUIRE(client->list(k_pods, "default").ok());
  std::ifstream runs(dir.file("n"));
  int n = 0;
  runs >> n;
  CHECK(n == 2);  // cached after the re-run
  CHECK(client->requests_made() == 3);
}
