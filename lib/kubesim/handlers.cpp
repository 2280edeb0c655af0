// The generic registry verbs over the Store: get, list, create, update,
// delete and deletecollection, with the apiserver's preconditions, defaults,
// validation and error wording. Patch and watch live in their own files.
#include <kubesim/event_versions.hpp>
#include <kubesim/identity.hpp>
#include <kubesim/kube_object.hpp>
#include <kubesim/list_options.hpp>
#include <kubesim/managed_fields.hpp>
#include <kubesim/patch.hpp>
#include <kubesim/protobuf.hpp>
#include <kubesim/schema.hpp>
#include <kubesim/selectors.hpp>
#include <kubesim/server_internal.hpp>
#include <kubesim/validation.hpp>

#include <openssl/evp.h>

#include <variant>

namespace kubesim {

namespace {

std::string list_kind(const ResourceType& type) {
  return type.kind + "List";
}

std::string decode_token(std::string in) {
  for (char& c : in) c = c == '-' ? '+' : (c == '_' ? '/' : c);
  while (in.size() % 4 != 0) in += '=';
  std::string out(in.size(), '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return out;
}

// kubectl >= 1.32 sends its typed commands' bodies (`kubectl create
// namespace`) as protobuf and does not fall back to JSON on a 415, so kubesim
// decodes the kinds those commands create (protobuf.cpp); CBOR it does not speak.
bool unsupported_body(const httplib::Request& req) {
  return req.get_header_value("Content-Type").find("cbor") != std::string::npos;
}

Result<Json> parse_body(const httplib::Request& req) {
  if (req.get_header_value("Content-Type").find("protobuf") != std::string::npos)
    return decode_kubernetes_protobuf(req.body);
  if (req.get_header_value("Content-Type").find("yaml") != std::string::npos)
    return parse_json_or_yaml(req.body);
  try {
    Json body = Json::parse(req.body);
    if (!body.is_object())
      return sluice::util::make_error(sluice::util::ErrorKind::invalid, "the body must be a JSON object");
    return body;
  } catch (const Json::exception& e) {
    return sluice::util::make_error(sluice::util::ErrorKind::invalid,
                                    std::string("couldn't get version/kind; json parse error: ") + e.what());
  }
}

std::optional<ApiError> check_identity(const ResourceType& type, const ApiRoute& route, Json& object) {
  if (object.contains("kind") && object["kind"] != type.kind) {
    return bad_request("the server could not handle the request: kind " + object["kind"].dump() +
                       " does not match " + type.kind);
  }
  if (object.contains("apiVersion") && object["apiVersion"] != type.api_version()) {
    return bad_request("the API version in the data (" + object["apiVersion"].get<std::string>() +
                       ") does not match the expected API version (" + type.api_version() + ")");
  }
  object["apiVersion"] = type.api_version();
  object["kind"] = type.kind;
  Json& meta = object["metadata"];
  if (!meta.is_object()) meta = Json::object();
  if (type.namespaced) {
    const std::string ns = meta.value("namespace", "");
    if (!ns.empty() && ns != route.ns) {
      return bad_request(
          "the namespace of the provided object does not match the namespace sent on the request");
    }
    meta["namespace"] = route.ns;
  }
  if (!route.name.empty() && meta.value("name", "") != route.name) {
    return bad_request("the name of the object (" + meta.value("name", "") +
                       ") does not match the name on the URL (" + route.name + ")");
  }
  return std::nullopt;
}

bool namespace_exists(ApiContext& ctx, const ResourceType& type, const std::string& ns) {
  return !type.namespaced || ctx.store.get("namespaces", "", ns).ok();
}

ApiError namespace_missing(const std::string& ns) {
  return {404, "NotFound", "namespaces \"" + ns + "\" not found", Json{{"name", ns}, {"kind", "namespaces"}}};
}

void fresh_status(const ResourceType& type, Json& object) {
  if (!type.has_status) return;
  object.erase("status");
  if (type.kind == "Pod") object["status"] = {{"phase", "Pending"}, {"qosClass", "BestEffort"}};
  if (type.kind == "Namespace") object["status"] = {{"phase", "Active"}};
  if (type.kind == "Service") object["status"] = {{"loadBalancer", Json::object()}};
}

// The apiserver's watch cache waits this long for a list from a future
// resourceVersion before answering 504 (apiserver cacher watch_cache.go blockTimeout).
constexpr std::chrono::seconds k_future_version_wait{3};

ApiError too_large_resource_version(std::uint64_t wanted, std::uint64_t current) {
  const std::string message =
      "Too large resource version: " + std::to_string(wanted) + ", current: " + std::to_string(current);
  return {504, "Timeout", "Timeout: " + message,
          Json{{"causes", Json::array({{{"reason", "ResourceVersionTooLarge"},
                                        {"message", "Too large resource version"}}})},
               {"retryAfterSeconds", 1}}};
}

// The objects a list serves and the version they are at: the current state,
// or the state at an exact retained version (apiserver storage/etcd3 GetList).
// `keep` (the selectors) spares copying the current objects a list drops.
std::variant<std::pair<std::vector<Json>, std::uint64_t>, ApiError> objects_for_list(
    ApiContext& ctx, const ListOptions& options, const ApiRoute& route, const Store::Filter& keep) {
  const std::string& rv = options.resource_version;
  if (rv.empty() || rv == "0") return ctx.store.list(route.type->key(), route.ns, keep);
  std::uint64_t wanted = 0;
  try {
    wanted = std::stoull(rv);
  } catch (const std::exception&) {
    return bad_request("invalid resource version: " + rv);
  }
  if (!ctx.store.wait_for_version(wanted, k_future_version_wait))
    return too_large_resource_version(wanted, ctx.store.resource_version());
  if (options.resource_version_match != "Exact") return ctx.store.list(route.type->key(), route.ns, keep);
  auto items = ctx.store.list_at(route.type->key(), route.ns, wanted);
  if (!items.ok()) return ApiError{410, "Expired", items.error().message, Json::object()};
  return std::make_pair(std::move(*items), wanted);
}

void list_objects(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const ApiRoute& route) {
  auto labels = sluice::kube::parse_label_selector(req.get_param_value("labelSelector"));
  auto fields = parse_field_selector(req.get_param_value("fieldSelector"), route.type->kind);
  if (!labels.ok()) return send_error(res, bad_request(labels.error().message));
  if (!fields.ok()) return send_error(res, bad_request(fields.error().message));
  const ListOptions options = read_list_options(req);
  if (auto error = validate_list_options(options)) return send_error(res, *error);
  std::string after;
  ListOptions at = options;
  if (!options.continue_token.empty()) {
    const std::string token = decode_token(options.continue_token);
    const auto nul = token.find('\n');
    if (nul == std::string::npos) return send_error(res, bad_request("continue key is not valid"));
    at.resource_version = std::to_string(std::stoull("0" + token.substr(0, nul)));
    at.resource_version_match = "Exact";
    after = token.substr(nul + 1);
  }
  const auto selected = [&](const Json& object) {
    return matches_labels(*labels, object) && matches_fields(*fields, object);
  };
  auto served = objects_for_list(ctx, at, route, selected);
  if (auto* error = std::get_if<ApiError>(&served)) {
    if (error->details.contains("retryAfterSeconds"))
      res.set_header("Retry-After", std::to_string(error->details["retryAfterSeconds"].get<int>()));
    return send_error(res, *error);
  }
  auto& [all, rv] = std::get<0>(served);
  std::vector<Json> items;
  std::string next;
  long remaining = 0;
  for (auto& object : all) {
    const std::string key =
        object["metadata"].value("namespace", "") + "/" + object["metadata"].value("name", "");
    if (!after.empty() && key <= after) continue;
    if (!selected(object)) continue;  // a list at an exact version is not filtered yet
    if (options.limit > 0 && static_cast<long>(items.size()) == options.limit) {
      if (next.empty()) {
        const Json& last = items.back()["metadata"];
        next = base64url(  // continue tokens survive unencoded in a URL
            std::to_string(rv) + "\n" + last.value("namespace", "") + "/" + last.value("name", ""));
      }
      ++remaining;
      continue;
    }
    items.push_back(std::move(object));
  }
  Json meta = {{"resourceVersion", std::to_string(rv)}};
  if (!next.empty()) {
    meta["continue"] = next;
    meta["remainingItemCount"] = remaining;
  }
  if (wants_table(req)) {  // kubectl pages tables too (`get --chunk-size`)
    Json table = to_table(*route.type, items, std::to_string(rv));
    table["metadata"] = meta;
    return send_json(res, 200, table);
  }
  send_json(res, 200,
            {{"kind", list_kind(*route.type)},
             {"apiVersion", route.type->api_version()},
             {"metadata", meta},
             {"items", items}});
}

void get_object(ApiContext& ctx, const httplib::Request& req, httplib::Response& res, const ApiRoute& route) {
  auto object = ctx.store.get(route.type->key(), route.ns, route.name);
  if (!object.ok()) return send_error(res, from_store_error(object.error(), *route.type, route.name));
  if (route.subresource == "scale") return send_json(res, 200, to_scale(*object));
  if (wants_table(req) && route.subresource.empty()) {
    return send_json(res, 200,
                     to_table(*route.type, {*object}, (*object)["metadata"].value("resourceVersion", "")));
  }
  send_json(res, 200, *object);
}

// What create and a create-on-update PUT share once the body is decoded.
void store_new_object(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                      const ResourceType& type, Json object) {
  Json& meta = object["metadata"];
  for (const char* field : {"uid", "creationTimestamp", "generation", "managedFields", "deletionTimestamp"})
    meta.erase(field);
  fresh_status(type, object);
  apply_defaults(type, object);
  Json probe = object;  // a generated name is valid when its prefix is
  if (meta.value("name", "").empty() && !meta.value("generateName", "").empty()) {
    probe["metadata"]["name"] = meta["generateName"].get<std::string>() + "x";
  }
  if (auto error = validate_object(type, probe)) return send_error(res, *error);
  const std::string ns = meta.value("namespace", "");
  if (!namespace_exists(ctx, type, ns)) return send_error(res, namespace_missing(ns));
  const std::string manager = field_manager(req, req.method == "PUT" ? "kubectl-replace" : "kubectl-create");
  record_update(Json(), object, manager, type.api_version(), now_rfc3339());
  auto created = ctx.store.create(type.key(), object, is_dry_run(req));
  if (!created.ok()) return send_error(res, from_store_error(created.error(), type, meta.value("name", "")));
  send_json(res, 201, *created);
}

void create_object(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const ApiRoute& route) {
  const ResourceType& type = *route.type;
  auto body = parse_body(req);
  if (!body.ok()) return send_error(res, bad_request(body.error().message));
  Json object = std::move(*body);
  if (auto error = decode_body(req, res, type, object)) return send_error(res, *error);
  if (auto error = check_identity(type, {route.type, route.ns, "", "", false}, object))
    return send_error(res, *error);
  Json& meta = object["metadata"];
  if (meta.contains("resourceVersion") && !meta["resourceVersion"].get<std::string>().empty()) {
    return send_error(res, bad_request("resourceVersion should not be set on objects to be created"));
  }
  store_new_object(ctx, req, res, type, std::move(object));
}

// registry/generic/registry/store.go Update: a kind whose strategy refuses
// unconditional updates needs the resourceVersion the client read.
std::optional<ApiError> check_conditional(const ResourceType& type, const Json& object) {
  if (type.unconditional_update || !object["metadata"].value("resourceVersion", "").empty())
    return std::nullopt;
  return invalid(type, object["metadata"].value("name", ""),
                 {{"metadata.resourceVersion", "FieldValueInvalid",
                   "Invalid value: 0x0: must be specified for an update"}});
}

void update_object(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const ApiRoute& route) {
  const ResourceType& type = *route.type;
  auto body = parse_body(req);
  if (!body.ok()) return send_error(res, bad_request(body.error().message));
  if (route.subresource == "scale") return handle_patch(ctx, req, res, route);  // PUT of a whole Scale
  Json object = std::move(*body);
  if (auto error = decode_body(req, res, type, object)) return send_error(res, *error);
  if (auto error = check_identity(type, route, object)) return send_error(res, *error);
  const bool status_only = route.subresource == "status";
  auto current = ctx.store.get(type.key(), route.ns, route.name);
  if (!current.ok() && type.create_on_update && !status_only) {
    object["metadata"].erase("resourceVersion");
    return store_new_object(ctx, req, res, type, std::move(object));
  }
  if (!current.ok()) return send_error(res, from_store_error(current.error(), type, route.name));
  if (auto error = check_conditional(type, object)) return send_error(res, *error);
  if (!status_only) {
    apply_defaults(type, object, &*current);
    if (auto error = validate_object(type, object, &*current)) return send_error(res, *error);
  }
  record_update(*current, object, field_manager(req, "kubectl-edit"), type.api_version(), now_rfc3339(),
                route.subresource);
  auto updated = ctx.store.update(type.key(), object, status_only, is_dry_run(req));
  if (!updated.ok()) return send_error(res, from_store_error(updated.error(), type, route.name));
  send_json(res, 200, *updated);
}

std::string delete_policy(const httplib::Request& req, const Json& options) {
  if (req.has_param("propagationPolicy")) return req.get_param_value("propagationPolicy");
  if (options.contains("propagationPolicy") && options["propagationPolicy"].is_string())
    return options["propagationPolicy"];
  if (options.value("orphanDependents", false)) return "Orphan";
  return "Background";
}

// What a dry-run DELETE answers: the object as the deletion would leave it
// (a Pod that terminates gracefully carries its deletionTimestamp).
Result<Json> deleted_preview(ApiContext& ctx, const ResourceType& type, Json object, long long grace) {
  const bool held = !object["metadata"].value("finalizers", Json::array()).empty();
  if (((type.kind == "Pod" && ctx.controllers != nullptr && grace > 0) || held) &&
      !object["metadata"].contains("deletionTimestamp")) {
    object["metadata"]["deletionTimestamp"] = now_rfc3339();
    object["metadata"]["deletionGracePeriodSeconds"] = type.kind == "Pod" ? grace : 0;
  }
  return object;
}

std::optional<ApiError> check_preconditions(const ResourceType& type, const Json& object,
                                            const Json& options) {
  const Json pre = options.value("preconditions", Json::object());
  const Json& meta = object["metadata"];
  const std::string name = meta.value("name", "");
  const std::string prefix =
      "Operation cannot be fulfilled on " + type.key() + " \"" + name + "\": Precondition failed: ";
  if (pre.contains("uid") && pre["uid"] != meta["uid"]) {
    return ApiError{409, "Conflict",
                    prefix + "UID in precondition: " + pre["uid"].get<std::string>() +
                        ", UID in object meta: " + meta.value("uid", ""),
                    Json::object()};
  }
  if (pre.contains("resourceVersion") && pre["resourceVersion"] != meta["resourceVersion"]) {
    return ApiError{409, "Conflict",
                    prefix + "ResourceVersion in precondition: " + pre["resourceVersion"].get<std::string>() +
                        ", ResourceVersion in object meta: " + meta.value("resourceVersion", ""),
                    Json::object()};
  }
  return std::nullopt;
}

void delete_object(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const ApiRoute& route) {
  const ResourceType& type = *route.type;
  Json options = Json::object();
  if (!req.body.empty()) {
    auto body = parse_body(req);
    if (!body.ok()) return send_error(res, bad_request(body.error().message));
    options = *body;
  }
  const std::string policy = delete_policy(req, options);
  if (policy != "Background" && policy != "Foreground" && policy != "Orphan") {
    return send_error(res,
                      invalid(type, route.name,
                              {{"propagationPolicy", "FieldValueNotSupported",
                                "Unsupported value: \"" + policy +
                                    "\": supported values: \"Foreground\", \"Background\", \"Orphan\""}}));
  }
  auto current = ctx.store.get(type.key(), route.ns, route.name);
  if (!current.ok()) return send_error(res, from_store_error(current.error(), type, route.name));
  if (auto error = check_preconditions(type, *current, options)) return send_error(res, *error);
  const long long grace = grace_period(req, options, *current);
  auto removed = is_dry_run(req, options) ? deleted_preview(ctx, type, *current, grace)
                                          : delete_with_dependents(ctx, type, *current, policy, grace);
  if (!removed.ok()) return send_error(res, from_store_error(removed.error(), type, route.name));
  // A Pod, and an object its finalizers hold, answer with the object itself.
  if (type.kind == "Pod" ||
      ((*removed)["metadata"].contains("deletionTimestamp") && type.kind != "Namespace"))
    return send_json(res, 200, *removed);
  if (type.kind == "Namespace") {
    Json last = *current;
    last["status"] = {{"phase", "Terminating"}};
    return send_json(res, 200, last);
  }
  Json details = {
      {"name", route.name}, {"kind", type.plural}, {"uid", (*current)["metadata"].value("uid", "")}};
  if (!type.group.empty()) details["group"] = type.group;
  send_json(res, 200,
            {{"kind", "Status"},
             {"apiVersion", "v1"},
             {"metadata", Json::object()},
             {"status", "Success"},
             {"details", details}});
}

void delete_collection(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                       const ApiRoute& route) {
  auto labels = sluice::kube::parse_label_selector(req.get_param_value("labelSelector"));
  auto fields = parse_field_selector(req.get_param_value("fieldSelector"), route.type->kind);
  if (!labels.ok()) return send_error(res, bad_request(labels.error().message));
  if (!fields.ok()) return send_error(res, bad_request(fields.error().message));
  auto [all, rv] = ctx.store.list(route.type->key(), route.ns, [&](const Json& object) {
    return matches_labels(*labels, object) && matches_fields(*fields, object);
  });
  Json deleted = Json::array();
  const bool dry_run = is_dry_run(req);
  for (const auto& object : all) {
    if (!dry_run)
      (void)delete_with_dependents(ctx, *route.type, object, "Background",
                                   grace_period(req, Json::object(), object));
    deleted.push_back(object);
  }
  send_json(res, 200,
            {{"kind", list_kind(*route.type)},
             {"apiVersion", route.type->api_version()},
             {"metadata", {{"resourceVersion", std::to_string(ctx.store.resource_version())}}},
             {"items", deleted}});
}

// apimachinery's ValidateDryRun: "All" is the only value a server accepts.
std::optional<ApiError> check_dry_run_value(const httplib::Request& req) {
  if (!req.has_param("dryRun") || req.method == "GET") return std::nullopt;
  const std::string value = req.get_param_value("dryRun");
  if (value == "All") return std::nullopt;
  const std::string options = req.method == "POST"    ? "CreateOptions"
                              : req.method == "PUT"   ? "UpdateOptions"
                              : req.method == "PATCH" ? "PatchOptions"
                                                      : "DeleteOptions";
  const std::string detail = "Unsupported value: []string{\"" + value + "\"}: supported values: \"All\"";
  return ApiError{
      422, "Invalid", options + ".meta.k8s.io \"\" is invalid: dryRun: " + detail,
      Json{{"group", "meta.k8s.io"},
           {"kind", options},
           {"causes", {{{"reason", "FieldValueNotSupported"}, {"message", detail}, {"field", "dryRun"}}}}}};
}

// Logs and the streaming subresources need a container runtime kubesim does not have.
bool is_streaming(const std::string& subresource) {
  return subresource == "log" || subresource == "exec" || subresource == "attach" ||
         subresource == "portforward" || subresource == "proxy";
}

void streaming_not_supported(ApiContext& ctx, httplib::Response& res, const ApiRoute& route) {
  auto pod = ctx.store.get("pods", route.ns, route.name);
  if (!pod.ok()) return send_error(res, from_store_error(pod.error(), *route.type, route.name));
  send_error(
      res, bad_request("pods/" + route.subresource + " is not supported by kubesim: it runs no containers"));
}

bool is_watch(const httplib::Request& req, const ApiRoute& route) {
  return route.watch_path || parse_go_bool(req.get_param_value("watch")).value_or(false);
}

}  // namespace

void handle_resource(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                     const ApiRoute& route) {
  if (route.type->group == k_events_group) return handle_events_v1(ctx, req, res, route);
  const bool collection = route.name.empty();
  const std::string& m = req.method;
  RequestInfo& info = current_request();
  if ((m == "POST" || m == "PUT" || m == "DELETE") && unsupported_body(req)) {
    return send_error(res,
                      {415, "UnsupportedMediaType",
                       "the body of the request was in an unknown format - accepted media types include: "
                       "application/json, application/yaml, application/vnd.kubernetes.protobuf",
                       Json::object()});
  }
  if (auto error = check_dry_run_value(req)) return send_error(res, *error);
  if (is_review(*route.type)) return handle_review(ctx, req, res, route);
  if (route.type->kind == "ServiceAccount" && route.subresource == "token")
    return handle_token_request(ctx, req, res, route);
  if (m == "DELETE" && collection && route.type->kind == "Namespace")
    return send_error(res, method_not_allowed());
  if (route.type->kind == "Pod" && is_streaming(route.subresource))
    return streaming_not_supported(ctx, res, route);
  if (m == "GET" && is_watch(req, route)) {
    info.verb = "watch";
    return handle_watch(ctx, req, res, route);
  }
  if (route.type->namespaced && route.ns.empty() && !(m == "GET" && collection)) {
    return send_error(res,
                      {404, "NotFound", "the server could not find the requested resource", Json::object()});
  }
  if (!route.subresource.empty() && route.subresource != "status" &&
      !(route.subresource == "scale" && route.type->has_scale)) {
    return send_error(res,
                      {404, "NotFound", "the server could not find the requested resource", Json::object()});
  }
  if (m == "GET") {
    info.verb = collection ? "list" : "get";
    return collection ? list_objects(ctx, req, res, route) : get_object(ctx, req, res, route);
  }
  if (m == "POST" && collection) {
    info.verb = "create";
    return create_object(ctx, req, res, route);
  }
  if (m == "PUT" && !collection) {
    info.verb = "update";
    return update_object(ctx, req, res, route);
  }
  if (m == "PATCH" && !collection) {
    info.verb = "patch";
    return handle_patch(ctx, req, res, route);
  }
  if (m == "DELETE") {
    info.verb = collection ? "deletecollection" : "delete";
    return collection ? delete_collection(ctx, req, res, route) : delete_object(ctx, req, res, route);
  }
  send_error(res, method_not_allowed());
}

namespace {

// Pods terminate gracefully when a kubelet runs: they get a deletionTimestamp
// and the simulated kubelet removes them after Timing::pod_delete_ms.
Result<Json> remove_one(ApiContext& ctx, const ResourceType& type, const Json& object, long long grace) {
  const Json& meta = object["metadata"];
  const std::string ns = meta.value("namespace", "");
  const std::string name = meta.value("name", "");
  // Finalizers hold the object: it gets a deletionTimestamp and stays until
  // the last one is removed (registry store.go updateForGracefulDeletionAndFinalizers).
  if (!meta.value("finalizers", Json::array()).empty()) {
    return ctx.store.mark_deleted(type.key(), ns, name, type.kind == "Pod" ? grace : 0);
  }
  if (type.kind == "Pod" && ctx.controllers != nullptr && grace > 0) {
    return ctx.store.mark_deleted("pods", ns, name, grace);
  }
  return ctx.store.remove(type.key(), ns, name);
}

void delete_namespace_contents(ApiContext& ctx, const std::string& ns) {
  for (const ResourceType* type : ctx.store.types().all()) {
    const ResourceType& t = *type;
    if (!t.namespaced) continue;
    for (const auto& o : ctx.store.list(t.key(), ns).first) {
      (void)ctx.store.remove(t.key(), o["metadata"].value("namespace", ""), o["metadata"].value("name", ""));
    }
  }
}

}  // namespace

std::optional<ApiError> decode_body(const httplib::Request& req, httplib::Response& res,
                                    const ResourceType& type, Json& object, bool apply) {
  const std::string asked = req.get_param_value("fieldValidation");
  DecodeOutcome outcome = decode_fields(type, object, asked.empty() ? "Warn" : asked, apply);
  for (const auto& warning : outcome.warnings) {
    res.set_header("Warning", "299 - " + Json(warning).dump());
  }
  return outcome.error;
}

bool is_dry_run(const httplib::Request& req, const Json& options) {
  bool dry_run = req.get_param_value("dryRun") == "All";
  if (options.is_object() && options.contains("dryRun") && options["dryRun"].is_array()) {
    for (const auto& value : options["dryRun"]) dry_run = dry_run || value == "All";
  }
  if (dry_run) current_request().dry_run = true;
  return dry_run;
}

long long grace_period(const httplib::Request& req, const Json& options, const Json& object) {
  if (req.has_param("gracePeriodSeconds"))
    return std::atoll(req.get_param_value("gracePeriodSeconds").c_str());
  if (options.contains("gracePeriodSeconds") && options["gracePeriodSeconds"].is_number_integer()) {
    return options["gracePeriodSeconds"].get<long long>();
  }
  return object.value("spec", Json::object()).value("terminationGracePeriodSeconds", 30LL);
}

namespace {

// Removes the owner reference to `uid`, re-reading on a concurrent change (a
// controller's status write) as the garbage collector's orphaning retries.
void orphan(ApiContext& ctx, const ResourceType& type, Json dependent, const std::string& uid) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    Json& refs = dependent["metadata"]["ownerReferences"];
    if (!refs.is_array()) return;
    refs.erase(
        std::remove_if(refs.begin(), refs.end(), [&](const Json& r) { return r.value("uid", "") == uid; }),
        refs.end());
    if (refs.empty()) dependent["metadata"].erase("ownerReferences");
    auto written = ctx.store.update(type.key(), dependent);
    if (written.ok() || written.error().kind != sluice::util::ErrorKind::conflict) return;
    auto fresh = ctx.store.get(type.key(), dependent["metadata"].value("namespace", ""),
                               dependent["metadata"].value("name", ""));
    if (!fresh.ok()) return;
    dependent = std::move(*fresh);
  }
}

// A namespace goes through phase Terminating (watchers see it) while its
// contents are deleted, then disappears (the namespace controller's work, done at once).
Result<Json> terminate_namespace(ApiContext& ctx, const Json& object) {
  Json terminating = object;
  terminating["status"] = {{"phase", "Terminating"}};
  (void)ctx.store.update("namespaces", terminating, true);
  (void)ctx.store.mark_deleted("namespaces", "", object["metadata"].value("name", ""), 0);
  delete_namespace_contents(ctx, object["metadata"].value("name", ""));
  return ctx.store.remove("namespaces", "", object["metadata"].value("name", ""));
}

}  // namespace

namespace {

// Orphans (policy Orphan) or deletes the dependents of the object with `uid` in `ns`.
void visit_dependents(ApiContext& ctx, const std::string& ns, const std::string& uid,
                      const std::string& policy) {
  for (const ResourceType* type : ctx.store.types().all()) {
    const ResourceType& t = *type;
    if (!t.namespaced) continue;
    for (auto& dependent : ctx.store.list(t.key(), ns, owned_by(uid)).first) {
      if (policy == "Orphan") {
        orphan(ctx, t, dependent, uid);
      } else {
        (void)delete_with_dependents(ctx, t, dependent, policy, 30);
      }
    }
  }
}

}  // namespace

Result<Json> delete_with_dependents(ApiContext& ctx, const ResourceType& type, const Json& object,
                                    const std::string& policy, long long grace) {
  if (type.kind == "Namespace" && object["metadata"].value("finalizers", Json::array()).empty())
    return terminate_namespace(ctx, object);
  const Json& meta = object["metadata"];
  const std::string ns = meta.value("namespace", "");
  const std::string uid = meta.value("uid", "");
  // Orphaning comes first (the apiserver's orphan finalizer), so the garbage
  // collector never sees the owner gone while dependents still point at it.
  // The owner is marked deleted before that, as the finalizer's phase shows
  // it: a controller syncing it meanwhile must not adopt back what was just
  // orphaned (the Deployment controller skips adoption once deletionTimestamp is set).
  if (policy == "Orphan" && !ns.empty()) {
    if (ctx.controllers != nullptr && type.kind != "Pod")
      (void)ctx.store.mark_deleted(type.key(), ns, meta.value("name", ""), 0);
    visit_dependents(ctx, ns, uid, policy);
  }
  // Foreground with the garbage collector running: the owner stays, marked, until its dependents are gone.
  if (policy == "Foreground" && ctx.controllers != nullptr && type.kind != "Pod" && !ns.empty())
    return ctx.store.mark_deleted(type.key(), ns, meta.value("name", ""), 0, "foregroundDeletion");
  auto removed = remove_one(ctx, type, object, grace);
  if (!removed.ok()) return removed;
  if (type.kind == "Namespace") {
    delete_namespace_contents(ctx, meta.value("name", ""));
    return removed;
  }
  if ((*removed)["metadata"].contains("deletionTimestamp") && type.kind != "Pod")
    return removed;  // finalizers pending
  // With the controllers running, Background deletion is the garbage
  // collector's job (asynchronous, as in a cluster); otherwise it happens here.
  const bool cascade_here = policy == "Foreground" || (policy == "Background" && ctx.controllers == nullptr);
  if (!ns.empty() && cascade_here) visit_dependents(ctx, ns, uid, policy);
  return removed;
}

}  // namespace kubesim
