// The CRD controllers of apiextensions-apiserver folded into one listener:
// the naming controller (pkg/controller/status/naming_controller.go) accepts
// the names and sets NamesAccepted, the establishing controller sets
// Established, the custom resource handler serves every served version
// (pkg/apiserver/customresource_handler.go), and deleting the CRD deletes its
// objects (pkg/controller/finalizer/crd_finalizer.go). Here the deletion is
// immediate: there is no Terminating phase held by the cleanup finalizer.
#include <kubesim/crd_controller.hpp>

#include <sluice/util/rfc3339.hpp>

namespace kubesim {

namespace {

const char* const k_crds = "customresourcedefinitions.apiextensions.k8s.io";

ResourceType version_type(const Json& spec, const Json& names, const Json& version) {
  ResourceType type;
  type.group = spec.value("group", "");
  type.version = version.value("name", "");
  type.kind = names.value("kind", "");
  type.plural = names.value("plural", "");
  type.namespaced = spec.value("scope", "Namespaced") == "Namespaced";
  type.short_names = names.value("shortNames", std::vector<std::string>{});
  const Json categories = names.value("categories", Json::array());
  type.in_all = std::find(categories.begin(), categories.end(), "all") != categories.end();
  const Json subresources = version.value("subresources", Json::object());
  type.has_status = subresources.contains("status");
  // The custom resource strategy (pkg/registry/customresource/strategy.go):
  // generation kept, no create on update, updates need a resourceVersion.
  type.has_generation = true;
  type.unconditional_update = false;
  if (version.contains("schema") && version["schema"].contains("openAPIV3Schema")) {
    type.schema = std::make_shared<const Json>(version["schema"]["openAPIV3Schema"]);
  }
  return type;
}

Json accepted_names(const Json& names) {
  Json accepted = names;
  if (!accepted.contains("singular")) {
    std::string lower = names.value("kind", "");
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    accepted["singular"] = lower;
  }
  if (!accepted.contains("listKind")) accepted["listKind"] = names.value("kind", "") + "List";
  return accepted;
}

Json condition(const std::string& type, const std::string& reason, const std::string& message,
               const std::string& now) {
  return {{"type", type},
          {"status", "True"},
          {"lastTransitionTime", now},
          {"reason", reason},
          {"message", message}};
}

// The status the naming and establishing controllers converge on; keeps the
// conditions' transition times when they already hold.
Json established_status(const Json& crd) {
  const Json& spec = crd["spec"];
  const Json current = crd.value("status", Json::object());
  const std::string now = sluice::util::format_rfc3339(std::chrono::system_clock::now());
  Json status = current;
  status["acceptedNames"] = accepted_names(spec.value("names", Json::object()));
  Json stored = current.value("storedVersions", Json::array());
  for (const auto& v : spec.value("versions", Json::array())) {
    const Json name = v.value("name", "");
    if (v.value("storage", false) && std::find(stored.begin(), stored.end(), name) == stored.end())
      stored.push_back(name);
  }
  status["storedVersions"] = stored;
  Json conditions = current.value("conditions", Json::array());
  if (conditions.empty()) {
    conditions = {
        condition("NamesAccepted", "NoConflicts", "no conflicts found", now),
        condition("Established", "InitialNamesAccepted", "the initial names have been accepted", now)};
  }
  status["conditions"] = conditions;
  return status;
}

}  // namespace

std::vector<ResourceType> custom_resource_types(const Json& crd) {
  std::vector<ResourceType> types;
  const Json spec = crd.value("spec", Json::object());
  const Json names = spec.value("names", Json::object());
  for (const auto& version : spec.value("versions", Json::array())) {
    if (version.value("served", true)) types.push_back(version_type(spec, names, version));
  }
  return types;
}

CrdController::CrdController(Store& store) : store_(store) {
  listener_ = store_.add_listener([this](const WatchEvent& event) { on_event(event); });
}

CrdController::~CrdController() {
  store_.remove_listener(listener_);
}

void CrdController::on_event(const WatchEvent& event) {
  if (event.resource != k_crds) return;
  if (event.type == "DELETED" || event.object["metadata"].contains("deletionTimestamp")) {
    retire(event.object);
  } else {
    establish(event.object);
  }
}

void CrdController::establish(const Json& crd) {
  const Json spec = crd.value("spec", Json::object());
  const std::string plural = spec.value("names", Json::object()).value("plural", "");
  store_.types().serve(spec.value("group", ""), plural, custom_resource_types(crd));
  Json next = crd;
  next["status"] = established_status(crd);
  if (next["status"] != crd.value("status", Json())) (void)store_.update(k_crds, next, true);
}

void CrdController::retire(const Json& crd) {
  const Json spec = crd.value("spec", Json::object());
  const std::string group = spec.value("group", "");
  const std::string plural = spec.value("names", Json::object()).value("plural", "");
  store_.types().stop_serving(group, plural);
  const std::string key = plural + "." + group;
  for (const Json& object : store_.list(key, "").first) {
    const Json& meta = object["metadata"];
    (void)store_.remove(key, meta.value("namespace", ""), meta.value("name", ""));
  }
}

}  // namespace kubesim
