#include <sluice/engine/objects.hpp>

#include <sluice/util/sha256.hpp>

#include <map>

namespace sluice::engine {

using util::ErrorKind;
using util::make_error;

namespace {
const Json& containers_of(const Json& deployment) {
  static const Json empty = Json::array();
  auto ptr = "/spec/template/spec/containers"_json_pointer;
  return deployment.contains(ptr) ? deployment.at(ptr) : empty;
}
}  // namespace

util::Result<std::size_t> container_index(const Json& deployment, const std::string& container) {
  const Json& containers = containers_of(deployment);
  std::string name = deployment.value("/metadata/name"_json_pointer, std::string());
  if (containers.empty()) return make_error(ErrorKind::invalid, "deployment " + name + " has no containers");
  if (container.empty()) {
    if (containers.size() == 1) return std::size_t{0};
    return make_error(ErrorKind::invalid,
                      "deployment " + name + " has several containers; set target.container in the plan");
  }
  for (std::size_t i = 0; i < containers.size(); ++i)
    if (containers[i].value("name", "") == container) return i;
  return make_error(ErrorKind::not_found,
                    "deployment " + name + " has no container named '" + container + "'");
}

std::string container_image(const Json& deployment, std::size_t index) {
  const Json& containers = containers_of(deployment);
  return index < containers.size() ? containers[index].value("image", "") : "";
}

ReadyCounts ready_counts(const Json& d) {
  ReadyCounts c;
  c.desired = d.value("/spec/replicas"_json_pointer, 1);
  c.updated = d.value("/status/updatedReplicas"_json_pointer, 0);
  c.ready = d.value("/status/readyReplicas"_json_pointer, 0);
  c.available = d.value("/status/availableReplicas"_json_pointer, 0);
  return c;
}

std::string selector_string(const Json& labels) {
  std::map<std::string, std::string> sorted;
  if (labels.is_object())
    for (const auto& [k, v] : labels.items()) sorted[k] = v.is_string() ? v.get<std::string>() : v.dump();
  std::string out;
  for (const auto& [k, v] : sorted) {
    if (!out.empty()) out += ',';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::string version_id(const std::string& digest) {
  return util::sha256_hex(digest).substr(0, 10);
}

std::string preview_name(const std::string& deployment, const std::string& version) {
  return deployment + "-" + version;
}

std::string canary_name(const std::string& deployment) {
  return deployment + "-canary";
}

void set_rolling_update(Json& deployment, const strategy::RollingParameters& params,
                        util::Duration progress_deadline) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(progress_deadline).count();
  deployment["spec"]["strategy"] = {
      {"type", "RollingUpdate"},
      {"rollingUpdate", {{"maxSurge", params.max_surge}, {"maxUnavailable", params.max_unavailable}}}};
  deployment["spec"]["progressDeadlineSeconds"] = std::max<long long>(1, seconds);
}

void roll_template_to(Json& deployment, std::size_t index, const std::string& image,
                      const strategy::RollingParameters& params, util::Duration progress_deadline) {
  deployment["spec"]["template"]["spec"]["containers"][index]["image"] = image;
  set_rolling_update(deployment, params, progress_deadline);
}

Json sluice_service(const std::string& name, const std::string& ns, const std::string& rollout,
                    const Json& selector, const Json& target_service) {
  Json ports = target_service.value("/spec/ports"_json_pointer, Json::array());
  for (auto& p : ports) p.erase("nodePort");
  return Json{{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata",
               {{"name", name},
                {"namespace", ns},
                {"labels", {{"app.kubernetes.io/managed-by", "sluice"}, {k_rollout_label, rollout}}}}},
              {"spec", {{"selector", selector}, {"ports", ports}}}};
}

Json writable_template(Json pod_template) {
  if (pod_template.contains("metadata") && pod_template["metadata"].contains("labels"))
    pod_template["metadata"]["labels"].erase("pod-template-hash");
  return pod_template;
}

Json selector_with(const Json& selector, const std::string& key, const std::string& value) {
  Json out = selector.is_object() ? selector : Json::object();
  out[key] = value;
  return out;
}

Json make_preview_deployment(const Json& live, const std::string& name, const std::string& rollout,
                             const std::string& version, std::size_t index, const std::string& image,
                             int replicas) {
  Json spec = live.at("spec");
  spec["replicas"] = replicas;
  spec["selector"]["matchLabels"][k_version_label] = version;
  spec["template"]["metadata"]["labels"][k_version_label] = version;
  spec["template"]["spec"]["containers"][index]["image"] = image;
  Json labels = live.value("/metadata/labels"_json_pointer, Json::object());
  labels[k_rollout_label] = rollout;
  labels[k_version_label] = version;
  return Json{
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata",
       {{"name", name},
        {"namespace", live.value("/metadata/namespace"_json_pointer, std::string())},
        {"labels", labels},
        {"annotations", {{"sluice.io/created-from", live.value("/metadata/name"_json_pointer, "")}}}}},
      {"spec", spec}};
}

namespace {
bool refers_to(const Json& ref, const std::string& service, const std::string& ns) {
  return ref.value("name", "") == service && ref.value("kind", "Service") == "Service" &&
         ref.value("group", "") == "" && ref.value("namespace", ns) == ns;
}
}  // namespace

int set_backend_weights(Json& route, const RouteBackends& backends, int stable_weight, int canary_weight) {
  auto rules = "/spec/rules"_json_pointer;
  if (!route.contains(rules) || !route.at(rules).is_array()) return 0;
  int changed = 0;
  for (auto& rule : route.at(rules)) {
    if (!rule.contains("backendRefs") || !rule["backendRefs"].is_array()) continue;
    Json* stable_ref = nullptr;
    Json* canary_ref = nullptr;
    for (auto& ref : rule["backendRefs"]) {
      if (refers_to(ref, backends.stable, backends.ns)) stable_ref = &ref;
      if (refers_to(ref, backends.canary, backends.ns)) canary_ref = &ref;
    }
    if (stable_ref == nullptr) continue;
    ++changed;
    (*stable_ref)["weight"] = stable_weight;
    if (canary_ref != nullptr) {
      (*canary_ref)["weight"] = canary_weight;
      continue;
    }
    Json added{{"name", backends.canary}, {"weight", canary_weight}};
    if (stable_ref->contains("port")) added["port"] = (*stable_ref)["port"];
    rule["backendRefs"].push_back(added);  // may move the refs: nothing is used after this
  }
  return changed;
}

std::vector<Json> pods_running(const std::vector<Json>& pods, const std::string& image) {
  std::vector<Json> out;
  for (const auto& pod : pods) {
    auto ptr = "/spec/containers"_json_pointer;
    if (!pod.contains(ptr)) continue;
    for (const auto& c : pod.at(ptr)) {
      if (c.value("image", "") == image) {
        out.push_back(pod);
        break;
      }
    }
  }
  return out;
}

std::string current_revision(const Json& deployment) {
  return deployment.value("/metadata/annotations/deployment.kubernetes.io~1revision"_json_pointer,
                          std::string());
}

std::string current_template_hash(const Json& deployment, const std::vector<Json>& replicasets) {
  std::string uid = deployment.value("/metadata/uid"_json_pointer, std::string());
  std::string revision = current_revision(deployment);
  for (const auto& rs : replicasets) {
    bool owned = false;
    for (const auto& ref : rs.value("/metadata/ownerReferences"_json_pointer, Json::array()))
      owned = owned || (ref.value("uid", "") == uid && ref.value("controller", false));
    if (!owned) continue;
    if (!revision.empty() && rs.value("/metadata/annotations/deployment.kubernetes.io~1revision"_json_pointer,
                                      std::string()) != revision)
      continue;
    return rs.value("/metadata/labels/pod-template-hash"_json_pointer, std::string());
  }
  return "";
}

}  // namespace sluice::engine
