// The permissions table (kube/permissions.hpp) is what deploy/rbac.yaml
// grants, what `doctor --print-role` prints, and what doctor asks about.
#include "tree_paths.hpp"

#include <sluice/kube/permissions.hpp>

#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include <set>

using namespace sluice::kube;

namespace {

// "group resource verb" for every verb of every rule of the Role in `docs`.
std::set<std::string> role_grants(const std::vector<YAML::Node>& docs) {
  std::set<std::string> out;
  for (const auto& doc : docs) {
    if (doc["kind"].as<std::string>() != "Role") continue;
    for (const auto& rule : doc["rules"]) {
      for (const auto& group : rule["apiGroups"])
        for (const auto& resource : rule["resources"])
          for (const auto& verb : rule["verbs"])
            out.insert(group.as<std::string>() + " " + resource.as<std::string>() + " " +
                       verb.as<std::string>());
    }
  }
  return out;
}

std::set<std::string> table_grants(const std::vector<PermissionRule>& rules) {
  std::set<std::string> out;
  for (const auto& rule : rules)
    for (const auto& verb : rule.verbs) out.insert(rule.group + " " + rule.resource + " " + verb);
  return out;
}

// Answers SelfSubjectAccessReviews: everything allowed but `refused` ("verb resource[/sub]").
class ReviewingKube final : public Client {
 public:
  std::set<std::string> refused;
  std::vector<Json> reviews;
  Result<Json> request(const ApiRequest& r, const CancelToken*) override {
    Json review = Json::parse(r.body);
    reviews.push_back(review);
    const Json& a = review["spec"]["resourceAttributes"];
    std::string what = a["verb"].get<std::string>() + " " + a["resource"].get<std::string>();
    if (a.contains("subresource")) what += "/" + a["subresource"].get<std::string>();
    review["status"] = {{"allowed", refused.count(what) == 0}};
    return review;
  }
  sluice::util::Status watch_stream(const ApiRequest&, const std::function<bool(const WatchEvent&)>&,
                                    const CancelToken*) override {
    return {};
  }
  std::uint64_t requests_made() const override { return reviews.size(); }
};

}  // namespace

TEST_CASE("deploy/rbac.yaml grants exactly the table's rules (gateway routes included)", "[permissions]") {
  auto shipped = YAML::LoadAllFromFile(std::string(SLUICE_SOURCE_DIR) + "/deploy/rbac.yaml");
  CHECK(role_grants(shipped) == table_grants(required_rules({.gateway_route = true, .secret_refs = false})));
}

TEST_CASE("the printed Role is valid YAML with the plan's needs in its namespace", "[permissions]") {
  auto rules = required_rules({.gateway_route = false, .secret_refs = true});
  auto docs = YAML::LoadAll(role_manifest(rules, "shop"));
  REQUIRE(docs.size() == 3);
  CHECK(docs[0]["kind"].as<std::string>() == "ServiceAccount");
  CHECK(docs[2]["kind"].as<std::string>() == "RoleBinding");
  for (const auto& doc : docs) CHECK(doc["metadata"]["namespace"].as<std::string>() == "shop");
  CHECK(docs[2]["subjects"][0]["namespace"].as<std::string>() == "shop");
  auto grants = role_grants(docs);
  CHECK(grants == table_grants(rules));
  CHECK(grants.count(" secrets get") == 1);
  CHECK(grants.count("gateway.networking.k8s.io httproutes get") == 0);
}

TEST_CASE("doctor's access reviews: one per verb, refused ones named", "[permissions]") {
  ReviewingKube kube;
  kube.refused = {"create leases", "update deployments"};
  auto rules = required_rules({});
  auto denied = denied_permissions(kube, "shop", rules);
  REQUIRE(denied.ok());
  CHECK(*denied == std::vector<std::string>{"update deployments.apps", "create leases.coordination.k8s.io"});
  CHECK(kube.reviews.size() == table_grants(rules).size());
  // A subresource is asked as resource + subresource, the namespace by its own name.
  bool scale_asked = false, namespace_asked = false;
  for (const auto& review : kube.reviews) {
    const Json& a = review["spec"]["resourceAttributes"];
    CHECK(a["namespace"] == "shop");
    if (a.value("subresource", "") == "scale") scale_asked = a["resource"] == "deployments";
    if (a["resource"] == "namespaces") namespace_asked = a["name"] == "shop";
  }
  CHECK(scale_asked);
  CHECK(namespace_asked);
}
