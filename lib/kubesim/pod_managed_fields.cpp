#include <kubesim/pod_managed_fields.hpp>

#include <kubesim/kube_object.hpp>
#include <kubesim/managed_fields.hpp>

namespace kubesim {

namespace {

// More templates than a test or bench keeps live: past it the cache starts
// over rather than tracking which ReplicaSets are gone.
constexpr std::size_t k_max_cached_templates = 1024;

std::string key_element(const char* key, const Json& value) {
  return "k:" + Json{{key, value}}.dump();
}

bool is_kubelet_status_entry(const Json& entry) {
  return entry.value("manager", "") == k_kubelet_manager && entry.value("operation", "") == "Update" &&
         entry.value("subresource", "") == "status";
}

bool owns_status_fields(const Json& entry) {
  return entry.contains("fieldsV1") && entry["fieldsV1"].contains("f:status");
}

Json condition_fields(const Json& status) {
  Json out = Json::object();
  if (!status.contains("conditions") || !status["conditions"].is_array()) return out;
  for (const Json& condition : status["conditions"]) {
    if (!condition.is_object() || condition.value("type", "") == "PodScheduled") continue;
    Json fields = Json::object();
    for (const auto& [key, value] : condition.items()) fields["f:" + key] = Json::object();
    out[key_element("type", condition["type"])] = std::move(fields);
  }
  return out;
}

Json pod_ip_fields(const Json& status) {
  Json out = Json::object();
  for (const Json& ip : status["podIPs"]) {
    if (ip.is_object() && ip.contains("ip")) out[key_element("ip", ip["ip"])] = {{"f:ip", Json::object()}};
  }
  return out;
}

}  // namespace

Json update_entry(const std::string& manager, const std::string& time, const Json& fields_v1,
                  const std::string& subresource) {
  Json entry = {{"manager", manager}, {"operation", "Update"},    {"apiVersion", "v1"},
                {"time", time},       {"fieldsType", "FieldsV1"}, {"fieldsV1", fields_v1}};
  if (!subresource.empty()) entry["subresource"] = subresource;
  return entry;
}

Json PodTemplateFields::fields_for(const Json& replica_set, const Json& pod) {
  const std::string uid = uid_of(replica_set);
  const long long generation = int_at(replica_set, "/metadata/generation", 0);
  {
    std::lock_guard lock(mutex_);
    auto found = by_uid_.find(uid);
    if (found != by_uid_.end() && found->second.generation == generation) return found->second.fields;
  }
  // The same walk every other write gets (managed_fields.cpp), once per template.
  Json walked = pod;
  record_update(Json(), walked, k_controller_manager, "v1", "");
  Json fields = walked["metadata"].value("managedFields", Json::array()).at(0).at("fieldsV1");
  std::lock_guard lock(mutex_);
  if (by_uid_.size() >= k_max_cached_templates) by_uid_.clear();
  by_uid_[uid] = {generation, fields};
  return fields;
}

Json kubelet_status_fields(const Json& status, bool owns_phase) {
  Json fields = Json::object();
  if (!status.is_object()) return fields;
  Json conditions = condition_fields(status);
  if (!conditions.empty()) fields["f:conditions"] = std::move(conditions);
  for (const char* leaf : {"containerStatuses", "hostIP", "hostIPs", "podIP", "startTime"}) {
    if (status.contains(leaf)) fields[std::string("f:") + leaf] = Json::object();
  }
  if (status.contains("podIPs") && status["podIPs"].is_array()) {
    Json ips = pod_ip_fields(status);
    if (!ips.empty()) fields["f:podIPs"] = std::move(ips);
  }
  const std::string phase = status.value("phase", "");
  if (!phase.empty() && (owns_phase || phase != "Pending")) fields["f:phase"] = Json::object();
  return fields.empty() ? fields : Json{{"f:status", std::move(fields)}};
}

bool set_kubelet_status_entry(Json& pod, const std::string& time) {
  Json& meta = pod["metadata"];
  if (!meta.contains("managedFields") || !meta["managedFields"].is_array())
    meta["managedFields"] = Json::array();
  Json& entries = meta["managedFields"];
  std::size_t mine = entries.size();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (is_kubelet_status_entry(entries[i])) {
      mine = i;
    } else if (owns_status_fields(entries[i])) {
      return false;
    }
  }
  const bool owns_phase =
      mine < entries.size() && entries[mine].contains(Json::json_pointer("/fieldsV1/f:status/f:phase"));
  static const Json k_no_status = Json::object();
  Json fields = kubelet_status_fields(pod.contains("status") ? pod["status"] : k_no_status, owns_phase);
  if (fields.empty()) {
    if (mine < entries.size()) entries.erase(mine);
  } else if (mine < entries.size()) {
    entries[mine]["fieldsV1"] = std::move(fields);
    entries[mine]["time"] = time;
  } else {
    entries.push_back(update_entry(k_kubelet_manager, time, fields, "status"));
  }
  if (entries.empty()) meta.erase("managedFields");
  return true;
}

}  // namespace kubesim
