// Server-side printing: `kubectl get` asks for meta.k8s.io/v1 Table and
// prints the columns it is given, so these columns are what users see.
#include <kubesim/server_internal.hpp>

#include <kubesim/selectors.hpp>

#include <ctime>

namespace kubesim {

namespace {

struct Column {
  std::string name;
  std::string type;
  int priority;
};

// kubectl's HumanDuration: 45s, 3m20s, 10m, 5h, 3d.
std::string human_duration(long seconds) {
  if (seconds < 0) return "<invalid>";
  if (seconds < 120) return std::to_string(seconds) + "s";
  const long minutes = seconds / 60;
  if (minutes < 10)
    return std::to_string(minutes) + "m" + (seconds % 60 ? std::to_string(seconds % 60) + "s" : "");
  if (minutes < 180) return std::to_string(minutes) + "m";
  const long hours = minutes / 60;
  if (hours < 8)
    return std::to_string(hours) + "h" + (minutes % 60 ? std::to_string(minutes % 60) + "m" : "");
  if (hours < 48) return std::to_string(hours) + "h";
  return std::to_string(hours / 24) + "d";
}

std::string age(const Json& object) {
  const std::string created = object["metadata"].value("creationTimestamp", "");
  std::tm tm{};
  if (created.empty() || strptime(created.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr) return "<unknown>";
  return human_duration(static_cast<long>(std::time(nullptr) - timegm(&tm)));
}

std::vector<Column> columns_for(const std::string& kind) {
  if (kind == "Deployment") {
    return {{"Name", "string", 0},       {"Ready", "string", 0},   {"Up-to-date", "integer", 0},
            {"Available", "integer", 0}, {"Age", "string", 0},     {"Containers", "string", 1},
            {"Images", "string", 1},     {"Selector", "string", 1}};
  }
  if (kind == "ReplicaSet") {
    return {{"Name", "string", 0},   {"Desired", "integer", 0}, {"Current", "integer", 0},
            {"Ready", "integer", 0}, {"Age", "string", 0},      {"Containers", "string", 1},
            {"Images", "string", 1}, {"Selector", "string", 1}};
  }
  if (kind == "Pod") {
    return {{"Name", "string", 0},
            {"Ready", "string", 0},
            {"Status", "string", 0},
            {"Restarts", "string", 0},
            {"Age", "string", 0},
            {"IP", "string", 1},
            {"Node", "string", 1},
            {"Nominated Node", "string", 1},
            {"Readiness Gates", "string", 1}};
  }
  if (kind == "Service") {
    return {{"Name", "string", 0},        {"Type", "string", 0},    {"Cluster-IP", "string", 0},
            {"External-IP", "string", 0}, {"Port(s)", "string", 0}, {"Age", "string", 0},
            {"Selector", "string", 1}};
  }
  if (kind == "Endpoints") return {{"Name", "string", 0}, {"Endpoints", "string", 0}, {"Age", "string", 0}};
  if (kind == "Namespace") return {{"Name", "string", 0}, {"Status", "string", 0}, {"Age", "string", 0}};
  if (kind == "ConfigMap") return {{"Name", "string", 0}, {"Data", "integer", 0}, {"Age", "string", 0}};
  if (kind == "Secret")
    return {{"Name", "string", 0}, {"Type", "string", 0}, {"Data", "string", 0}, {"Age", "string", 0}};
  if (kind == "Lease") return {{"Name", "string", 0}, {"Holder", "string", 0}, {"Age", "string", 0}};
  if (kind == "Ingress") {
    return {{"Name", "string", 0},    {"Class", "string", 0}, {"Hosts", "string", 0},
            {"Address", "string", 0}, {"Ports", "string", 0}, {"Age", "string", 0}};
  }
  if (kind == "Event") {
    return {{"Last Seen", "string", 0},
            {"Type", "string", 0},
            {"Reason", "string", 0},
            {"Object", "string", 0},
            {"Message", "string", 0}};
  }
  if (kind == "Node") {
    return {{"Name", "string", 0},
            {"Status", "string", 0},
            {"Roles", "string", 0},
            {"Age", "string", 0},
            {"Version", "string", 0}};
  }
  return {{"Name", "string", 0}, {"Age", "string", 0}};
}

std::string join_containers(const Json& pod_spec, const char* field) {
  std::string out;
  for (const auto& c : pod_spec.value("containers", Json::array()))
    out += (out.empty() ? "" : ",") + c.value(field, "");
  return out;
}

Json workload_cells(const Json& o, bool deployment) {
  const Json spec = o.value("spec", Json::object());
  const Json st = o.value("status", Json::object());
  const Json pod_spec = spec.value("template", Json::object()).value("spec", Json::object());
  const std::string selector = selector_to_string(spec.value("selector", Json::object()));
  const int replicas = spec.value("replicas", 1);
  if (deployment) {
    return {o["metadata"]["name"],
            std::to_string(st.value("readyReplicas", 0)) + "/" + std::to_string(replicas),
            st.value("updatedReplicas", 0),
            st.value("availableReplicas", 0),
            age(o),
            join_containers(pod_spec, "name"),
            join_containers(pod_spec, "image"),
            selector};
  }
  return {o["metadata"]["name"],
          replicas,
          st.value("replicas", 0),
          st.value("readyReplicas", 0),
          age(o),
          join_containers(pod_spec, "name"),
          join_containers(pod_spec, "image"),
          selector};
}

Json pod_cells(const Json& o) {
  const Json st = o.value("status", Json::object());
  const auto containers = o.value("spec", Json::object()).value("containers", Json::array());
  int ready = 0;
  int restarts = 0;
  std::string reason = st.value("phase", "Pending");
  for (const auto& cs : st.value("containerStatuses", Json::array())) {
    if (cs.value("ready", false)) ++ready;
    restarts += cs.value("restartCount", 0);
    const Json waiting = cs.value("state", Json::object()).value("waiting", Json::object());
    if (waiting.contains("reason")) reason = waiting["reason"];
  }
  if (o["metadata"].contains("deletionTimestamp")) reason = "Terminating";
  return {o["metadata"]["name"],
          std::to_string(ready) + "/" + std::to_string(containers.size()),
          reason,
          std::to_string(restarts),
          age(o),
          st.value("podIP", "<none>"),
          o.value("spec", Json::object()).value("nodeName", "<none>"),
          "<none>",
          "<none>"};
}

// Also an eventTime (MicroTime, "...:05.123456Z"): printEvent's
// translateMicroTimestampSince; its fraction does not change the age shown.
std::string age_of_time(const std::string& stamp) {
  const std::string whole = stamp.size() > 20 && stamp[19] == '.' ? stamp.substr(0, 19) + "Z" : stamp;
  return age(Json{{"metadata", {{"creationTimestamp", whole}}}});
}

Json ingress_cells(const Json& o) {
  const Json spec = o.value("spec", Json::object());
  std::string hosts;
  for (const auto& rule : spec.value("rules", Json::array()))
    hosts += (hosts.empty() ? "" : ",") + rule.value("host", "*");
  std::string address;
  for (const auto& lb : o.value("status", Json::object())
                            .value("loadBalancer", Json::object())
                            .value("ingress", Json::array()))
    address += (address.empty() ? "" : ",") + lb.value("ip", lb.value("hostname", ""));
  return {o["metadata"]["name"],
          spec.value("ingressClassName", "<none>"),
          hosts.empty() ? "*" : hosts,
          address,
          spec.contains("tls") ? "80, 443" : "80",
          age(o)};
}

Json event_cells(const Json& o) {
  const Json involved = o.value("involvedObject", Json::object());
  std::string kind = involved.value("kind", "");
  for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // printEvent: lastTimestamp, else firstTimestamp, else eventTime (events.k8s.io events leave both null).
  auto text = [&](const char* field) {
    return o.contains(field) && o[field].is_string() ? o[field].get<std::string>() : std::string();
  };
  std::string last = text("lastTimestamp");
  if (last.empty()) last = text("firstTimestamp");
  if (last.empty()) last = text("eventTime");
  return {last.empty() ? age(o) : age_of_time(last), o.value("type", ""), o.value("reason", ""),
          kind + "/" + involved.value("name", ""), o.value("message", "")};
}

Json node_cells(const Json& o) {
  std::string status = "NotReady";
  for (const auto& c : o.value("status", Json::object()).value("conditions", Json::array())) {
    if (c.value("type", "") == "Ready" && c.value("status", "") == "True") status = "Ready";
  }
  std::string roles;
  const Json labels = o["metadata"].value("labels", Json::object());
  for (const auto& [key, value] : labels.items()) {
    const std::string prefix = "node-role.kubernetes.io/";
    if (key.rfind(prefix, 0) == 0) roles += (roles.empty() ? "" : ",") + key.substr(prefix.size());
  }
  return {o["metadata"]["name"], status, roles.empty() ? "<none>" : roles, age(o),
          o.value("status", Json::object()).value("nodeInfo", Json::object()).value("kubeletVersion", "")};
}

Json service_cells(const Json& o) {
  const Json spec = o.value("spec", Json::object());
  std::string ports;
  for (const auto& p : spec.value("ports", Json::array())) {
    ports +=
        (ports.empty() ? "" : ",") + std::to_string(p.value("port", 0)) + "/" + p.value("protocol", "TCP");
  }
  std::string selector;
  const Json service_selector = spec.value("selector", Json::object());
  for (const auto& [k, v] : service_selector.items()) {
    selector += (selector.empty() ? "" : ",") + k + "=" + v.get<std::string>();
  }
  return {o["metadata"]["name"],
          spec.value("type", "ClusterIP"),
          spec.value("clusterIP", "<none>"),
          "<none>",
          ports.empty() ? "<none>" : ports,
          age(o),
          selector.empty() ? "<none>" : selector};
}

Json endpoints_cells(const Json& o) {
  std::string out;
  int count = 0;
  for (const auto& subset : o.value("subsets", Json::array())) {
    for (const auto& a : subset.value("addresses", Json::array())) {
      for (const auto& p : subset.value("ports", Json::array({Json::object()}))) {
        if (++count <= 3)
          out += (out.empty() ? "" : ",") + a.value("ip", "") +
                 (p.contains("port") ? ":" + std::to_string(p["port"].get<int>()) : "");
      }
    }
  }
  if (count > 3) out += " + " + std::to_string(count - 3) + " more...";
  return {o["metadata"]["name"], out.empty() ? "<none>" : out, age(o)};
}

Json cells_for(const std::string& kind, const Json& o) {
  if (kind == "Deployment" || kind == "ReplicaSet") return workload_cells(o, kind == "Deployment");
  if (kind == "Pod") return pod_cells(o);
  if (kind == "Service") return service_cells(o);
  if (kind == "Endpoints") return endpoints_cells(o);
  if (kind == "Namespace")
    return {o["metadata"]["name"], o.value("status", Json::object()).value("phase", "Active"), age(o)};
  if (kind == "ConfigMap") return {o["metadata"]["name"], o.value("data", Json::object()).size(), age(o)};
  if (kind == "Secret") {
    return {o["metadata"]["name"], o.value("type", "Opaque"),
            std::to_string(o.value("data", Json::object()).size()), age(o)};
  }
  if (kind == "Lease")
    return {o["metadata"]["name"], o.value("spec", Json::object()).value("holderIdentity", ""), age(o)};
  if (kind == "Ingress") return ingress_cells(o);
  if (kind == "Event") return event_cells(o);
  if (kind == "Node") return node_cells(o);
  return {o["metadata"]["name"], age(o)};
}

}  // namespace

bool wants_table(const httplib::Request& req) {
  return req.get_header_value("Accept").find("as=Table") != std::string::npos;
}

Json to_table(const ResourceType& type, const std::vector<Json>& items, const std::string& resource_version) {
  Json columns = Json::array();
  for (const auto& c : columns_for(type.kind)) {
    columns.push_back({{"name", c.name},
                       {"type", c.type},
                       {"format", c.name == "Name" ? "name" : ""},
                       {"description", c.name},
                       {"priority", c.priority}});
  }
  Json rows = Json::array();
  for (const auto& item : items) {
    Json meta = item["metadata"];
    meta.erase("managedFields");
    rows.push_back(
        {{"cells", cells_for(type.kind, item)},
         {"object",
          {{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", meta}}}});
  }
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", {{"resourceVersion", resource_version}}},
          {"columnDefinitions", columns},
          {"rows", rows}};
}

}  // namespace kubesim
