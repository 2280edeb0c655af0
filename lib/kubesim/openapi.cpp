// OpenAPI for kubectl. kubectl 1.32 downloads /openapi/v2 (protobuf) and
// then asks /openapi/v3 whether each kind's PATCH accepts the
// fieldValidation parameter; when it does, kubectl leaves validation to the
// server. Each group version's v3 document also carries the kinds' schemas
// (openapi_schemas.cpp), which `kubectl explain` reads. An empty v2 document (zero protobuf bytes) parses
// as "no schemas", which makes kubectl skip client-side schema checks and
// fall back to its built-in strategic-merge metadata for apply.
#include <kubesim/openapi_schemas.hpp>
#include <kubesim/server_internal.hpp>

namespace kubesim {

namespace {

std::string gv_path(const ResourceType& type) {
  return type.group.empty() ? "api/" + type.version : "apis/" + type.group + "/" + type.version;
}

Json v3_root(const std::vector<const ResourceType*>& types) {
  Json paths = Json::object();
  for (const ResourceType* each : types) {
    const ResourceType& type = *each;
    paths[gv_path(type)] = {{"serverRelativeURL", "/openapi/v3/" + gv_path(type) + "?hash=kubesim"}};
  }
  return {{"paths", paths}};
}

Json v3_group_version(const std::vector<const ResourceType*>& all, const std::string& path) {
  Json paths = Json::object();
  std::vector<const ResourceType*> types;
  std::copy_if(all.begin(), all.end(), std::back_inserter(types),
               [&](const ResourceType* t) { return gv_path(*t) == path; });
  for (const ResourceType* each : types) {
    const ResourceType& type = *each;
    const std::string item =
        "/" + path + (type.namespaced ? "/namespaces/{namespace}/" : "/") + type.plural + "/{name}";
    const Json param = {{"name", "fieldValidation"}, {"in", "query"}, {"schema", {{"type", "string"}}}};
    paths[item] = {{"patch",
                    {{"operationId", "patch" + type.kind},
                     {"x-kubernetes-action", "patch"},
                     {"x-kubernetes-group-version-kind",
                      {{"group", type.group}, {"version", type.version}, {"kind", type.kind}}},
                     {"parameters", {param}},
                     {"responses", {{"200", {{"description", "OK"}}}}}}}};
  }
  return {{"openapi", "3.0.0"},
          {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
          {"paths", paths},
          {"components", {{"schemas", openapi_components(types)}}}};
}

}  // namespace

bool handle_openapi(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (req.method != "GET") return false;
  if (req.path == "/openapi/v2") {
    res.status = 200;
    // kubectl asks for `...spec.v2@v1.0+protobuf`; kube-openapi answers with
    // the dotted form, since Go's mime parser (kubectl <= 1.28) rejects the `@`
    // (kube-openapi pkg/handler/handler.go subTypeProtobuf).
    res.set_content("", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    return true;
  }
  if (req.path == "/openapi/v3" || req.path == "/openapi/v3/") {
    send_json(res, 200, v3_root(ctx.store.types().all()));
    return true;
  }
  const std::string prefix = "/openapi/v3/";
  if (req.path.rfind(prefix, 0) == 0) {
    const Json doc = v3_group_version(ctx.store.types().all(), req.path.substr(prefix.size()));
    if (doc["paths"].empty()) return false;
    send_json(res, 200, doc);
    return true;
  }
  return false;
}

}  // namespace kubesim
