// Deployment status (calculateStatus, syncRolloutStatus) and the progress
// deadline: when nothing has moved for progressDeadlineSeconds the
// Progressing condition turns False with ProgressDeadlineExceeded.
#include <kubesim/deployment_controller.hpp>

namespace kubesim {

namespace {

bool has_progress_deadline(const Json& d) {
  return int_at(d, "/spec/progressDeadlineSeconds", 600) != 2147483647;
}

// DeploymentStatus counts are omitempty: a zero is left out, as the real API writes it.
void set_count(Json& status, const char* field, long long value) {
  if (value != 0) {
    status[field] = value;
  } else {
    status.erase(field);
  }
}

std::string subject(const Json& d, const std::optional<std::size_t>& new_rs, const std::vector<Json>& rss) {
  return new_rs ? "ReplicaSet \"" + name_of(rss[*new_rs]) + "\"" : "Deployment \"" + name_of(d) + "\"";
}

}  // namespace

Json DeploymentController::calculate_status(const Rollout& r) const {
  int available = 0, total = 0, actual = 0, ready = 0;
  for (const Json& rs : r.rss) {
    available += static_cast<int>(int_at(rs, "/status/availableReplicas", 0));
    ready += static_cast<int>(int_at(rs, "/status/readyReplicas", 0));
    actual += static_cast<int>(int_at(rs, "/status/replicas", 0));
    total += rs_replicas(rs);
  }
  int updated = r.new_rs ? static_cast<int>(int_at(r.rss[*r.new_rs], "/status/replicas", 0)) : 0;
  Json status = r.d.value("status", Json::object());
  if (!status.is_object()) status = Json::object();
  set_count(status, "observedGeneration", int_at(r.d, "/metadata/generation", 0));
  set_count(status, "replicas", actual);
  set_count(status, "updatedReplicas", updated);
  set_count(status, "readyReplicas", ready);
  set_count(status, "availableReplicas", available);
  set_count(status, "unavailableReplicas", std::max(0, total - available));
  std::string now = ctx_.now_text();
  if (available >= r.limits.replicas - r.limits.max_unavailable) {
    set_condition(status, make_condition("Available", "True", "MinimumReplicasAvailable",
                                         "Deployment has minimum availability.", now));
  } else {
    set_condition(status, make_condition("Available", "False", "MinimumReplicasUnavailable",
                                         "Deployment does not have minimum availability.", now));
  }
  return status;
}

sluice::util::Status DeploymentController::sync_rollout_status(Rollout& r) {
  Json status = calculate_status(r);
  Json old_status = r.d.value("status", Json::object());
  bool deadline = has_progress_deadline(r.d);
  if (!deadline) remove_condition(status, "Progressing");
  const Json* current = find_condition(old_status, "Progressing");
  DeploymentCounts after = deployment_counts(status);
  bool complete_before = after.replicas == after.updated && current != nullptr &&
                         string_at(*current, "/reason") == "NewReplicaSetAvailable";
  std::string now = ctx_.now_text();
  std::string who = subject(r.d, r.new_rs, r.rss);
  if (deadline && !complete_before) {
    if (deployment_complete(r.limits.replicas, int_at(r.d, "/metadata/generation", 0), after)) {
      set_condition(status, make_condition("Progressing", "True", "NewReplicaSetAvailable",
                                           who + " has successfully progressed.", now));
    } else if (deployment_progressing(deployment_counts(old_status), after)) {
      Json condition =
          make_condition("Progressing", "True", "ReplicaSetUpdated", who + " is progressing.", now);
      if (current != nullptr) {
        if (string_at(*current, "/status") == "True")
          condition["lastTransitionTime"] = (*current)["lastTransitionTime"];
        remove_condition(status, "Progressing");
      }
      set_condition(status, std::move(condition));
      mark_progress(r, now);
    } else if (const Json* progressing = find_condition(status, "Progressing");
               progressing != nullptr && timed_out(r, *progressing)) {
      set_condition(status, make_condition("Progressing", "False", "ProgressDeadlineExceeded",
                                           who + " has timed out progressing.", now));
    }
  }
  remove_condition(status, "ReplicaFailure");
  if (status != old_status) {
    if (auto ok = write_status(r, status); !ok) return ok;
  }
  schedule_deadline_check(r, status);
  return {};
}

sluice::util::Status DeploymentController::sync_status_only(Rollout& r) {
  Json status = calculate_status(r);
  if (status == r.d.value("status", Json::object())) return {};
  return write_status(r, std::move(status));
}

sluice::util::Status DeploymentController::write_status(Rollout& r, Json status) {
  Json copy = r.d;
  copy["status"] = std::move(status);
  auto written = ctx_.update(k_deployments, std::move(copy), true);
  if (!written) return written.error();
  r.d = std::move(*written);
  return {};
}

void DeploymentController::mark_progress(const Rollout& r, const std::string& now_text) {
  std::lock_guard lock(progress_mutex_);
  progress_[uid_of(r.d)] = {now_text, ctx_.clock.now()};
}

std::optional<sluice::util::TimePoint> DeploymentController::progress_since(const Rollout& r,
                                                                            const Json& condition) const {
  std::string text = string_at(condition, "/lastUpdateTime");
  {
    std::lock_guard lock(progress_mutex_);
    auto found = progress_.find(uid_of(r.d));
    if (found != progress_.end() && found->second.first == text) return found->second.second;
  }
  auto wall = parse_rfc3339(text);
  if (!wall) return std::nullopt;
  auto age = std::chrono::duration_cast<sluice::util::Duration>(ctx_.clock.wall_now() - *wall);
  return ctx_.clock.now() - age;
}

bool DeploymentController::timed_out(const Rollout& r, const Json& condition) const {
  std::string reason = string_at(condition, "/reason");
  if (reason == "NewReplicaSetAvailable") return false;
  if (reason == "ProgressDeadlineExceeded") return true;
  auto since = progress_since(r, condition);
  if (!since) return false;
  auto deadline = std::chrono::seconds(int_at(r.d, "/spec/progressDeadlineSeconds", 600));
  return *since + deadline < ctx_.clock.now();
}

// requeueStuckDeployment, but waking exactly when the deadline passes.
void DeploymentController::schedule_deadline_check(const Rollout& r, const Json& status) {
  if (!has_progress_deadline(r.d)) return;
  const Json* condition = find_condition(status, "Progressing");
  if (condition == nullptr) return;
  std::string reason = string_at(*condition, "/reason");
  if (reason == "ProgressDeadlineExceeded" || reason == "NewReplicaSetAvailable") return;
  if (deployment_complete(r.limits.replicas, int_at(r.d, "/metadata/generation", 0),
                          deployment_counts(status)))
    return;
  auto since = progress_since(r, *condition);
  if (!since) return;
  auto due = *since + std::chrono::seconds(int_at(r.d, "/spec/progressDeadlineSeconds", 600));
  auto delay =
      std::chrono::duration_cast<sluice::util::Duration>(due - ctx_.clock.now()) + sluice::util::Duration(1);
  ctx_.enqueue(k_work_deployment, namespace_of(r.d), name_of(r.d),
               std::max(delay, sluice::util::Duration(1)));
}

}  // namespace kubesim
