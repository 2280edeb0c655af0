// kubesim's authentication and RBAC: static token file lines, ServiceAccount
// tokens from TokenRequest, what RBAC allows and the 403s it answers with,
// and the review APIs answering from the same authorizer.
#include <kubesim/identity.hpp>
#include <kubesim/server.hpp>

#include <catch2/catch.hpp>

#include <httplib.h>

using kubesim::Json;

namespace {

const std::string k_admin = "admin-token";
const std::string k_deployer = "system:serviceaccount:ci:deployer";

struct RbacSim {
  sluice::util::ManualClock clock;
  std::unique_ptr<kubesim::Server> server;

  RbacSim() {
    kubesim::ServerOptions options;
    options.run_controllers = false;
    options.tokens = {k_admin, "alice-token,alice,1001,\"developers\""};
    options.clock = &clock;
    server = std::make_unique<kubesim::Server>(options);
    REQUIRE(server->start().ok());
  }

  httplib::Result call(const std::string& token, const std::string& method, const std::string& path,
                       const Json& body = Json::object()) const {
    httplib::Client client(server->url());
    if (!token.empty()) client.set_bearer_token_auth(token);
    const std::string text = body.dump();
    if (method == "GET") return client.Get(path);
    if (method == "DELETE") return client.Delete(path);
    if (method == "PUT") return client.Put(path, text, "application/json");
    if (method == "PATCH") return client.Patch(path, text, "application/merge-patch+json");
    return client.Post(path, text, "application/json");
  }

  void admin_creates(const std::string& path, const Json& object) const {
    auto res = call(k_admin, "POST", path, object);
    REQUIRE(res);
    REQUIRE(res->status == 201);
  }

  // Namespaces ci and prod, ServiceAccount ci/deployer, and a Role in prod
  // bound to it that may read deployments and read/write the configmap "web".
  void make_deployer() const {
    admin_creates("/api/v1/namespaces", {{"metadata", {{"name", "ci"}}}});
    admin_creates("/api/v1/namespaces", {{"metadata", {{"name", "prod"}}}});
    admin_creates("/api/v1/namespaces/ci/serviceaccounts", {{"metadata", {{"name", "deployer"}}}});
    admin_creates(
        "/apis/rbac.authorization.k8s.io/v1/namespaces/prod/roles",
        {{"metadata", {{"name", "deploy"}}},
         {"rules",
          {{{"apiGroups", {"apps"}}, {"resources", {"deployments"}}, {"verbs", {"get", "list", "watch"}}},
           {{"apiGroups", {""}},
            {"resources", {"configmaps"}},
            {"resourceNames", {"web"}},
            {"verbs", {"get", "update"}}}}}});
    admin_creates(
        "/apis/rbac.authorization.k8s.io/v1/namespaces/prod/rolebindings",
        {{"metadata", {{"name", "deploy"}}},
         {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "deploy"}}},
         {"subjects", {{{"kind", "ServiceAccount"}, {"name", "deployer"}, {"namespace", "ci"}}}}});
  }

  std::string token_for(const std::string& ns, const std::string& name,
                        const Json& spec = Json::object()) const {
    auto res = call(k_admin, "POST", "/api/v1/namespaces/" + ns + "/serviceaccounts/" + name + "/token",
                    {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenRequest"}, {"spec", spec}});
    REQUIRE(res);
    REQUIRE(res->status == 201);
    return Json::parse(res->body)["status"]["token"];
  }
};

std::string message(const httplib::Result& res) {
  return Json::parse(res->body).value("message", "");
}

Json review(const RbacSim& sim, const std::string& token, const std::string& path, const Json& body) {
  auto res = sim.call(token, "POST", path, body);
  REQUIRE(res);
  REQUIRE(res->status == 201);
  return Json::parse(res->body)["status"];
}

}  // namespace

TEST_CASE("a token file line names the user, uid and groups; a bare token is an admin", "[kubesim][rbac]") {
  auto line = kubesim::parse_token_line("t0k3n,alice,1001,\"dev, ops\"");
  REQUIRE(line.ok());
  CHECK(line->token == "t0k3n");
  CHECK(line->user.name == "alice");
  CHECK(line->user.uid == "1001");
  CHECK(line->user.groups == std::vector<std::string>{"dev", "ops", "system:authenticated"});
  auto bare = kubesim::parse_token_line("t0k3n");
  REQUIRE(bare.ok());
  CHECK(bare->user.name == "kubesim-admin");
  CHECK(kubesim::is_privileged(bare->user));
  auto short_line = kubesim::parse_token_line("t0k3n,alice");
  REQUIRE_FALSE(short_line.ok());
  CHECK(short_line.error().message ==
        "token file lines must have at least 3 columns (token, user name, user uid), found 2");
}

TEST_CASE("a ServiceAccount token may do what its Role grants and nothing else", "[kubesim][rbac]") {
  RbacSim sim;
  sim.make_deployer();
  sim.admin_creates("/api/v1/namespaces/prod/configmaps",
                    {{"metadata", {{"name", "web"}}}, {"data", {{"a", "1"}}}});
  sim.admin_creates("/api/v1/namespaces/prod/configmaps", {{"metadata", {{"name", "db"}}}});
  const std::string token = sim.token_for("ci", "deployer");

  SECTION("granted verbs, resources and names are allowed") {
    CHECK(sim.call(token, "GET", "/apis/apps/v1/namespaces/prod/deployments")->status == 200);
    CHECK(sim.call(token, "GET", "/apis/apps/v1/namespaces/prod/deployments/web")->status == 404);
    CHECK(sim.call(token, "GET", "/api/v1/namespaces/prod/configmaps/web")->status == 200);
    CHECK(sim.call(token, "GET", "/api")->status == 200);  // system:discovery
    CHECK(sim.call(token, "GET", "/version")->status == 200);
  }
  SECTION("everything else is a 403 worded as the apiserver words it") {
    auto update = sim.call(token, "PUT", "/apis/apps/v1/namespaces/prod/deployments/web", Json::object());
    CHECK(update->status == 403);
    CHECK(Json::parse(update->body)["reason"] == "Forbidden");
    CHECK(message(update) ==
          "deployments.apps \"web\" is forbidden: User \"" + k_deployer +
              "\" cannot update resource \"deployments\" in API group \"apps\" in the namespace "
              "\"prod\"");
    CHECK(Json::parse(update->body)["details"] ==
          Json{{"name", "web"}, {"group", "apps"}, {"kind", "deployments"}});
    auto other = sim.call(token, "GET", "/api/v1/namespaces/prod/configmaps/db");
    CHECK(message(other) ==
          "configmaps \"db\" is forbidden: User \"" + k_deployer +
              "\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"prod\"");
    CHECK(message(sim.call(token, "GET", "/api/v1/namespaces")) ==
          "namespaces is forbidden: User \"" + k_deployer +
              "\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope");
    CHECK(
        message(sim.call(token, "PATCH", "/apis/apps/v1/namespaces/prod/deployments/web/scale")) ==
        "deployments.apps \"web\" is forbidden: User \"" + k_deployer +
            "\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"prod\"");
    CHECK(message(sim.call(token, "GET", "/apis/apps/v1/namespaces/ci/deployments?watch=true")) ==
          "deployments.apps is forbidden: User \"" + k_deployer +
              "\" cannot watch resource \"deployments\" in API group \"apps\" in the namespace \"ci\"");
    CHECK(message(sim.call(token, "GET", "/logs")) ==
          "forbidden: User \"" + k_deployer + "\" cannot get path \"/logs\"");
  }
  SECTION("a binding to a missing Role says so in the reason") {
    sim.admin_creates(
        "/apis/rbac.authorization.k8s.io/v1/namespaces/prod/rolebindings",
        {{"metadata", {{"name", "dangling"}}},
         {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "gone"}}},
         {"subjects", {{{"kind", "ServiceAccount"}, {"name", "deployer"}, {"namespace", "ci"}}}}});
    CHECK(message(sim.call(token, "DELETE", "/api/v1/namespaces/prod/configmaps/web")) ==
          "configmaps \"web\" is forbidden: User \"" + k_deployer +
              "\" cannot delete resource \"configmaps\" in API group \"\" in the namespace \"prod\": RBAC: "
              "role.rbac.authorization.k8s.io \"gone\" not found");
  }
}

TEST_CASE("ClusterRoles reach users, groups and ServiceAccounts through both binding kinds",
          "[kubesim][rbac]") {
  RbacSim sim;
  sim.make_deployer();
  const std::string token = sim.token_for("ci", "deployer");
  CHECK(sim.call("alice-token", "GET", "/api/v1/namespaces/prod/pods")->status == 403);
  sim.admin_creates(
      "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
      {{"metadata", {{"name", "developers-view"}}},
       {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", "view"}}},
       {"subjects", {{{"kind", "Group"}, {"name", "developers"}}}}});
  CHECK(sim.call("alice-token", "GET", "/api/v1/namespaces/prod/pods")->status == 200);
  CHECK(sim.call("alice-token", "DELETE", "/api/v1/namespaces/prod/pods/p")->status == 403);
  CHECK(
      sim.call(token, "POST", "/api/v1/namespaces/ci/configmaps", {{"metadata", {{"name", "x"}}}})->status ==
      403);
  sim.admin_creates(
      "/apis/rbac.authorization.k8s.io/v1/namespaces/ci/rolebindings",
      {{"metadata", {{"name", "edit"}}},
       {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", "edit"}}},
       {"subjects", {{{"kind", "Group"}, {"name", "system:serviceaccounts:ci"}}}}});
  CHECK(
      sim.call(token, "POST", "/api/v1/namespaces/ci/configmaps", {{"metadata", {{"name", "x"}}}})->status ==
      201);
  CHECK(sim.call(token, "POST", "/api/v1/namespaces/prod/configmaps", {{"metadata", {{"name", "x"}}}})
            ->status == 403);
}

TEST_CASE(
    "TokenRequest: an hour by default, at least ten minutes, valid until it expires or its ServiceAccount "
    "goes",
    "[kubesim][rbac]") {
  RbacSim sim;
  sim.make_deployer();
  const std::string path = "/api/v1/namespaces/ci/serviceaccounts/deployer/token";
  auto issued = sim.call(k_admin, "POST", path, {{"spec", Json::object()}});
  REQUIRE(issued->status == 201);
  const Json body = Json::parse(issued->body);
  CHECK(body["kind"] == "TokenRequest");
  CHECK(body["spec"]["expirationSeconds"] == 3600);
  const std::string token = body["status"]["token"];
  CHECK(std::count(token.begin(), token.end(), '.') == 2);  // JWT-shaped
  CHECK(sim.call(token, "GET", "/apis/apps/v1/namespaces/prod/deployments")->status == 200);

  auto too_short = sim.call(k_admin, "POST", path, {{"spec", {{"expirationSeconds", 60}}}});
  CHECK(too_short->status == 422);
  CHECK(message(too_short) ==
        "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 60: may "
        "not "
        "specify a duration less than 10 minutes");
  CHECK(sim.call(k_admin, "POST", "/api/v1/namespaces/ci/serviceaccounts/nobody/token")->status == 404);

  SECTION("expiry, on the server's clock") {
    sim.clock.advance(std::chrono::seconds(3599));
    CHECK(sim.call(token, "GET", "/apis/apps/v1/namespaces/prod/deployments")->status == 200);
    sim.clock.advance(std::chrono::seconds(1));
    CHECK(sim.call(token, "GET", "/apis/apps/v1/namespaces/prod/deployments")->status == 401);
  }
  SECTION("deleting the ServiceAccount") {
    REQUIRE(sim.call(k_admin, "DELETE", "/api/v1/namespaces/ci/serviceaccounts/deployer")->status == 200);
    CHECK(sim.call(token, "GET", "/apis/apps/v1/namespaces/prod/deployments")->status == 401);
  }
}

TEST_CASE("the review APIs answer from RBAC", "[kubesim][rbac]") {
  RbacSim sim;
  sim.make_deployer();
  const std::string token = sim.token_for("ci", "deployer");
  const std::string ssar = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
  auto can = [&](const std::string& who, const Json& attributes) {
    return review(sim, who, ssar, {{"spec", {{"resourceAttributes", attributes}}}});
  };
  const Json yes =
      can(token, {{"namespace", "prod"}, {"verb", "list"}, {"group", "apps"}, {"resource", "deployments"}});
  CHECK(yes["allowed"] == true);
  CHECK(yes["reason"] ==
        "RBAC: allowed by RoleBinding \"deploy/prod\" of Role \"deploy\" to ServiceAccount "
        "\"deployer/ci\"");
  CHECK(can(token, {{"namespace", "prod"},
                    {"verb", "delete"},
                    {"group", "apps"},
                    {"resource", "deployments"}})["allowed"] == false);
  CHECK(can(k_admin, {{"namespace", "prod"}, {"verb", "delete"}, {"resource", "secrets"}})["allowed"] ==
        true);

  const Json who = review(sim, token, "/apis/authentication.k8s.io/v1/selfsubjectreviews", Json::object());
  CHECK(who["userInfo"]["username"] == k_deployer);
  CHECK(who["userInfo"]["groups"] ==
        Json{"system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"});

  const Json rules = review(sim, token, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                            {{"spec", {{"namespace", "prod"}}}});
  CHECK(rules["incomplete"] == false);
  CHECK(rules["resourceRules"].size() == 4);  // system:basic-user's two, the Role's two
  CHECK(rules["resourceRules"][3] == Json{{"verbs", {"get", "update"}},
                                          {"apiGroups", {""}},
                                          {"resources", {"configmaps"}},
                                          {"resourceNames", {"web"}}});

  const Json subject = {
      {"user", k_deployer},
      {"groups", {"system:serviceaccounts"}},
      {"resourceAttributes",
       {{"namespace", "prod"}, {"verb", "get"}, {"resource", "configmaps"}, {"name", "web"}}}};
  const std::string sar = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
  CHECK(review(sim, k_admin, sar, {{"spec", subject}})["allowed"] == true);
  CHECK(sim.call(token, "POST", sar, {{"spec", subject}})->status ==
        403);  // not for the ServiceAccount itself
}
