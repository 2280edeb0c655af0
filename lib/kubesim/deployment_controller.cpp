#include <kubesim/deployment_controller.hpp>

#include <algorithm>
#include <charconv>

namespace kubesim {

namespace {

bool created_before(const Json& a, const Json& b) {
  std::string ta = string_at(a, "/metadata/creationTimestamp");
  std::string tb = string_at(b, "/metadata/creationTimestamp");
  return ta != tb ? ta < tb : name_of(a) < name_of(b);
}

std::optional<int> int_annotation(const Json& object, const char* annotation) {
  Json::json_pointer ptr("/metadata/annotations");
  if (!object.contains(ptr) || !object.at(ptr).contains(annotation)) return std::nullopt;
  const Json& value = object.at(ptr)[annotation];
  if (!value.is_string()) return std::nullopt;
  std::string text = value.get<std::string>();
  int parsed = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return parsed;
}

}  // namespace

int rs_replicas(const Json& rs) {
  return static_cast<int>(int_at(rs, "/spec/replicas", 1));
}

long long rs_revision(const Json& rs) {
  return int_annotation(rs, k_revision_annotation).value_or(0);
}

std::vector<std::size_t> DeploymentController::Rollout::old() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < rss.size(); ++i) {
    if (!new_rs || *new_rs != i) out.push_back(i);
  }
  return out;
}

std::vector<std::size_t> DeploymentController::Rollout::active_old() const {
  std::vector<std::size_t> out;
  for (std::size_t i : old()) {
    if (rs_replicas(rss[i]) > 0) out.push_back(i);
  }
  return out;
}

void DeploymentController::forget(const std::string& uid) {
  std::lock_guard lock(progress_mutex_);
  progress_.erase(uid);
}

sluice::util::Status DeploymentController::sync(const std::string& ns, const std::string& name) {
  ObjectPtr current = ctx_.index.get(k_deployments, ns, name);
  if (!current) return {};
  Rollout r;
  r.d = *current;
  auto limits = rollout_limits(r.d.value("spec", Json::object()));
  if (!limits) return {};  // validation refuses such specs; nothing sensible to do
  r.limits = *limits;
  for (const ObjectPtr& rs : ctx_.index.controlled_by(k_replicasets, uid_of(r.d))) r.rss.push_back(*rs);
  if (!has_at(r.d, "/metadata/deletionTimestamp")) {
    if (auto ok = adopt_orphans(r); !ok) return ok;
  }
  std::sort(r.rss.begin(), r.rss.end(), created_before);

  if (has_at(r.d, "/metadata/deletionTimestamp")) {
    if (auto ok = find_new_replica_set(r, false); !ok) return ok;
    return sync_status_only(r);
  }
  if (auto ok = check_paused_conditions(r); !ok) return ok;
  if (bool_at(r.d, "/spec/paused", false)) {
    if (auto ok = find_new_replica_set(r, false); !ok) return ok;
    if (auto ok = scale(r); !ok) return ok;
    if (auto ok = cleanup(r); !ok) return ok;
    return sync_status_only(r);
  }
  auto scaling = is_scaling_event(r);
  if (!scaling) return scaling.error();
  if (*scaling) {
    if (auto ok = scale(r); !ok) return ok;
    return sync_status_only(r);
  }
  return r.limits.rolling ? rollout_rolling(r) : rollout_recreate(r);
}

sluice::util::Status DeploymentController::adopt_orphans(Rollout& r) {
  const Json selector = r.d["spec"].value("selector", Json::object());
  for (const ObjectPtr& rs : ctx_.index.orphans(k_replicasets, namespace_of(r.d))) {
    if (has_at(*rs, "/metadata/deletionTimestamp")) continue;
    if (!label_selector_matches(selector, (*rs)["metadata"].value("labels", Json::object()))) continue;
    Json adopted = *rs;
    Json& refs = adopted["metadata"]["ownerReferences"];
    if (!refs.is_array()) refs = Json::array();
    refs.push_back(make_controller_ref(r.d, "apps/v1", "Deployment"));
    auto written = ctx_.update(k_replicasets, std::move(adopted));
    if (!written) {
      if (written.error().kind == sluice::util::ErrorKind::conflict)
        continue;  // seen again on its next event
      return written.error();
    }
    r.rss.push_back(*written);
  }
  return {};
}

sluice::util::Status DeploymentController::check_paused_conditions(Rollout& r) {
  if (int_at(r.d, "/spec/progressDeadlineSeconds", 600) == 2147483647) return {};
  Json status = r.d.value("status", Json::object());
  const Json* cond = find_condition(status, "Progressing");
  std::string reason = cond != nullptr ? string_at(*cond, "/reason") : "";
  if (reason == "ProgressDeadlineExceeded") return {};  // a reported failure is not overwritten
  bool paused = bool_at(r.d, "/spec/paused", false);
  std::string now = ctx_.now_text();
  if (paused && reason != "DeploymentPaused") {
    set_condition(status,
                  make_condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now));
  } else if (!paused && reason == "DeploymentPaused") {
    set_condition(
        status, make_condition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", now));
  } else {
    return {};
  }
  mark_progress(r, now);  // a resumed Deployment's deadline counts from the resume
  return write_status(r, std::move(status));
}

sluice::util::Result<bool> DeploymentController::is_scaling_event(Rollout& r) {
  if (auto ok = find_new_replica_set(r, false); !ok) return ok.error();
  for (const Json& rs : r.rss) {
    if (rs_replicas(rs) <= 0) continue;
    auto desired = int_annotation(rs, k_desired_replicas_annotation);
    if (desired && *desired != r.limits.replicas) return true;
  }
  return false;
}

sluice::util::Result<bool> DeploymentController::scale_replica_set(Rollout& r, std::size_t index,
                                                                   int replicas) {
  Json rs = r.rss[index];
  std::string desired = std::to_string(r.limits.replicas);
  std::string max = std::to_string(r.limits.replicas + r.limits.max_surge);
  const int before = rs_replicas(rs);
  bool size_changes = before != replicas;
  Json& annotations = rs["metadata"]["annotations"];
  if (!annotations.is_object()) annotations = Json::object();
  bool annotations_change = annotations.value(k_desired_replicas_annotation, "") != desired ||
                            annotations.value(k_max_replicas_annotation, "") != max;
  if (!size_changes && !annotations_change) return false;
  rs["spec"]["replicas"] = replicas;
  annotations[k_desired_replicas_annotation] = desired;
  annotations[k_max_replicas_annotation] = max;
  auto written = ctx_.update(k_replicasets, std::move(rs));
  if (!written) return written.error();
  r.rss[index] = std::move(*written);
  if (size_changes) {
    // dc.scaleReplicaSet's event, word for word.
    ctx_.events.record(
        r.d, k_deployment_controller,
        {"Normal", "ScalingReplicaSet",
         std::string("Scaled ") + (before < replicas ? "up" : "down") + " replica set " +
             name_of(r.rss[index]) + " from " + std::to_string(before) + " to " + std::to_string(replicas)});
  }
  return size_changes;
}

sluice::util::Status DeploymentController::scale(Rollout& r) {
  std::vector<std::size_t> active = r.active_old();
  if (r.new_rs && rs_replicas(r.rss[*r.new_rs]) > 0) active.push_back(*r.new_rs);
  std::optional<std::size_t> only;
  if (active.size() == 1) only = active.front();
  if (active.empty() && !r.rss.empty()) only = r.new_rs ? *r.new_rs : r.old().back();  // else the newest
  if (only) {
    if (rs_replicas(r.rss[*only]) == r.limits.replicas) return {};
    auto scaled = scale_replica_set(r, *only, r.limits.replicas);
    return scaled ? sluice::util::Status{} : sluice::util::Status{scaled.error()};
  }
  if (active.empty()) return {};
  if (r.new_rs) {
    const Json& new_rs = r.rss[*r.new_rs];
    bool saturated = rs_replicas(new_rs) == r.limits.replicas &&
                     int_annotation(new_rs, k_desired_replicas_annotation) == r.limits.replicas &&
                     int_at(new_rs, "/status/availableReplicas", 0) == r.limits.replicas;
    if (saturated) {
      for (std::size_t i : r.active_old()) {
        if (auto scaled = scale_replica_set(r, i, 0); !scaled) return scaled.error();
      }
      return {};
    }
  }
  if (!r.limits.rolling) return {};
  std::vector<ScalingReplicaSet> scaling;
  for (std::size_t i : active) {
    scaling.push_back(ScalingReplicaSet{name_of(r.rss[i]), rs_replicas(r.rss[i]),
                                        int_annotation(r.rss[i], k_max_replicas_annotation),
                                        static_cast<int>(i)});
  }
  auto sizes = proportional_sizes(r.limits, static_cast<int>(int_at(r.d, "/status/replicas", 0)), scaling);
  for (std::size_t i : active) {
    if (auto scaled = scale_replica_set(r, i, sizes[name_of(r.rss[i])]); !scaled) return scaled.error();
  }
  return {};
}

sluice::util::Status DeploymentController::rollout_rolling(Rollout& r) {
  if (auto ok = find_new_replica_set(r, true); !ok) return ok;
  if (!r.new_rs) return {};
  std::size_t new_index = *r.new_rs;
  int new_replicas = rs_replicas(r.rss[new_index]);
  // reconcileNewReplicaSet
  if (new_replicas != r.limits.replicas) {
    int all = 0;
    for (const Json& rs : r.rss) all += rs_replicas(rs);
    int target = new_replicas > r.limits.replicas ? r.limits.replicas
                                                  : new_rs_new_replicas(r.limits, all, new_replicas);
    auto scaled = scale_replica_set(r, new_index, target);
    if (!scaled) return scaled.error();
    if (*scaled) return sync_rollout_status(r);
  }
  // reconcileOldReplicaSets. Available counts are capped at spec.replicas: a
  // ReplicaSet just scaled down still reports its old count until its
  // controller catches up, and trusting that would over-delete.
  auto counts = [&](std::size_t i) {
    const Json& rs = r.rss[i];
    int available = static_cast<int>(int_at(rs, "/status/availableReplicas", 0));
    return ReplicaSetCounts{name_of(rs), rs_replicas(rs), std::min(available, rs_replicas(rs))};
  };
  std::vector<ReplicaSetCounts> old;
  std::vector<std::size_t> old_indexes = r.active_old();
  for (std::size_t i : old_indexes) old.push_back(counts(i));
  bool scaled_down = false;
  for (const auto& [rs_name, replicas] : old_replica_set_scale_down(r.limits, old, counts(new_index))) {
    for (std::size_t i : old_indexes) {
      if (name_of(r.rss[i]) != rs_name) continue;
      auto scaled = scale_replica_set(r, i, replicas);
      if (!scaled) return scaled.error();
      scaled_down = scaled_down || *scaled;
    }
  }
  if (scaled_down) return sync_rollout_status(r);
  if (deployment_complete(r.limits.replicas, int_at(r.d, "/metadata/generation", 0),
                          deployment_counts(r.d.value("status", Json::object())))) {
    if (auto ok = cleanup(r); !ok) return ok;
  }
  return sync_rollout_status(r);
}

bool DeploymentController::old_pods_running(const Rollout& r) const {
  for (std::size_t i : r.old()) {
    if (int_at(r.rss[i], "/status/replicas", 0) > 0) return true;
  }
  for (std::size_t i : r.old()) {
    for (const ObjectPtr& pod : ctx_.index.controlled_by(k_pods, uid_of(r.rss[i]))) {
      std::string phase = string_at(*pod, "/status/phase");
      if (phase != "Failed" && phase != "Succeeded") return true;
    }
  }
  return false;
}

sluice::util::Status DeploymentController::rollout_recreate(Rollout& r) {
  if (auto ok = find_new_replica_set(r, false); !ok) return ok;
  bool scaled_down = false;
  for (std::size_t i : r.active_old()) {
    auto scaled = scale_replica_set(r, i, 0);
    if (!scaled) return scaled.error();
    scaled_down = scaled_down || *scaled;
  }
  if (scaled_down || old_pods_running(r)) return sync_rollout_status(r);
  if (!r.new_rs) {
    if (auto ok = find_new_replica_set(r, true); !ok) return ok;
    if (!r.new_rs) return {};
  }
  if (auto scaled = scale_replica_set(r, *r.new_rs, r.limits.replicas); !scaled) return scaled.error();
  if (deployment_complete(r.limits.replicas, int_at(r.d, "/metadata/generation", 0),
                          deployment_counts(r.d.value("status", Json::object())))) {
    if (auto ok = cleanup(r); !ok) return ok;
  }
  return sync_rollout_status(r);
}

}  // namespace kubesim
