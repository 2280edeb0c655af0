// Smaller ways kubesim answers as a real apiserver does: content types,
// discovery verbs, health reports, the review APIs, the objects a cluster's
// control plane keeps, and what kubesim cannot serve.
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

#include <httplib.h>

#include <regex>
#include <set>
#include <thread>

using sluice::test::api_only;
using sluice::test::Json;
using sluice::test::Kubesim;

namespace {

const std::chrono::milliseconds k_bookmarks{1000};

Json find_resource(const Json& list, const std::string& name) {
  for (const auto& r : list["resources"]) {
    if (r["name"] == name) return r;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("/openapi/v2 answers with the content type kube-openapi uses", "[kubesim][fidelity]") {
  // kubectl <= 1.28 cannot parse the `@` form it asks for (kube-openapi handler.go subTypeProtobuf).
  Kubesim sim(api_only(k_bookmarks));
  httplib::Client client(sim.url());
  const auto res =
      client.Get("/openapi/v2", {{"Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"}});
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") ==
        "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
}

TEST_CASE("namespaces offer no deletecollection", "[kubesim][fidelity]") {
  Kubesim sim(api_only(k_bookmarks));
  const Json namespaces = find_resource(sim.get_object("/api/v1"), "namespaces");
  REQUIRE(namespaces.is_object());
  CHECK(std::find(namespaces["verbs"].begin(), namespaces["verbs"].end(), "deletecollection") ==
        namespaces["verbs"].end());
  CHECK(sim.request("DELETE", "/api/v1/namespaces").status == 405);
}

TEST_CASE("/readyz?verbose lists each check as the apiserver does", "[kubesim][fidelity]") {
  Kubesim sim(api_only(k_bookmarks));
  httplib::Client client(sim.url());
  const auto res = client.Get("/readyz?verbose");
  REQUIRE(res);
  CHECK(res->body.rfind("[+]ping ok\n", 0) == 0);
  CHECK(res->body.find("[+]etcd ok\n") != std::string::npos);
  CHECK(res->body.size() > std::string("readyz check passed\n").size());
  CHECK(res->body.substr(res->body.size() - 20) == "readyz check passed\n");
  CHECK(client.Get("/readyz")->body == "ok");
}

TEST_CASE("the self-review APIs answer without storing anything", "[kubesim][fidelity]") {
  Kubesim sim(api_only(k_bookmarks));
  const Json access = {{"apiVersion", "authorization.k8s.io/v1"},
                       {"kind", "SelfSubjectAccessReview"},
                       {"spec", {{"resourceAttributes", {{"verb", "create"}, {"resource", "deployments"}}}}}};
  const auto can = sim.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", access);
  REQUIRE(can.status == 201);
  CHECK(can.body["status"]["allowed"] == true);
  CHECK(can.body["spec"] == access["spec"]);
  const auto who = sim.request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                               {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}});
  REQUIRE(who.status == 201);
  CHECK(who.body["status"]["userInfo"].contains("username"));
  CHECK(sim.get("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews").status == 405);
}

TEST_CASE("pod logs and exec say kubesim does not support them", "[kubesim][fidelity]") {
  Kubesim sim(api_only(k_bookmarks));
  const Json pod = {{"apiVersion", "v1"},
                    {"kind", "Pod"},
                    {"metadata", {{"name", "p"}}},
                    {"spec", {{"containers", {{{"name", "c"}, {"image", "nginx:1.25"}}}}}}};
  REQUIRE(sim.request("POST", "/api/v1/namespaces/default/pods", pod).status == 201);
  const auto logs = sim.get("/api/v1/namespaces/default/pods/p/log");
  CHECK(logs.status == 400);
  CHECK(logs.body["message"] == "pods/log is not supported by kubesim: it runs no containers");
  CHECK(sim.request("POST", "/api/v1/namespaces/default/pods/p/exec").status == 400);
  CHECK(sim.get("/api/v1/namespaces/default/pods/missing/log").status == 404);
}

TEST_CASE("a cluster's control plane objects exist with the controllers running", "[kubesim][fidelity]") {
  Kubesim sim;
  sim.create_namespace("shop");
  CHECK(sim.get("/api/v1/nodes/kubesim-node-1").body["status"]["conditions"][0]["type"] == "Ready");
  CHECK(sim.get("/api/v1/namespaces/default/services/kubernetes").status == 200);
  for (int i = 0; i < 200 && sim.get("/api/v1/namespaces/shop/serviceaccounts/default").status != 200; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(sim.get("/api/v1/namespaces/shop/serviceaccounts/default").status == 200);
  CHECK(sim.get("/api/v1/namespaces/shop/configmaps/kube-root-ca.crt").status == 200);
  CHECK(sim.get("/api/v1/namespaces/default/serviceaccounts/default").status == 200);
  httplib::Client client(sim.url());
  const auto nodes =
      client.Get("/api/v1/nodes", {{"Accept", "application/json;as=Table;g=meta.k8s.io;v=v1"}});
  REQUIRE(nodes);
  const Json row = Json::parse(nodes->body)["rows"][0]["cells"];
  CHECK(row[1] == "Ready");
  CHECK(row[2] == "control-plane");
}

TEST_CASE("server-side tables carry the real columns for secrets, leases and pods -o wide",
          "[kubesim][fidelity]") {
  // kubernetes pkg/printers/internalversion/printers.go column definitions.
  Kubesim sim(api_only(k_bookmarks));
  const Json secret = {
      {"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "s"}}}, {"data", {{"a", "Yg=="}}}};
  REQUIRE(sim.request("POST", "/api/v1/namespaces/default/secrets", secret).status == 201);
  httplib::Client client(sim.url());
  const httplib::Headers table = {{"Accept", "application/json;as=Table;g=meta.k8s.io;v=v1"}};
  const Json secrets = Json::parse(client.Get("/api/v1/namespaces/default/secrets", table)->body);
  std::vector<std::string> names;
  for (const auto& c : secrets["columnDefinitions"]) names.push_back(c["name"]);
  CHECK(names == std::vector<std::string>{"Name", "Type", "Data", "Age"});
  CHECK(secrets["rows"][0]["cells"][1] == "Opaque");
  CHECK(secrets["rows"][0]["cells"][2] == "1");
  const Json pods = Json::parse(client.Get("/api/v1/namespaces/default/pods", table)->body);
  names.clear();
  for (const auto& c : pods["columnDefinitions"]) names.push_back(c["name"]);
  CHECK(names == std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age", "IP", "Node",
                                          "Nominated Node", "Readiness Gates"});
}

TEST_CASE("every response carries an Audit-Id, a fresh UUID per request", "[kubesim][fidelity]") {
  // apiserver filters/audit_init.go (WithAuditInit) sets it on every request, errors and watches too.
  Kubesim sim(api_only(k_bookmarks));
  httplib::Client client(sim.url());
  std::set<std::string> ids;
  for (const char* path :
       {"/version", "/api/v1/namespaces/default/configmaps", "/api/v1/namespaces/x/pods/nope"}) {
    const auto res = client.Get(path);
    REQUIRE(res);
    const std::string id = res->get_header_value("Audit-Id");
    CHECK(std::regex_match(
        id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
    ids.insert(id);
  }
  CHECK(ids.size() == 3);
}
