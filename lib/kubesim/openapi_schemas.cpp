// Converts kubesim's field schema (leaf codes, "#Name" references, [x] lists,
// {"*": x} maps) to OpenAPI v3 as the apiserver publishes it: struct fields
// as `allOf: [{$ref}]`, int-or-string and quantities as the apimachinery
// types, and the strategic-merge annotations of the Go struct tags
// (x-kubernetes-patch-merge-key / -patch-strategy) that kubectl apply reads.
// Descriptions are kubesim's own one-liners for the kinds and a few fields,
// not the upstream documentation (which kubesim does not vendor).
#include <kubesim/event_versions.hpp>
#include <kubesim/openapi_schemas.hpp>
#include <kubesim/schema.hpp>

namespace kubesim {

namespace {

const char* const k_meta = "io.k8s.apimachinery.pkg.apis.meta.v1.";

std::string package_of(const std::string& name) {
  static const std::map<std::string, std::string> packages = {
      {"ObjectMeta", k_meta},
      {"OwnerReference", k_meta},
      {"LabelSelector", k_meta},
      {"LabelSelectorRequirement", k_meta},
      {"Deployment", "io.k8s.api.apps.v1."},
      {"DeploymentSpec", "io.k8s.api.apps.v1."},
      {"DeploymentStrategy", "io.k8s.api.apps.v1."},
      {"RollingUpdateDeployment", "io.k8s.api.apps.v1."},
      {"ReplicaSet", "io.k8s.api.apps.v1."},
      {"ReplicaSetSpec", "io.k8s.api.apps.v1."},
      {"Lease", "io.k8s.api.coordination.v1."},
      {"LeaseSpec", "io.k8s.api.coordination.v1."},
      {"Ingress", "io.k8s.api.networking.v1."},
      {"HTTPRoute", "io.k8s.networking.gateway.v1."}};
  const auto it = packages.find(name);
  return it == packages.end() ? "io.k8s.api.core.v1." : it->second;
}

std::string component(const std::string& name) {
  return package_of(name) + name;
}

Json schema_ref(const std::string& name) {
  return {{"$ref", "#/components/schemas/" + component(name)}};
}

// The strategic-merge tags of the Go types (patchStrategy / patchMergeKey).
const std::map<std::string, std::pair<std::string, std::string>>& patch_tags() {
  static const std::map<std::string, std::pair<std::string, std::string>> tags = {
      {"PodSpec.containers", {"merge", "name"}},
      {"PodSpec.initContainers", {"merge", "name"}},
      {"PodSpec.ephemeralContainers", {"merge", "name"}},
      {"PodSpec.volumes", {"merge,retainKeys", "name"}},
      {"PodSpec.imagePullSecrets", {"merge", "name"}},
      {"PodSpec.hostAliases", {"merge", "ip"}},
      {"Container.ports", {"merge", "containerPort"}},
      {"Container.env", {"merge", "name"}},
      {"Container.volumeMounts", {"merge", "mountPath"}},
      {"Container.volumeDevices", {"merge", "devicePath"}},
      {"ServiceSpec.ports", {"merge", "port"}},
      {"ObjectMeta.ownerReferences", {"merge", "uid"}},
      {"ObjectMeta.finalizers", {"merge", ""}},
      {"DeploymentSpec.strategy", {"retainKeys", ""}}};
  return tags;
}

Json leaf(const std::string& code) {
  if (code == "s") return {{"type", "string"}};
  if (code == "b") return {{"type", "boolean"}};
  if (code == "i32") return {{"type", "integer"}, {"format", "int32"}};
  if (code == "i64") return {{"type", "integer"}, {"format", "int64"}};
  if (code == "n") return {{"type", "number"}};
  if (code == "m")
    return {{"type", "object"}, {"additionalProperties", {{"type", "string"}, {"default", ""}}}};
  if (code == "q") return {{"$ref", "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"}};
  if (code == "io") return {{"$ref", "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}};
  if (code.rfind('#', 0) == 0) return {{"allOf", {schema_ref(code.substr(1))}}, {"default", Json::object()}};
  return {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};  // "any"
}

Json field_schema(const Json& code) {
  if (code.is_array()) return {{"type", "array"}, {"items", field_schema(code[0])}};
  if (code.is_object()) return {{"type", "object"}, {"additionalProperties", field_schema(code["*"])}};
  return leaf(code.get<std::string>());
}

void references(const Json& code, std::vector<std::string>& out) {
  if (code.is_array()) return references(code[0], out);
  if (code.is_object()) return references(code["*"], out);
  const std::string text = code.get<std::string>();
  if (text == "q") out.push_back("!Quantity");
  if (text == "io") out.push_back("!IntOrString");
  if (text.rfind('#', 0) == 0) out.push_back(text.substr(1));
}

const std::map<std::string, std::string>& descriptions() {
  static const std::map<std::string, std::string> text = {
      {"Deployment", "Deployment enables declarative updates for Pods and ReplicaSets."},
      {"ReplicaSet",
       "ReplicaSet ensures that a specified number of pod replicas are running at any given time."},
      {"Pod", "Pod is a collection of containers that can run on a host."},
      {"Service",
       "Service is a named abstraction of software service (for example, mysql) consisting of local "
       "port (for example 3306) that the proxy listens on, and the selector that determines which "
       "pods will answer requests sent through the proxy."},
      {"ConfigMap", "ConfigMap holds configuration data for pods to consume."},
      {"Secret", "Secret holds secret data of a certain type."},
      {"Lease", "Lease defines a lease concept."},
      {"Namespace", "Namespace provides a scope for Names."},
      {"DeploymentStrategy", "DeploymentStrategy describes how to replace existing pods with new ones."},
      {"RollingUpdateDeployment", "Spec to control the desired behavior of rolling update."},
      {"ObjectMeta", "ObjectMeta is metadata that all persisted resources must have."},
      {"DeploymentStrategy.type",
       "Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is "
       "RollingUpdate."},
      {"DeploymentStrategy.rollingUpdate",
       "Rolling update config params. Present only if DeploymentStrategyType "
       "= RollingUpdate."},
      {"DeploymentSpec.replicas", "Number of desired pods. Defaults to 1."},
      {"DeploymentSpec.strategy", "The deployment strategy to use to replace existing pods with new ones."},
      {"PodSpec.containers", "List of containers belonging to the pod."},
      {"ServiceSpec.ports", "The list of ports that are exposed by this service."},
      {"ConfigMap.data", "Data contains the configuration data."},
      {"LeaseSpec.holderIdentity", "holderIdentity contains the identity of the holder of a current lease."}};
  return text;
}

Json struct_schema(const std::string& name, const Json& fields) {
  Json properties = Json::object();
  for (const auto& [field, code] : fields.items()) {
    Json schema = field_schema(code);
    const auto tag = patch_tags().find(name + "." + field);
    if (tag != patch_tags().end()) {
      schema["x-kubernetes-patch-strategy"] = tag->second.first;
      if (!tag->second.second.empty()) schema["x-kubernetes-patch-merge-key"] = tag->second.second;
    }
    const auto text = descriptions().find(name + "." + field);
    if (text != descriptions().end()) schema["description"] = text->second;
    properties[field] = schema;
  }
  Json out = {{"type", "object"}, {"properties", properties}};
  const auto text = descriptions().find(name);
  if (text != descriptions().end()) out["description"] = text->second;
  return out;
}

Json apimachinery_leaf(const std::string& name) {
  if (name == "!Quantity") return {{"oneOf", {{{"type", "string"}}, {{"type", "number"}}}}};
  return {{"x-kubernetes-int-or-string", true}, {"anyOf", {{{"type", "integer"}}, {{"type", "string"}}}}};
}

std::string leaf_component(const std::string& name) {
  return name == "!Quantity" ? "io.k8s.apimachinery.pkg.api.resource.Quantity"
                             : "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
}

// Adds `name` and every definition it reaches to `out`.
void add_definition(const Json& defs, const std::string& name, Json& out) {
  if (name[0] == '!') {
    out[leaf_component(name)] = apimachinery_leaf(name);
    return;
  }
  if (out.contains(component(name)) || !defs.contains(name)) return;
  out[component(name)] = struct_schema(name, defs[name]);
  std::vector<std::string> reached;
  for (const auto& [field, code] : defs[name].items()) references(code, reached);
  for (const auto& next : reached) add_definition(defs, next, out);
}

Json group_version_kind(const ResourceType& type) {
  return Json::array({{{"group", type.group}, {"version", type.version}, {"kind", type.kind}}});
}

// A kind kubesim has no field schema for: its object shell, spec and status open.
Json open_kind_schema() {
  const Json open = {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
  return {{"type", "object"},
          {"properties",
           {{"apiVersion", {{"type", "string"}}},
            {"kind", {{"type", "string"}}},
            {"metadata", {{"allOf", {schema_ref("ObjectMeta")}}, {"default", Json::object()}}},
            {"spec", open},
            {"status", open}}}};
}

}  // namespace

std::string openapi_component_name(const ResourceType& type) {
  if (!type.schema) {
    const std::string package = package_of(type.kind);
    if (package != "io.k8s.api.core.v1." || type.group.empty()) return package + type.kind;
    return "io.k8s.api." + type.group.substr(0, type.group.find('.')) + "." + type.version + "." + type.kind;
  }
  std::string reversed;  // example.com -> com.example, as for CRDs' published schemas
  std::string rest = type.group;
  while (!rest.empty()) {
    const auto dot = rest.rfind('.');
    reversed += (reversed.empty() ? "" : ".") + rest.substr(dot == std::string::npos ? 0 : dot + 1);
    rest = dot == std::string::npos ? "" : rest.substr(0, dot);
  }
  return reversed + "." + type.version + "." + type.kind;
}

Json openapi_components(const std::vector<const ResourceType*>& types) {
  const Json& defs = schema_definitions();
  Json out = Json::object();
  add_definition(defs, "ObjectMeta", out);
  for (const ResourceType* type : types) {
    Json schema;
    if (type->schema) {
      schema = *type->schema;
      schema["properties"]["metadata"] = {{"allOf", {schema_ref("ObjectMeta")}}, {"default", Json::object()}};
    } else if (defs.contains(type->kind)) {
      add_definition(defs, type->kind, out);
      schema = out[component(type->kind)];
      // events.k8s.io/v1 is the core Event under its own field names (event_versions.cpp).
      if (type->group == k_events_group)
        schema["properties"] = event_fields_to_events_v1(schema.value("properties", Json::object()));
    } else {
      schema = open_kind_schema();
    }
    schema["x-kubernetes-group-version-kind"] = group_version_kind(*type);
    out[openapi_component_name(*type)] = schema;
  }
  return out;
}

}  // namespace kubesim
