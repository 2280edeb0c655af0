// The field validation the real apiserver does, each as a 422 Invalid with
// details.causes and Go's wording. Upstream rules are named per section:
// apimachinery pkg/api/validation/objectmeta.go, pkg/util/validation,
// kubernetes pkg/apis/core/validation/validation.go, pkg/apis/apps/validation.
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

using sluice::test::api_only;
using sluice::test::config_map;
using sluice::test::HttpResult;
using sluice::test::Json;
using sluice::test::k_configmaps;
using sluice::test::k_deployments;
using sluice::test::Kubesim;

namespace {

const std::chrono::milliseconds k_bookmarks{200};
const std::string k_pods = "/api/v1/namespaces/default/pods";
const std::string k_services = "/api/v1/namespaces/default/services";
const std::string k_secrets = "/api/v1/namespaces/default/secrets";

Json deployment(const Json& extra_spec = Json::object()) {
  Json spec = {{"selector", {{"matchLabels", {{"app", "web"}}}}},
               {"template",
                {{"metadata", {{"labels", {{"app", "web"}}}}},
                 {"spec", {{"containers", {{{"name", "web"}, {"image", "web:1"}}}}}}}}};
  spec.merge_patch(extra_spec);
  return {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"metadata", {{"name", "web"}}}, {"spec", spec}};
}

Json pod(const Json& container) {
  Json c = {{"name", "c"}, {"image", "i:1"}};
  c.merge_patch(container);
  return {
      {"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}}}, {"spec", {{"containers", {c}}}}};
}

// The first cause of a 422 as "field: message".
std::string cause(const HttpResult& r) {
  REQUIRE(r.status == 422);
  CHECK(r.body["reason"] == "Invalid");
  const Json& c = r.body["details"]["causes"][0];
  return c["field"].get<std::string>() + ": " + c["message"].get<std::string>();
}

}  // namespace

TEST_CASE("labels and annotations are checked as ObjectMeta validation does", "[kubesim][api][validation]") {
  Kubesim sim(api_only(k_bookmarks));
  SECTION("a label key with two slashes, a bad label value") {
    Json bad = config_map("c", {{"a/b/c", "x"}});
    CHECK(
        cause(sim.request("POST", k_configmaps, bad)) ==
        "metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric "
        "characters, "
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
        "'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
        "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    bad = config_map("c", {{"app", "-web"}});
    auto r = sim.request("POST", k_configmaps, bad);
    CHECK(cause(r).rfind("metadata.labels: Invalid value: \"-web\": a valid label must be an empty string",
                         0) == 0);
    CHECK(r.body["details"]["causes"][0]["reason"] == "FieldValueInvalid");
  }
  SECTION("annotations: key syntax and a 256 KiB total") {
    Json bad = config_map("c");
    bad["metadata"]["annotations"] = {{"big", std::string(256 * 1024, 'x')}};
    auto r = sim.request("POST", k_configmaps, bad);
    CHECK(cause(r) == "metadata.annotations: Too long: may not be more than 262144 bytes");
    CHECK(r.body["details"]["causes"][0]["reason"] == "FieldValueTooLong");
  }
  SECTION("a pod template's labels too") {
    auto r = sim.request("POST", k_deployments,
                         deployment({{"template", {{"metadata", {{"labels", {{"bad key", "x"}}}}}}}}));
    CHECK(r.status == 422);
    CHECK(r.body["message"].get<std::string>().find(
              "spec.template.metadata.labels: Invalid value: \"bad key\"") != std::string::npos);
  }
}

TEST_CASE("ConfigMaps and Secrets: keys, size and immutability", "[kubesim][api][validation]") {
  Kubesim sim(api_only(k_bookmarks));
  SECTION("bad key and more than 1 MiB (ValidateConfigMap)") {
    Json bad = config_map("c");
    bad["data"] = {{"bad key", "v"}};
    CHECK(cause(sim.request("POST", k_configmaps, bad)) ==
          "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric "
          "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
          "validation is '[-._a-zA-Z0-9]+')");
    Json big = config_map("c");
    big["data"] = {{"a", std::string(1024 * 1024, 'x')}, {"b", "y"}};
    CHECK(cause(sim.request("POST", k_configmaps, big)) ==
          "[]: Too long: may not be more than 1048576 bytes");
  }
  SECTION("immutable: true freezes data (ValidateConfigMapUpdate, ValidateSecretUpdate)") {
    Json frozen = config_map("c");
    frozen["immutable"] = true;
    auto made = sim.request("POST", k_configmaps, frozen);
    REQUIRE(made.status == 201);
    Json changed = made.body;
    changed["data"]["k"] = "other";
    CHECK(cause(sim.request("PUT", k_configmaps + "/c", changed)) ==
          "data: Forbidden: field is immutable when `immutable` is set");
    auto patched =
        sim.request("PATCH", k_configmaps + "/c", {{"immutable", false}}, "application/merge-patch+json");
    CHECK(cause(patched) == "immutable: Forbidden: field is immutable when `immutable` is set");
    Json secret = {{"apiVersion", "v1"},
                   {"kind", "Secret"},
                   {"metadata", {{"name", "s"}}},
                   {"immutable", true},
                   {"data", {{"k", "dg=="}}}};
    REQUIRE(sim.request("POST", k_secrets, secret).status == 201);
    auto r =
        sim.request("PATCH", k_secrets + "/s", {{"data", {{"k", "dw=="}}}}, "application/merge-patch+json");
    CHECK(cause(r) == "data: Forbidden: field is immutable when `immutable` is set");
  }
}

TEST_CASE("Deployment strategy and selector rules (apps validation)", "[kubesim][api][validation]") {
  Kubesim sim(api_only(k_bookmarks));
  auto strategy = [&](const Json& s) {
    return sim.request("POST", k_deployments, deployment({{"strategy", s}}));
  };
  CHECK(cause(strategy(
            {{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxSurge", 0}, {"maxUnavailable", 0}}}})) ==
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, "
        "StrVal:\"\"}: may not be 0 when `maxSurge` is 0");
  CHECK(cause(strategy({{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxUnavailable", "150%"}}}})) ==
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, "
        "StrVal:\"150%\"}: must not be greater than 100%");
  CHECK(cause(strategy({{"type", "Recreate"}, {"rollingUpdate", {{"maxSurge", 1}}}})) ==
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'");
  CHECK(strategy({{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxSurge", "200%"}}}}).status == 201);
  auto mismatch = sim.request("POST", k_deployments,
                              deployment({{"template", {{"metadata", {{"labels", {{"app", "other"}}}}}}}}));
  CHECK(cause(mismatch) ==
        "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: "
        "`selector` does not match template `labels`");
}

TEST_CASE("containers: names, ports, env names and requests <= limits (core validation)",
          "[kubesim][api][validation]") {
  Kubesim sim(api_only(k_bookmarks));
  auto first_cause = [&](const Json& container) {
    return cause(sim.request("POST", k_pods, pod(container)));
  };
  CHECK(first_cause({{"name", "Web_1"}})
            .rfind("spec.containers[0].name: Invalid value: \"Web_1\": a lowercase RFC 1123 label", 0) == 0);
  CHECK(first_cause({{"ports", {{{"containerPort", 70000}}}}}) ==
        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, "
        "inclusive");
  CHECK(first_cause({{"ports", {{{"containerPort", 80}, {"name", "http--x"}}}}}) ==
        "spec.containers[0].ports[0].name: Invalid value: \"http--x\": must not contain consecutive hyphens");
  CHECK(first_cause({{"ports", {{{"containerPort", 80}, {"protocol", "HTTP"}}}}}) ==
        "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", "
        "\"TCP\", "
        "\"UDP\"");
  CHECK(first_cause({{"env", {{{"name", "1X"}, {"value", "v"}}}}})
            .rfind("spec.containers[0].env[0].name: Invalid value: \"1X\": a valid environment variable name",
                   0) == 0);
  CHECK(first_cause({{"resources", {{"limits", {{"cpu", "500m"}}}, {"requests", {{"cpu", "1"}}}}}}) ==
        "spec.containers[0].resources.requests: Invalid value: \"1\": must be less than or equal to cpu "
        "limit of "
        "500m");
}

TEST_CASE("a Pod's spec is immutable but for images; a Service keeps its clusterIP",
          "[kubesim][api][validation]") {
  Kubesim sim(api_only(k_bookmarks));
  REQUIRE(sim.request("POST", k_pods, pod(Json::object())).status == 201);
  Json image = {{"spec", {{"containers", {{{"name", "c"}, {"image", "i:2"}}}}}}};
  CHECK(sim.request("PATCH", k_pods + "/p", image, "application/strategic-merge-patch+json").status == 200);
  auto r = sim.request("PATCH", k_pods + "/p", {{"spec", {{"restartPolicy", "Never"}}}},
                       "application/merge-patch+json");
  CHECK(cause(r).rfind(
            "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`", 0) ==
        0);

  Json svc = {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata", {{"name", "s"}}},
              {"spec", {{"ports", {{{"port", 80}}, {{"port", 81}, {"name", "b"}}}}}}};
  CHECK(cause(sim.request("POST", k_services, svc)) == "spec.ports[0].name: Required value");
  svc["spec"]["ports"][0]["name"] = "a";
  auto made = sim.request("POST", k_services, svc);
  REQUIRE(made.status == 201);
  Json replaced = svc;  // a PUT without clusterIP keeps the allocated one
  replaced["metadata"]["resourceVersion"] = made.body["metadata"]["resourceVersion"];
  auto kept = sim.request("PUT", k_services + "/s", replaced);
  REQUIRE(kept.status == 200);
  CHECK(kept.body["spec"]["clusterIP"] == made.body["spec"]["clusterIP"]);
  auto moved = sim.request("PATCH", k_services + "/s",
                           {{"spec", {{"clusterIP", "10.0.0.99"}, {"clusterIPs", nullptr}}}},
                           "application/merge-patch+json");
  CHECK(cause(moved) ==
        "spec.clusterIPs[0]: Invalid value: []string{\"10.0.0.99\"}: may not change once set");
}

// The apiserver defaults an object when it decodes it from storage too, so a
// Pod a controller wrote without a default (enableServiceLinks) still compares
// equal to its defaulted update: `kubectl label pod` / `annotate pod` touch
// only metadata and are allowed (core validation ValidatePodUpdate).
TEST_CASE("a Pod's labels and annotations may change though its stored spec lacks defaults",
          "[kubesim][api][validation]") {
  Kubesim sim(api_only(k_bookmarks));
  Json stored = pod(Json::object());
  stored["metadata"]["namespace"] = "default";
  REQUIRE(sim.server()->store().create("pods", stored));
  Json labels = {{"metadata", {{"labels", {{"a", "b"}}}}}};
  auto labelled = sim.request("PATCH", k_pods + "/p", labels, "application/strategic-merge-patch+json");
  CHECK(labelled.status == 200);
  CHECK(labelled.body["metadata"]["labels"]["a"] == "b");
  Json annotations = {{"metadata", {{"annotations", {{"x", "y"}}}}}};
  CHECK(sim.request("PATCH", k_pods + "/p", annotations, "application/merge-patch+json").status == 200);
  auto r = sim.request("PATCH", k_pods + "/p", {{"spec", {{"restartPolicy", "Never"}}}},
                       "application/merge-patch+json");
  CHECK(cause(r).rfind("spec: Forbidden: pod updates may not change fields", 0) == 0);
}

TEST_CASE("field selectors accept only the fields a kind indexes (ConvertFieldLabel)",
          "[kubesim][api][validation]") {
  Kubesim sim(api_only(k_bookmarks));
  auto r = sim.get(k_configmaps + "?fieldSelector=spec.foo%3Dx");
  CHECK(r.status == 400);
  CHECK(r.body["reason"] == "BadRequest");
  CHECK(r.body["message"] == "field label not supported: spec.foo");
  CHECK(sim.get(k_configmaps + "?watch=true&fieldSelector=data.k%3Dv").status == 400);
  CHECK(sim.get(k_pods + "?fieldSelector=status.phase%3DRunning,spec.nodeName%3Dn").status == 200);
  CHECK(sim.get(k_secrets + "?fieldSelector=type%3DOpaque").status == 200);
  CHECK(sim.get(k_deployments + "?fieldSelector=status.phase%3DRunning").status == 400);
}
