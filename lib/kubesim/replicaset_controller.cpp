#include <kubesim/replicaset_controller.hpp>

#include <kubesim/controller_math.hpp>
#include <kubesim/kube_object.hpp>
#include <kubesim/validation.hpp>

#include <algorithm>

namespace kubesim {

namespace {

constexpr int k_burst_replicas = 500;
constexpr std::size_t k_max_generated_prefix = 58;  // 63 minus the 5-character suffix

int phase_rank(const Json& pod) {
  std::string phase = string_at(pod, "/status/phase", "Pending");
  if (phase == "Pending") return 0;
  if (phase == "Unknown") return 1;
  return 2;
}

int restarts(const Json& pod) {
  int most = 0;
  if (has_at(pod, "/status/containerStatuses")) {
    for (const Json& status : pod["status"]["containerStatuses"]) {
      most = std::max(most, static_cast<int>(int_at(status, "/restartCount", 0)));
    }
  }
  return most;
}

std::string ready_since_text(const Json& pod) {
  if (!has_at(pod, "/status/conditions")) return "";
  for (const Json& condition : pod["status"]["conditions"]) {
    if (string_at(condition, "/type") == "Ready") return string_at(condition, "/lastTransitionTime");
  }
  return "";
}

}  // namespace

bool delete_before(const Json& a, const Json& b) {
  bool a_assigned = !string_at(a, "/spec/nodeName").empty();
  bool b_assigned = !string_at(b, "/spec/nodeName").empty();
  if (a_assigned != b_assigned) return !a_assigned;
  if (phase_rank(a) != phase_rank(b)) return phase_rank(a) < phase_rank(b);
  bool a_ready = pod_ready(a), b_ready = pod_ready(b);
  if (a_ready != b_ready) return !a_ready;
  if (a_ready && ready_since_text(a) != ready_since_text(b)) return ready_since_text(a) > ready_since_text(b);
  if (restarts(a) != restarts(b)) return restarts(a) > restarts(b);
  std::string ca = string_at(a, "/metadata/creationTimestamp"),
              cb = string_at(b, "/metadata/creationTimestamp");
  if (ca != cb) return ca > cb;
  return name_of(a) > name_of(b);
}

ReplicaSetController::ReplicaSetController(ControllerContext& ctx)
    : ctx_(ctx), rng_(std::random_device{}()) {}

sluice::util::Status ReplicaSetController::sync(const std::string& ns, const std::string& name) {
  ObjectPtr current = ctx_.index.get(k_replicasets, ns, name);
  if (!current) return {};
  const Json& rs = *current;
  auto list_active = [&] {
    std::vector<ObjectPtr> pods;
    for (ObjectPtr& pod : ctx_.index.controlled_by(k_pods, uid_of(rs))) {
      if (pod_active(*pod)) pods.push_back(std::move(pod));
    }
    return pods;
  };
  std::vector<ObjectPtr> pods = list_active();
  if (!has_at(rs, "/metadata/deletionTimestamp")) {
    int diff = static_cast<int>(pods.size()) - static_cast<int>(int_at(rs, "/spec/replicas", 1));
    if (diff < 0) {
      if (auto ok = create_pods(rs, std::min(-diff, k_burst_replicas)); !ok) return ok;
    } else if (diff > 0) {
      if (auto ok = delete_pods(rs, pods, std::min(diff, k_burst_replicas)); !ok) return ok;
    }
    if (diff != 0) pods = list_active();
  }
  std::optional<sluice::util::Duration> recheck;
  Json status = calculate_status(rs, pods, recheck);
  if (recheck) ctx_.enqueue(k_work_replicaset, ns, name, *recheck);
  if (status == rs.value("status", Json::object())) return {};
  Json copy = rs;
  copy["status"] = std::move(status);
  auto written = ctx_.update(k_replicasets, std::move(copy), true);
  if (!written && written.error().kind != sluice::util::ErrorKind::not_found) return written.error();
  return {};
}

std::string ReplicaSetController::pod_name(const std::string& rs_name) {
  std::string prefix = rs_name + "-";
  if (prefix.size() > k_max_generated_prefix) prefix.resize(k_max_generated_prefix);
  std::lock_guard lock(rng_mutex_);
  return prefix + random_suffix(rng_);
}

// The pod the template describes, as the apiserver stores it: through the
// Pod defaulting any client's create gets (SetDefaults_Pod: enableServiceLinks...).
Json ReplicaSetController::pod_from_template(const Json& rs) const {
  const Json pod_template = rs.value("spec", Json::object()).value("template", Json::object());
  Json metadata = pod_template.value("metadata", Json::object());
  metadata.erase("name");
  metadata["namespace"] = namespace_of(rs);
  metadata["generateName"] = name_of(rs) + "-";
  metadata["ownerReferences"] = Json::array({make_controller_ref(rs, "apps/v1", "ReplicaSet")});
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", metadata},
              {"spec", pod_template.value("spec", Json::object())}};
  if (const ResourceType* type = ctx_.store.types().find(k_pods)) apply_defaults(*type, pod);
  return pod;
}

sluice::util::Status ReplicaSetController::create_pods(const Json& rs, int count) {
  Json pod = pod_from_template(rs);
  const Json fields = template_fields_.fields_for(rs, pod);
  for (int i = 0; i < count; ++i) {
    pod["metadata"]["managedFields"] =
        Json::array({update_entry(k_controller_manager, ctx_.now_text(), fields)});
    for (int attempt = 0;; ++attempt) {
      pod["metadata"]["name"] = pod_name(name_of(rs));
      auto created = ctx_.create(k_pods, pod);
      if (created) {
        ctx_.events.record(rs, k_replicaset_controller,
                           {"Normal", "SuccessfulCreate", "Created pod: " + name_of(*created)});
        break;
      }
      if (created.error().kind != sluice::util::ErrorKind::already_exists || attempt == 3)
        return created.error();
    }
  }
  return {};
}

sluice::util::Status ReplicaSetController::delete_pods(const Json& rs, std::vector<ObjectPtr> pods,
                                                       int count) {
  std::sort(pods.begin(), pods.end(),
            [](const ObjectPtr& a, const ObjectPtr& b) { return delete_before(*a, *b); });
  for (int i = 0; i < count && i < static_cast<int>(pods.size()); ++i) {
    const Json& pod = *pods[static_cast<std::size_t>(i)];
    if (auto ok = delete_pod_gracefully(ctx_, namespace_of(pod), name_of(pod)); !ok) return ok;
    ctx_.events.record(rs, k_replicaset_controller,
                       {"Normal", "SuccessfulDelete", "Deleted pod: " + name_of(pod)});
  }
  return {};
}

Json ReplicaSetController::calculate_status(const Json& rs, const std::vector<ObjectPtr>& pods,
                                            std::optional<sluice::util::Duration>& recheck) const {
  auto min_ready = std::chrono::seconds(int_at(rs, "/spec/minReadySeconds", 0));
  const Json template_labels = has_at(rs, "/spec/template/metadata/labels")
                                   ? rs["spec"]["template"]["metadata"]["labels"]
                                   : Json::object();
  int fully_labeled = 0, ready = 0, available = 0;
  sluice::util::TimePoint now = ctx_.clock.now();
  for (const ObjectPtr& pod : pods) {
    if (map_selector_matches(template_labels, (*pod)["metadata"].value("labels", Json::object())))
      ++fully_labeled;
    if (!pod_ready(*pod)) continue;
    ++ready;
    if (min_ready.count() == 0) {
      ++available;
      continue;
    }
    // IsPodAvailable: ready for longer than minReadySeconds, to the millisecond the kubelet saw it.
    auto since = ctx_.readiness.since(uid_of(*pod));
    if (!since) {
      auto wall = parse_rfc3339(ready_since_text(*pod));
      since = now - std::chrono::duration_cast<sluice::util::Duration>(
                        ctx_.clock.wall_now() - wall.value_or(sluice::util::WallTime{}));
    }
    if (*since + min_ready < now) {
      ++available;
    } else {
      auto wait = std::chrono::duration_cast<sluice::util::Duration>(*since + min_ready - now) +
                  sluice::util::Duration(1);
      recheck = recheck ? std::min(*recheck, wait) : wait;
    }
  }
  Json status = rs.value("status", Json::object());
  status["replicas"] = static_cast<long long>(pods.size());
  auto set_count = [&](const char* field, long long value) {
    if (value != 0) {
      status[field] = value;
    } else {
      status.erase(field);
    }
  };
  set_count("fullyLabeledReplicas", fully_labeled);
  set_count("readyReplicas", ready);
  set_count("availableReplicas", available);
  set_count("observedGeneration", int_at(rs, "/metadata/generation", 0));
  return status;
}

}  // namespace kubesim
