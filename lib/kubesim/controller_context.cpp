#include <kubesim/controller_context.hpp>

#include <kubesim/kube_object.hpp>
#include <kubesim/managed_fields.hpp>
#include <kubesim/object_index.hpp>
#include <kubesim/pod_managed_fields.hpp>

#include <charconv>

namespace kubesim {

std::string work_key(const std::string& kind, const std::string& ns, const std::string& name) {
  return kind + ":" + ns + "/" + name;
}

void ReadinessLog::record(const std::string& uid, sluice::util::TimePoint since) {
  std::lock_guard lock(mutex_);
  since_[uid] = since;
}

std::optional<sluice::util::TimePoint> ReadinessLog::since(const std::string& uid) const {
  std::lock_guard lock(mutex_);
  auto found = since_.find(uid);
  if (found == since_.end()) return std::nullopt;
  return found->second;
}

void ReadinessLog::forget(const std::string& uid) {
  std::lock_guard lock(mutex_);
  since_.erase(uid);
}

void ObservedVersion::saw(std::uint64_t resource_version) {
  {
    std::lock_guard lock(mutex_);
    if (resource_version <= seen_) return;
    seen_ = resource_version;
  }
  cv_.notify_all();
}

bool ObservedVersion::wait_for(std::uint64_t resource_version, sluice::util::Duration timeout) const {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return seen_ >= resource_version; });
}

namespace {

// Bounded: a stuck listener elsewhere must not stall the controllers for good.
constexpr sluice::util::Duration k_observe_timeout{2000};

Result<Json> after_observed(const ControllerContext& ctx, Result<Json> written) {
  if (written) {
    std::string text = string_at(*written, "/metadata/resourceVersion");
    std::uint64_t rv = 0;
    std::from_chars(text.data(), text.data() + text.size(), rv);
    ctx.observed.wait_for(rv, k_observe_timeout);
  }
  return written;
}

// Who writes, as the real write's managedFields entry names it: every
// controller in kube-controller-manager writes as that one manager, its
// status writes with subresource status; a pod's status is the kubelet's.
// A pod's other write here is the scheduler's binding, which on a real
// cluster goes to storage without a managedFields entry. The pods the
// ReplicaSet controller creates arrive with their entry made
// (pod_managed_fields.hpp: it is cached per template, not walked per pod).
struct FieldOwner {
  const char* manager;
  const char* subresource;
};

std::optional<FieldOwner> owner_of(const std::string& resource, bool status_only) {
  if (resource == k_pods) {
    if (!status_only) return std::nullopt;
    return FieldOwner{k_kubelet_manager, "status"};
  }
  return FieldOwner{k_controller_manager, status_only ? "status" : ""};
}

std::string api_version_of(const Store& store, const std::string& resource) {
  const ResourceType* type = store.types().find(resource);
  return type == nullptr ? "" : type->api_version();
}

}  // namespace

Result<Json> ControllerContext::create(const std::string& resource, Json object) const {
  if (resource != k_pods)
    record_update(Json(), object, k_controller_manager, api_version_of(store, resource), now_text());
  return after_observed(*this, store.create(resource, std::move(object)));
}

Result<Json> ControllerContext::update(const std::string& resource, Json object, bool status_only) const {
  // The kubelet's status writes: its entry from the status's shape, no field
  // walk (and no extra read), unless someone else owns status fields too.
  const bool kubelet_shaped =
      resource == k_pods && status_only && set_kubelet_status_entry(object, now_text());
  if (auto owner = owner_of(resource, status_only); owner && !kubelet_shaped) {
    auto live = store.get(resource, namespace_of(object), name_of(object));
    if (live) {
      record_update(*live, object, owner->manager, api_version_of(store, resource), now_text(),
                    owner->subresource);
    }
  }
  return after_observed(*this, store.update(resource, std::move(object), status_only));
}

Result<Json> ControllerContext::remove(const std::string& resource, const std::string& ns,
                                       const std::string& name) const {
  return after_observed(*this, store.remove(resource, ns, name));
}

std::string ControllerContext::now_text() const {
  return rfc3339(clock.wall_now());
}

sluice::util::Result<std::optional<Json>> update_with_retry(const ControllerContext& ctx,
                                                            const std::string& resource,
                                                            const std::string& ns, const std::string& name,
                                                            const std::function<bool(Json&)>& change,
                                                            bool status_only) {
  constexpr int k_tries = 5;
  sluice::util::Error last = sluice::util::make_error(sluice::util::ErrorKind::conflict, "no attempt made");
  for (int attempt = 0; attempt < k_tries; ++attempt) {
    auto current = ctx.store.get(resource, ns, name);
    if (!current) return current.error();
    Json object = std::move(*current);
    if (!change(object)) return std::optional<Json>{};
    auto written = ctx.update(resource, std::move(object), status_only);
    if (written) return std::optional<Json>{std::move(*written)};
    if (written.error().kind != sluice::util::ErrorKind::conflict) return written.error();
    last = written.error();
  }
  return last;
}

sluice::util::Status delete_pod_gracefully(const ControllerContext& ctx, const std::string& ns,
                                           const std::string& name) {
  auto pod = ctx.store.get(k_pods, ns, name);
  if (!pod)
    return pod.error().kind == sluice::util::ErrorKind::not_found ? sluice::util::Status{}
                                                                  : sluice::util::Status{pod.error()};
  auto marked = after_observed(
      ctx, ctx.store.mark_deleted(k_pods, ns, name, int_at(*pod, "/spec/terminationGracePeriodSeconds", 30)));
  if (!marked && marked.error().kind != sluice::util::ErrorKind::not_found) return marked.error();
  return {};
}

bool pod_ready(const Json& pod) {
  if (!has_at(pod, "/status/conditions") || !pod["status"]["conditions"].is_array()) return false;
  for (const Json& condition : pod["status"]["conditions"]) {
    if (string_at(condition, "/type") == "Ready") return string_at(condition, "/status") == "True";
  }
  return false;
}

bool pod_active(const Json& pod) {
  std::string phase = string_at(pod, "/status/phase");
  return phase != "Succeeded" && phase != "Failed" && !has_at(pod, "/metadata/deletionTimestamp");
}

}  // namespace kubesim
