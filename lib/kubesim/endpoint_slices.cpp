// The EndpointSlice controller's part of the endpoints simulation
// (pkg/controller/endpointslice, staging/src/k8s.io/endpointslice): each
// Service with a selector gets discovery.k8s.io/v1 EndpointSlices labelled
// with its name, listing its pods with ready/serving/terminating conditions.
#include <kubesim/endpoints_controller.hpp>

#include <kubesim/kube_object.hpp>

#include <algorithm>
#include <map>

namespace kubesim {

namespace {

constexpr const char* k_service_name_label = "kubernetes.io/service-name";
constexpr const char* k_managed_by_label = "endpointslice.kubernetes.io/managed-by";
constexpr const char* k_managed_by = "endpointslice-controller.k8s.io";

// podToEndpoint (staging/src/k8s.io/endpointslice/utils.go).
Json slice_endpoint(const Json& service, const Json& pod) {
  const bool publish_not_ready = bool_at(service, "/spec/publishNotReadyAddresses", false);
  const bool terminating = has_at(pod, "/metadata/deletionTimestamp");
  bool ready = publish_not_ready || pod_ready(pod);
  if (terminating && !publish_not_ready) ready = false;
  Json endpoint = {
      {"addresses", Json::array({string_at(pod, "/status/podIP")})},
      {"conditions", {{"ready", ready}, {"serving", pod_ready(pod)}, {"terminating", terminating}}},
      {"targetRef",
       {{"kind", "Pod"}, {"namespace", namespace_of(pod)}, {"name", name_of(pod)}, {"uid", uid_of(pod)}}}};
  const std::string node = string_at(pod, "/spec/nodeName");
  if (!node.empty()) endpoint["nodeName"] = node;
  return endpoint;
}

// The Service's ports as this pod resolves them; nullopt when one does not resolve.
std::optional<Json> slice_ports(const Json& service, const Json& pod) {
  Json ports = Json::array();
  for (const Json& port : service["spec"].value("ports", Json::array())) {
    auto number = target_port(port, pod);
    if (!number) return std::nullopt;
    Json entry = {
        {"name", port.value("name", "")}, {"port", *number}, {"protocol", port.value("protocol", "TCP")}};
    if (port.contains("appProtocol")) entry["appProtocol"] = port["appProtocol"];
    ports.push_back(std::move(entry));
  }
  return ports;
}

Json slice_labels(const Json& service) {
  Json labels = has_at(service, "/metadata/labels") ? service["metadata"]["labels"] : Json::object();
  labels[k_service_name_label] = name_of(service);
  labels[k_managed_by_label] = k_managed_by;
  if (string_at(service, "/spec/clusterIP") == "None") labels["service.kubernetes.io/headless"] = "";
  return labels;
}

bool managed_slice_of(const Json& slice, const std::string& service) {
  const Json labels = slice["metadata"].value("labels", Json::object());
  return labels.value(k_service_name_label, "") == service &&
         labels.value(k_managed_by_label, "") == k_managed_by;
}

}  // namespace

std::vector<Json> endpoint_slice_bodies(const Json& service, const std::vector<ObjectPtr>& pods) {
  std::map<std::string, Json> by_ports;  // ports as text -> slice body
  for (const ObjectPtr& pod_ptr : pods) {
    const Json& pod = *pod_ptr;
    const std::string phase = string_at(pod, "/status/phase");
    if (string_at(pod, "/status/podIP").empty() || phase == "Succeeded" || phase == "Failed") continue;
    auto ports = slice_ports(service, pod);
    if (!ports) continue;
    Json& body = by_ports[ports->dump()];
    if (body.is_null()) body = {{"addressType", "IPv4"}, {"endpoints", Json::array()}, {"ports", *ports}};
    body["endpoints"].push_back(slice_endpoint(service, pod));
  }
  std::vector<Json> bodies;
  for (auto& [key, body] : by_ports) {
    std::sort(body["endpoints"].begin(), body["endpoints"].end(),
              [](const Json& a, const Json& b) { return a["addresses"][0] < b["addresses"][0]; });
    bodies.push_back(std::move(body));
  }
  // A Service that selects nothing keeps one placeholder slice: no endpoints, no ports.
  if (bodies.empty())
    bodies.push_back({{"addressType", "IPv4"}, {"endpoints", Json::array()}, {"ports", nullptr}});
  return bodies;
}

sluice::util::Status EndpointsController::sync_slices(const Json& service,
                                                      const std::vector<ObjectPtr>& pods) {
  const std::string ns = namespace_of(service);
  const std::string service_name = name_of(service);
  std::vector<Json> existing =
      ctx_.store
          .list(k_endpoint_slices, ns,
                [&](const Json& slice) { return managed_slice_of(slice, service_name); })
          .first;
  const std::vector<Json> desired = endpoint_slice_bodies(service, pods);
  const Json labels = slice_labels(service);
  for (std::size_t i = 0; i < desired.size(); ++i) {
    Json slice =
        i < existing.size()
            ? existing[i]
            : Json{{"apiVersion", "discovery.k8s.io/v1"},
                   {"kind", "EndpointSlice"},
                   {"metadata",
                    {{"generateName", name_of(service) + "-"},
                     {"namespace", ns},
                     {"ownerReferences", Json::array({make_controller_ref(service, "v1", "Service")})}}}};
    const Json before = slice;
    for (const auto& [field, value] : desired[i].items()) slice[field] = value;
    slice["metadata"]["labels"] = labels;
    if (i < existing.size() && slice == before) continue;
    auto written = i < existing.size() ? ctx_.update(k_endpoint_slices, std::move(slice))
                                       : ctx_.create(k_endpoint_slices, std::move(slice));
    if (!written && written.error().kind != sluice::util::ErrorKind::not_found) return written.error();
  }
  for (std::size_t i = desired.size(); i < existing.size(); ++i) {
    auto removed = ctx_.remove(k_endpoint_slices, ns, name_of(existing[i]));
    if (!removed && removed.error().kind != sluice::util::ErrorKind::not_found) return removed.error();
  }
  return {};
}

}  // namespace kubesim
