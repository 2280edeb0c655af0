// Discovery as kubectl reads it: /version, /api, /apis and one
// APIResourceList per group version. kubectl 1.32 first asks for aggregated
// discovery (apidiscovery.k8s.io/v2); answering the legacy documents with
// Content-Type application/json makes it fall back, as against older servers.
#include <kubesim/server_internal.hpp>

namespace kubesim {

namespace {

std::string singular(const ResourceType& type) {
  std::string lower;
  for (char c : type.kind) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

using Types = std::vector<const ResourceType*>;

Json resource_list(const Types& types, const std::string& group, const std::string& version) {
  Json resources = Json::array();
  for (const ResourceType* each : types) {
    const ResourceType& type = *each;
    if (type.group != group || type.version != version) continue;
    // The apiserver serves no deletecollection for namespaces (core/namespace/storage).
    const Json verbs =
        type.kind == "Namespace"
            ? Json{"create", "delete", "get", "list", "patch", "update", "watch"}
            : Json{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
    Json entry = {{"name", type.plural},
                  {"singularName", singular(type)},
                  {"namespaced", type.namespaced},
                  {"kind", type.kind},
                  {"verbs", verbs}};
    if (!type.short_names.empty()) entry["shortNames"] = type.short_names;
    if (type.in_all) entry["categories"] = {"all"};
    resources.push_back(entry);
    if (type.has_status) {
      resources.push_back({{"name", type.plural + "/status"},
                           {"singularName", ""},
                           {"namespaced", type.namespaced},
                           {"kind", type.kind},
                           {"verbs", {"get", "patch", "update"}}});
    }
    if (type.kind == "ServiceAccount") {  // TokenRequest (reviews.cpp)
      resources.push_back({{"name", "serviceaccounts/token"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"group", "authentication.k8s.io"},
                           {"version", "v1"},
                           {"kind", "TokenRequest"},
                           {"verbs", {"create"}}});
    }
    if (type.has_scale) {
      resources.push_back({{"name", type.plural + "/scale"},
                           {"singularName", ""},
                           {"namespaced", type.namespaced},
                           {"group", "autoscaling"},
                           {"version", "v1"},
                           {"kind", "Scale"},
                           {"verbs", {"get", "patch", "update"}}});
    }
  }
  return {{"kind", "APIResourceList"},
          {"apiVersion", "v1"},
          {"groupVersion", group.empty() ? version : group + "/" + version},
          {"resources", resources}};
}

// One entry per group, its versions in the order first served (a CRD lists
// its versions in spec order; the first is preferred here, as kubesim does
// not rank them by version priority).
Json group_list(const Types& types) {
  Json groups = Json::array();
  std::map<std::string, std::size_t> index;
  for (const ResourceType* type : types) {
    if (type->group.empty()) continue;
    const Json version = {{"groupVersion", type->api_version()}, {"version", type->version}};
    auto [it, added] = index.emplace(type->group, groups.size());
    if (added) {
      groups.push_back({{"name", type->group}, {"versions", {version}}, {"preferredVersion", version}});
    } else if (Json& versions = groups[it->second]["versions"];
               std::find(versions.begin(), versions.end(), version) == versions.end()) {
      versions.push_back(version);
    }
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

Json version_info() {
  return {{"major", "1"},
          {"minor", "32"},
          {"gitVersion", "v1.32.0-kubesim"},
          {"gitCommit", "kubesim"},
          {"gitTreeState", "clean"},
          {"buildDate", "2025-01-01T00:00:00Z"},
          {"goVersion", "go1.23.0"},
          {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

// What `?verbose` lists on a real apiserver (apiserver pkg/server/healthz):
// one `[+]<check> ok` line per check, then `<endpoint> check passed`.
std::string health_report(const std::string& endpoint) {
  std::string report;
  std::vector<std::string> checks = {"ping", "log", "etcd"};
  if (endpoint == "readyz") checks.insert(checks.end(), {"etcd-readiness", "informer-sync", "shutdown"});
  for (const char* hook : {"start-apiextensions-informers", "start-apiextensions-controllers",
                           "bootstrap-controller", "start-kube-aggregator-informers"}) {
    checks.push_back(std::string("poststarthook/") + hook);
  }
  for (const auto& check : checks) report += "[+]" + check + " ok\n";
  return report + endpoint + " check passed\n";
}

bool known_group_version(const Types& types, const std::string& group, const std::string& version) {
  return std::any_of(types.begin(), types.end(),
                     [&](const ResourceType* t) { return t->group == group && t->version == version; });
}

}  // namespace

bool handle_discovery(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (req.method != "GET") return false;
  const std::string& path = req.path;
  current_request().verb = "get";
  const Types types = ctx.store.types().all();
  if (path == "/version" || path == "/version/") {
    send_json(res, 200, version_info());
  } else if (path == "/healthz" || path == "/livez" || path == "/readyz") {
    res.set_content(req.has_param("verbose") ? health_report(path.substr(1)) : "ok",
                    "text/plain; charset=utf-8");
  } else if (path == "/api" || path == "/api/") {
    send_json(res, 200,
              {{"kind", "APIVersions"},
               {"versions", {"v1"}},
               {"serverAddressByClientCIDRs",
                {{{"clientCIDR", "0.0.0.0/0"},
                  {"serverAddress", ctx.options.host + ":" + std::to_string(ctx.options.port)}}}}});
  } else if (path == "/api/v1" || path == "/api/v1/") {
    send_json(res, 200, resource_list(types, "", "v1"));
  } else if (path == "/apis" || path == "/apis/") {
    send_json(res, 200, group_list(types));
  } else {
    std::smatch m;
    static const std::regex group_re("^/apis/([^/]+)/?$");
    static const std::regex version_re("^/apis/([^/]+)/([^/]+)/?$");
    if (std::regex_match(path, m, version_re) && known_group_version(types, m[1], m[2])) {
      send_json(res, 200, resource_list(types, m[1], m[2]));
      return true;
    }
    if (std::regex_match(path, m, group_re)) {
      const Json groups = group_list(types);  // held: a range-for over a temporary's member dangles
      for (const auto& g : groups["groups"]) {
        if (g["name"] == m[1].str()) {
          Json group = g;
          group["kind"] = "APIGroup";
          group["apiVersion"] = "v1";
          send_json(res, 200, group);
          return true;
        }
      }
    }
    return false;
  }
  return true;
}

}  // namespace kubesim
