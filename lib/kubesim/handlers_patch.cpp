// PATCH in its four content types, server-side apply, and the scale
// subresource. A patch is applied to the current object and written back
// with that object's resourceVersion, retried on a concurrent change unless
// the patch itself names a resourceVersion (then a 409 goes to the client).
#include <kubesim/managed_fields.hpp>
#include <kubesim/patch.hpp>
#include <kubesim/selectors.hpp>
#include <kubesim/server_internal.hpp>
#include <kubesim/validation.hpp>

namespace kubesim {

namespace {

constexpr int k_patch_attempts = 5;

std::string media_type(const httplib::Request& req) {
  std::string type = req.get_header_value("Content-Type");
  return type.substr(0, type.find(';'));
}

ApiError patch_failed(const std::string& message) {
  return {422, "Invalid", message, Json::object()};
}

// apiserver patch.go: a JSON patch that does not apply is a generic 422
// (NewGenericServerResponse) with the library's text as its only cause.
ApiError json_patch_failed(const std::string& message) {
  if (message.rfind("json: cannot unmarshal", 0) == 0) return bad_request(message);  // DecodePatch
  return {422, "Invalid", "the server rejected our request due to an error in our request",
          Json{{"causes", {{{"reason", "UnexpectedServerResponse"}, {"message", message}}}}}};
}

Result<Json> apply_patch_body(const std::string& media, const Json& base, const Json& patch) {
  if (media == "application/json-patch+json") return apply_json_patch(base, patch);
  if (media == "application/merge-patch+json") {
    if (!patch.is_object())
      return sluice::util::make_error(sluice::util::ErrorKind::invalid, "merge patch must be a JSON object");
    return apply_merge_patch(base, patch);
  }
  return apply_strategic_merge_patch(base, patch);
}

// Writes `object` (the patched current object) as the verb handlers would.
Result<Json> write_patched(ApiContext& ctx, const httplib::Request& req, const ApiRoute& route,
                           const Json& current, Json object, ApiError& error) {
  const ResourceType& type = *route.type;
  Json& meta = object["metadata"];
  for (const char* field : {"name", "namespace", "uid", "creationTimestamp"}) {
    if (current["metadata"].contains(field)) meta[field] = current["metadata"][field];
  }
  object["apiVersion"] = type.api_version();
  object["kind"] = type.kind;
  const bool status_only = route.subresource == "status";
  if (!status_only) {
    apply_defaults(type, object, &current);
    if (auto invalid_error = validate_object(type, object, &current)) {
      error = *invalid_error;
      return sluice::util::make_error(sluice::util::ErrorKind::invalid, error.message);
    }
  }
  record_update(current, object, field_manager(req, "kubectl-patch"), type.api_version(), now_rfc3339(),
                route.subresource);
  auto updated = ctx.store.update(type.key(), object, status_only, is_dry_run(req));
  if (!updated.ok()) error = from_store_error(updated.error(), type, route.name);
  return updated;
}

// Scale patches and PUTs change spec.replicas of the owning object.
Result<Json> scale_to_object(const Json& current, const Json& scale) {
  if (!scale.contains("spec") || !scale["spec"].contains("replicas") ||
      !scale["spec"]["replicas"].is_number_integer()) {
    return sluice::util::make_error(sluice::util::ErrorKind::invalid, "spec.replicas: Required value");
  }
  Json object = current;
  object["spec"]["replicas"] = scale["spec"]["replicas"];
  const std::string wanted = scale.value("metadata", Json::object()).value("resourceVersion", "");
  if (!wanted.empty()) object["metadata"]["resourceVersion"] = wanted;
  return object;
}

void apply_patch(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const ApiRoute& route) {
  const std::string media = media_type(req);
  const bool put_scale = req.method == "PUT";
  Json patch;
  try {
    patch = Json::parse(req.body);
  } catch (const Json::exception& e) {
    return send_error(res, bad_request(std::string("error decoding patch: ") + e.what()));
  }
  for (int attempt = 0;; ++attempt) {
    auto current = ctx.store.get(route.type->key(), route.ns, route.name);
    if (!current.ok()) return send_error(res, from_store_error(current.error(), *route.type, route.name));
    const bool scale = route.subresource == "scale";
    const Json base = scale ? to_scale(*current) : *current;
    auto patched = put_scale ? Result<Json>(patch) : apply_patch_body(media, base, patch);
    if (!patched.ok()) {
      return send_error(res, media == "application/json-patch+json"
                                 ? json_patch_failed(patched.error().message)
                                 : patch_failed(patched.error().message));
    }
    const std::string current_rv = (*current)["metadata"].value("resourceVersion", "");
    const Json patched_meta = patched->value("metadata", Json::object());
    const bool pinned = patched_meta.value("resourceVersion", "") != current_rv &&
                        !patched_meta.value("resourceVersion", "").empty();
    if (scale) {
      patched = scale_to_object(*current, *patched);
      if (!patched.ok())
        return send_error(res, invalid(*route.type, route.name,
                                       {{"spec.replicas", "FieldValueRequired", "Required value"}}));
    }
    if (!pinned) (*patched)["metadata"]["resourceVersion"] = current_rv;
    if (!scale) {
      httplib::Response scratch;  // a retry after a conflict warns only once
      if (auto error = decode_body(req, attempt == 0 ? res : scratch, *route.type, *patched))
        return send_error(res, *error);
    }
    ApiError error;
    auto written = write_patched(ctx, req, route, *current, std::move(*patched), error);
    if (written.ok()) return send_json(res, 200, scale ? to_scale(*written) : *written);
    if (written.error().kind != sluice::util::ErrorKind::conflict || pinned ||
        attempt + 1 >= k_patch_attempts) {
      return send_error(res, error);
    }
  }
}

void server_side_apply_patch(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                             const ApiRoute& route) {
  const ResourceType& type = *route.type;
  const std::string manager = req.get_param_value("fieldManager");
  if (manager.empty()) {
    return send_error(res, {422, "Invalid",
                            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is "
                            "required for apply patch",
                            Json{{"group", "meta.k8s.io"},
                                 {"kind", "PatchOptions"},
                                 {"causes",
                                  {{{"reason", "FieldValueRequired"},
                                    {"message", "Required value: is required for apply patch"},
                                    {"field", "fieldManager"}}}}}});
  }
  auto config = parse_json_or_yaml(req.body);
  if (!config.ok() || !config->is_object())
    return send_error(res,
                      bad_request(config.ok() ? "apply patch must be an object" : config.error().message));
  if (config->value("kind", "") != type.kind || config->value("apiVersion", "") != type.api_version()) {
    return send_error(
        res, bad_request("the API version and kind in the apply patch (" + config->value("apiVersion", "") +
                         ", " + config->value("kind", "") + ") do not match the request (" +
                         type.api_version() + ", " + type.kind + ")"));
  }
  Json& meta = (*config)["metadata"];
  if (meta.value("name", "") != route.name) {
    return send_error(res, bad_request("the name of the object (" + meta.value("name", "") +
                                       ") does not match the name on the URL (" + route.name + ")"));
  }
  if (type.namespaced) meta["namespace"] = route.ns;
  if (auto error = decode_body(req, res, type, *config, true)) return send_error(res, *error);
  const bool force = req.get_param_value("force") == "true";
  for (int attempt = 0;; ++attempt) {
    auto current = ctx.store.get(type.key(), route.ns, route.name);
    const Json base = current.ok() ? *current : Json();
    ApiError conflict;
    auto merged = server_side_apply(base, *config, manager, force, type.api_version(), now_rfc3339(),
                                    conflict, route.subresource);
    if (!merged.ok())
      return send_error(res, conflict.code == 409 ? conflict : patch_failed(merged.error().message));
    if (!current.ok()) {
      Json object = std::move(*merged);
      if (type.has_status) object.erase("status");
      apply_defaults(type, object);
      if (auto error = validate_object(type, object)) return send_error(res, *error);
      if (type.namespaced && !ctx.store.get("namespaces", "", route.ns).ok()) {
        return send_error(res, {404, "NotFound", "namespaces \"" + route.ns + "\" not found",
                                Json{{"name", route.ns}, {"kind", "namespaces"}}});
      }
      auto created = ctx.store.create(type.key(), object, is_dry_run(req));
      if (created.ok()) return send_json(res, 201, *created);
      if (created.error().kind != sluice::util::ErrorKind::already_exists ||
          attempt + 1 >= k_patch_attempts) {
        return send_error(res, from_store_error(created.error(), type, route.name));
      }
      continue;
    }
    Json object = std::move(*merged);
    // An applied body that names a resourceVersion is a precondition (fieldmanager
    // leaves it in place, and the store's update refuses a stale one with 409).
    const std::string pinned = meta.value("resourceVersion", "");
    object["metadata"]["resourceVersion"] =
        pinned.empty() ? (*current)["metadata"].value("resourceVersion", "") : pinned;
    apply_defaults(type, object, &*current);
    if (auto error = validate_object(type, object, &*current)) return send_error(res, *error);
    auto updated = ctx.store.update(type.key(), object, route.subresource == "status", is_dry_run(req));
    if (updated.ok()) return send_json(res, 200, *updated);
    if (updated.error().kind != sluice::util::ErrorKind::conflict || !pinned.empty() ||
        attempt + 1 >= k_patch_attempts) {
      return send_error(res, from_store_error(updated.error(), type, route.name));
    }
  }
}

}  // namespace

void handle_patch(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const ApiRoute& route) {
  const std::string media = media_type(req);
  if (req.method == "PUT") return apply_patch(ctx, req, res, route);  // whole Scale
  if (media == "application/apply-patch+yaml") return server_side_apply_patch(ctx, req, res, route);
  if (media != "application/json-patch+json" && media != "application/merge-patch+json" &&
      media != "application/strategic-merge-patch+json") {
    return send_error(res, unsupported_media_type(media));
  }
  apply_patch(ctx, req, res, route);
}

Json to_scale(const Json& object) {
  const Json& meta = object["metadata"];
  Json scale_meta = Json::object();
  for (const char* field : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    if (meta.contains(field)) scale_meta[field] = meta[field];
  }
  const Json spec = object.value("spec", Json::object());
  return {{"kind", "Scale"},
          {"apiVersion", "autoscaling/v1"},
          {"metadata", scale_meta},
          {"spec", {{"replicas", spec.value("replicas", 1)}}},
          {"status",
           {{"replicas", object.value("status", Json::object()).value("replicas", 0)},
            {"selector", selector_to_string(spec.value("selector", Json::object()))}}}};
}

}  // namespace kubesim
