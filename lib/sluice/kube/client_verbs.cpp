// The convenience verbs of kube::Client, all expressed as ApiRequests.
#include <sluice/kube/client.hpp>

#include <fmt/format.h>

namespace sluice::kube {

namespace {

std::string name_of(const Json& object) {
  if (!object.is_object() || !object.contains("metadata")) return "";
  return object["metadata"].value("name", "");
}

ApiRequest json_request(const std::string& method, const std::string& path, const Json& body) {
  ApiRequest r;
  r.method = method;
  r.path = path;
  r.body = body.dump();
  r.content_type = "application/json";
  return r;
}

void add_selectors(ApiRequest& r, const std::string& labels, const std::string& fields) {
  if (!labels.empty()) r.query.emplace_back("labelSelector", labels);
  if (!fields.empty()) r.query.emplace_back("fieldSelector", fields);
}

const char* propagation_name(Propagation p) {
  switch (p) {
    case Propagation::background: return "Background";
    case Propagation::foreground: return "Foreground";
    case Propagation::orphan: return "Orphan";
  }
  return "Background";
}

}  // namespace

const char* content_type(PatchType type) {
  switch (type) {
    case PatchType::json: return "application/json-patch+json";
    case PatchType::merge: return "application/merge-patch+json";
    case PatchType::strategic: return "application/strategic-merge-patch+json";
    case PatchType::apply: return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

Result<Json> Client::get(const ResourceRef& ref, const std::string& ns, const std::string& name,
                         const CancelToken* cancel) {
  ApiRequest r;
  r.path = ref.path(ns, name);
  return request(r, cancel);
}

Result<Json> Client::list(const ResourceRef& ref, const std::string& ns, const ListOptions& options,
                          const CancelToken* cancel) {
  ApiRequest r;
  r.path = ref.path(ns);
  add_selectors(r, options.label_selector, options.field_selector);
  if (options.limit > 0) r.query.emplace_back("limit", std::to_string(options.limit));
  if (!options.continue_token.empty()) r.query.emplace_back("continue", options.continue_token);
  if (!options.resource_version.empty()) r.query.emplace_back("resourceVersion", options.resource_version);
  return request(r, cancel);
}

Result<ListAll> Client::list_all(const ResourceRef& ref, const std::string& ns, ListOptions options,
                                 const CancelToken* cancel) {
  if (options.limit <= 0) options.limit = 500;
  ListAll all;
  for (;;) {
    auto page = list(ref, ns, options, cancel);
    if (!page) return page.error();
    if (page->contains("items") && (*page)["items"].is_array()) {
      for (auto& item : (*page)["items"]) all.items.push_back(std::move(item));
    }
    const Json meta = page->value("metadata", Json::object());
    // The RV of the first page is the snapshot every later page continues.
    if (all.resource_version.empty()) all.resource_version = meta.value("resourceVersion", "");
    options.continue_token = meta.value("continue", "");
    if (options.continue_token.empty()) return all;
  }
}

Result<Json> Client::create(const ResourceRef& ref, const std::string& ns, const Json& object) {
  return request(json_request("POST", ref.path(ns), object));
}

Result<Json> Client::update(const ResourceRef& ref, const std::string& ns, const Json& object) {
  return request(json_request("PUT", ref.path(ns, name_of(object)), object));
}

Result<Json> Client::remove(const ResourceRef& ref, const std::string& ns, const std::string& name,
                            const DeleteOptions& options) {
  Json body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  if (options.propagation) body["propagationPolicy"] = propagation_name(*options.propagation);
  if (options.grace_period_seconds) body["gracePeriodSeconds"] = *options.grace_period_seconds;
  if (!options.precondition_resource_version.empty()) {
    body["preconditions"] = {{"resourceVersion", options.precondition_resource_version}};
  }
  return request(json_request("DELETE", ref.path(ns, name), body));
}

Result<Json> Client::patch(const ResourceRef& ref, const std::string& ns, const std::string& name,
                           PatchType type, const Json& patch, const PatchOptions& options) {
  ApiRequest r = json_request("PATCH", ref.path(ns, name), patch);
  r.content_type = content_type(type);
  r.query.emplace_back("fieldManager", options.field_manager);
  if (type == PatchType::apply && options.force) r.query.emplace_back("force", "true");
  return request(r);
}

Result<Json> Client::apply(const ResourceRef& ref, const std::string& ns, const Json& object, bool force) {
  PatchOptions options;
  options.force = force;
  return patch(ref, ns, name_of(object), PatchType::apply, object, options);
}

Result<Json> Client::update_status(const ResourceRef& ref, const std::string& ns, const Json& object) {
  return request(json_request("PUT", ref.path(ns, name_of(object), "status"), object));
}

Result<Json> Client::set_scale(const ResourceRef& ref, const std::string& ns, const std::string& name,
                               int replicas) {
  ApiRequest r = json_request("PATCH", ref.path(ns, name, "scale"), Json{{"spec", {{"replicas", replicas}}}});
  r.content_type = content_type(PatchType::merge);
  r.query.emplace_back("fieldManager", "sluice");
  return request(r);
}

util::Status Client::watch(const ResourceRef& ref, const std::string& ns, const WatchOptions& options,
                           const std::function<bool(const WatchEvent&)>& on_event,
                           const CancelToken* cancel) {
  ApiRequest r;
  r.path = ref.path(ns);
  r.fields = options.fields;
  add_selectors(r, options.label_selector, options.field_selector);
  if (!options.resource_version.empty()) r.query.emplace_back("resourceVersion", options.resource_version);
  if (options.allow_bookmarks || options.send_initial_events)
    r.query.emplace_back("allowWatchBookmarks", "true");
  if (options.send_initial_events) {
    r.query.emplace_back("sendInitialEvents", "true");
    r.query.emplace_back("resourceVersionMatch", "NotOlderThan");
  }
  if (options.timeout_seconds > 0)
    r.query.emplace_back("timeoutSeconds", std::to_string(options.timeout_seconds));
  return watch_stream(r, on_event, cancel);
}

}  // namespace sluice::kube
