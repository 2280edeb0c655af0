#include <kubesim/endpoints_controller.hpp>

#include <kubesim/kube_object.hpp>

#include <algorithm>
#include <map>

namespace kubesim {

std::optional<long long> target_port(const Json& service_port, const Json& pod) {
  const Json target = service_port.value("targetPort", Json());
  if (target.is_number_integer()) return target.get<long long>();
  if (!target.is_string()) return int_at(service_port, "/port", 0);
  std::string wanted = target.get<std::string>();
  std::string protocol = service_port.value("protocol", "TCP");
  for (const Json& container : pod["spec"].value("containers", Json::array())) {
    for (const Json& port : container.value("ports", Json::array())) {
      if (port.value("name", "") == wanted && port.value("protocol", "TCP") == protocol) {
        return int_at(port, "/containerPort", 0);
      }
    }
  }
  return std::nullopt;
}

namespace {

Json address_of(const Json& pod) {
  Json address = {
      {"ip", string_at(pod, "/status/podIP")},
      {"targetRef",
       {{"kind", "Pod"}, {"namespace", namespace_of(pod)}, {"name", name_of(pod)}, {"uid", uid_of(pod)}}}};
  std::string node = string_at(pod, "/spec/nodeName");
  if (!node.empty()) address["nodeName"] = node;
  return address;
}

bool by_ip(const Json& a, const Json& b) {
  return a["ip"].get<std::string>() < b["ip"].get<std::string>();
}

}  // namespace

Json endpoint_subsets(const Json& service, const std::vector<ObjectPtr>& pods) {
  bool publish_not_ready = bool_at(service, "/spec/publishNotReadyAddresses", false);
  Json service_ports = has_at(service, "/spec/ports") ? service["spec"]["ports"] : Json::array();
  // Pods whose ports resolve the same share a subset, as RepackSubsets groups them.
  std::map<std::string, std::pair<Json, std::pair<Json, Json>>>
      groups;  // ports -> (ports, (ready, not ready))
  for (const ObjectPtr& pod_ptr : pods) {
    const Json& pod = *pod_ptr;
    std::string phase = string_at(pod, "/status/phase");
    if (string_at(pod, "/status/podIP").empty() || has_at(pod, "/metadata/deletionTimestamp") ||
        phase == "Succeeded" || phase == "Failed") {
      continue;
    }
    Json ports = Json::array();
    bool resolved = true;
    for (const Json& port : service_ports) {
      auto number = target_port(port, pod);
      if (!number) {
        resolved = false;
        break;
      }
      Json entry = {{"port", *number}, {"protocol", port.value("protocol", "TCP")}};
      std::string port_name = port.value("name", "");
      if (!port_name.empty()) entry["name"] = port_name;
      ports.push_back(std::move(entry));
    }
    if (!resolved) continue;
    auto& group = groups[ports.dump()];
    group.first = ports;
    if (!group.second.first.is_array()) group.second = {Json::array(), Json::array()};
    (publish_not_ready || pod_ready(pod) ? group.second.first : group.second.second)
        .push_back(address_of(pod));
  }
  Json subsets = Json::array();
  for (auto& [key, group] : groups) {
    auto& [ready, not_ready] = group.second;
    Json subset = Json::object();
    std::sort(ready.begin(), ready.end(), by_ip);
    std::sort(not_ready.begin(), not_ready.end(), by_ip);
    if (!ready.empty()) subset["addresses"] = ready;
    if (!not_ready.empty()) subset["notReadyAddresses"] = not_ready;
    if (!group.first.empty()) subset["ports"] = group.first;
    subsets.push_back(std::move(subset));
  }
  return subsets;
}

sluice::util::Status EndpointsController::sync(const std::string& ns, const std::string& name) {
  ObjectPtr service = ctx_.index.get(k_services, ns, name);
  if (auto ok = sync_endpoints(service, ns, name); !ok) return ok;
  if (!service || !has_at(*service, "/spec/selector") || !(*service)["spec"]["selector"].is_object() ||
      (*service)["spec"]["selector"].empty()) {
    return {};  // the garbage collector removes a deleted Service's slices; without a selector the user
                // manages them
  }
  return sync_slices(*service, ctx_.index.pods_matching(ns, (*service)["spec"]["selector"]));
}

sluice::util::Status EndpointsController::sync_endpoints(const ObjectPtr& service, const std::string& ns,
                                                         const std::string& name) {
  if (!service) {
    // The Endpoints of a deleted Service go with it.
    auto removed = ctx_.remove(k_endpoints, ns, name);
    if (!removed && removed.error().kind != sluice::util::ErrorKind::not_found) return removed.error();
    return {};
  }
  Json selector = has_at(*service, "/spec/selector") ? (*service)["spec"]["selector"] : Json();
  if (!selector.is_object() || selector.empty()) return {};  // without a selector the user manages Endpoints
  Json subsets = endpoint_subsets(*service, ctx_.index.pods_matching(ns, selector));
  Json labels = has_at(*service, "/metadata/labels") ? (*service)["metadata"]["labels"] : Json::object();

  auto current = ctx_.store.get(k_endpoints, ns, name);
  if (!current && current.error().kind != sluice::util::ErrorKind::not_found) return current.error();
  if (!current) {
    Json endpoints = {{"apiVersion", "v1"},
                      {"kind", "Endpoints"},
                      {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}}};
    if (labels.empty()) endpoints["metadata"].erase("labels");  // omitempty, as a real Endpoints shows
    if (!subsets.empty()) endpoints["subsets"] = subsets;
    auto created = ctx_.create(k_endpoints, std::move(endpoints));
    if (!created && created.error().kind != sluice::util::ErrorKind::already_exists) return created.error();
    if (!created)
      return sluice::util::make_error(sluice::util::ErrorKind::conflict, "endpoints created concurrently");
    return {};
  }
  Json endpoints = std::move(*current);
  Json current_subsets = endpoints.value("subsets", Json::array());
  Json current_labels =
      has_at(endpoints, "/metadata/labels") ? endpoints["metadata"]["labels"] : Json::object();
  if (current_subsets == subsets && current_labels == labels) return {};
  endpoints["metadata"]["labels"] = labels;
  if (labels.empty()) endpoints["metadata"].erase("labels");
  if (subsets.empty()) {
    endpoints.erase("subsets");
  } else {
    endpoints["subsets"] = subsets;
  }
  auto written = ctx_.update(k_endpoints, std::move(endpoints));
  if (!written && written.error().kind != sluice::util::ErrorKind::not_found) return written.error();
  return {};
}

}  // namespace kubesim
