// The pure half of kubesim's traffic simulation: which ready pods receive
// how many requests per second, from Service selectors and HTTPRoute weights.
#include <kubesim/traffic.hpp>

#include <map>
#include <set>

namespace kubesim {

namespace {

std::string str(const Json& object, const char* a, const char* b) {
  if (!object.contains(a) || !object[a].is_object() || !object[a].contains(b) || !object[a][b].is_string())
    return "";
  return object[a][b].get<std::string>();
}

std::string ns_of(const Json& o) {
  return str(o, "metadata", "namespace");
}
std::string name_of(const Json& o) {
  return str(o, "metadata", "name");
}

bool pod_serving(const Json& pod) {
  if (pod.contains("metadata") && pod["metadata"].contains("deletionTimestamp")) return false;
  const Json* conditions = pod.contains("status") ? &pod["status"] : nullptr;
  if (conditions == nullptr || !conditions->contains("conditions")) return false;
  for (const Json& c : (*conditions)["conditions"]) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

bool selects(const Json& selector, const Json& pod) {
  if (!selector.is_object() || selector.empty()) return false;  // no selector: no automatic endpoints
  const auto meta = pod.find("metadata");
  if (meta == pod.end() || !meta->is_object()) return false;
  const auto labels = meta->find("labels");
  if (labels == meta->end() || !labels->is_object()) return false;
  for (const auto& [key, value] : selector.items()) {
    const auto label = labels->find(key);
    if (label == labels->end() || *label != value) return false;
  }
  return true;
}

std::string first_image(const Json& pod) {
  if (!pod.contains("spec") || !pod["spec"].contains("containers") || pod["spec"]["containers"].empty())
    return "";
  return pod["spec"]["containers"][0].value("image", "");
}

// Ready pods by namespace, found once per tick: every Service looks only at its own namespace's.
using ServingPods = std::map<std::string, std::vector<const Json*>>;

ServingPods serving_by_namespace(const std::vector<Json>& pods) {
  ServingPods serving;
  for (const Json& pod : pods) {
    if (pod_serving(pod)) serving[ns_of(pod)].push_back(&pod);
  }
  return serving;
}

void split_over_pods(const Json& service, const ServingPods& serving, double rate,
                     std::vector<TrafficFlow>& out) {
  const auto in_namespace = serving.find(ns_of(service));
  if (in_namespace == serving.end() || !service.contains("spec")) return;
  const auto selector = service["spec"].find("selector");
  if (selector == service["spec"].end()) return;
  std::vector<const Json*> ready;
  for (const Json* pod : in_namespace->second) {
    if (selects(*selector, *pod)) ready.push_back(pod);
  }
  for (const Json* pod : ready) {
    out.push_back(TrafficFlow{ns_of(service), name_of(service), name_of(*pod),
                              (*pod)["metadata"]["labels"].value("pod-template-hash", ""), first_image(*pod),
                              rate / static_cast<double>(ready.size())});
  }
}

struct Backend {
  std::string ns;
  std::string name;
  double weight;
};

std::vector<std::vector<Backend>> route_rules(const Json& route) {
  std::vector<std::vector<Backend>> rules;
  if (!route.contains("spec") || !route["spec"].contains("rules")) return rules;
  for (const Json& rule : route["spec"]["rules"]) {
    std::vector<Backend> backends;
    for (const Json& ref : rule.value("backendRefs", Json::array())) {
      if (ref.value("kind", "Service") != "Service" || ref.value("group", "") != "") continue;
      backends.push_back(
          Backend{ref.value("namespace", ns_of(route)), ref.value("name", ""), ref.value("weight", 1.0)});
    }
    rules.push_back(std::move(backends));
  }
  return rules;
}

}  // namespace

std::vector<TrafficFlow> traffic_flows(
    const std::vector<Json>& services, const std::vector<Json>& pods, const std::vector<Json>& routes,
    const std::function<double(const std::string&, const std::string&)>& rate_for) {
  std::map<std::pair<std::string, std::string>, double> route_share;  // backend service -> rps from routes
  std::set<std::pair<std::string, std::string>> backends;
  for (const Json& route : routes) {
    auto rules = route_rules(route);
    double route_rate = rate_for(ns_of(route), name_of(route));
    for (const auto& rule : rules) {
      double total_weight = 0;
      for (const auto& b : rule) total_weight += b.weight;
      for (const auto& b : rule) {
        backends.insert({b.ns, b.name});
        if (total_weight > 0)
          route_share[{b.ns, b.name}] += route_rate / rules.size() * b.weight / total_weight;
      }
    }
  }
  std::vector<TrafficFlow> flows;
  const ServingPods serving = serving_by_namespace(pods);
  for (const Json& service : services) {
    std::pair<std::string, std::string> key{ns_of(service), name_of(service)};
    double rate = backends.count(key) ? route_share[key] : rate_for(key.first, key.second);
    if (rate > 0) split_over_pods(service, serving, rate, flows);
  }
  return flows;
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return buckets;
}

}  // namespace kubesim
