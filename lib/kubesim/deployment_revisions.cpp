// The new ReplicaSet of a Deployment (getNewReplicaSet), its revision
// annotations, and revision-history cleanup (cleanupDeployment).
#include <kubesim/deployment_controller.hpp>

#include <algorithm>

namespace kubesim {

namespace {

bool has_progress_deadline(const Json& d) {
  return int_at(d, "/spec/progressDeadlineSeconds", 600) != 2147483647;
}

// Annotations a Deployment does not pass on to its ReplicaSets.
bool skipped_annotation(const std::string& key) {
  return key == "kubectl.kubernetes.io/last-applied-configuration" || key == k_revision_annotation ||
         key == k_revision_history_annotation || key == k_desired_replicas_annotation ||
         key == k_max_replicas_annotation || key == "deprecated.deployment.rollback.to";
}

Json& annotations_of(Json& object) {
  Json& annotations = object["metadata"]["annotations"];
  if (!annotations.is_object()) annotations = Json::object();
  return annotations;
}

// SetNewReplicaSetAnnotations.
bool set_new_rs_annotations(const Json& d, Json& rs, long long revision, bool exists,
                            const RolloutLimits& limits) {
  bool changed = false;
  Json& annotations = annotations_of(rs);
  if (has_at(d, "/metadata/annotations")) {
    for (const auto& [key, value] : d["metadata"]["annotations"].items()) {
      if (skipped_annotation(key) || (annotations.contains(key) && annotations[key] == value)) continue;
      annotations[key] = value;
      changed = true;
    }
  }
  auto next = next_revision_annotations(annotations.value(k_revision_annotation, ""),
                                        annotations.value(k_revision_history_annotation, ""), revision);
  if (next.changed) {
    annotations[k_revision_annotation] = next.revision;
    if (!next.history.empty()) annotations[k_revision_history_annotation] = next.history;
    changed = true;
  }
  if (!exists) {
    annotations[k_desired_replicas_annotation] = std::to_string(limits.replicas);
    annotations[k_max_replicas_annotation] = std::to_string(limits.replicas + limits.max_surge);
    changed = true;
  }
  return changed;
}

std::string quoted(const std::string& name) {
  return "\"" + name + "\"";
}

}  // namespace

sluice::util::Status DeploymentController::find_new_replica_set(Rollout& r, bool create) {
  r.new_rs.reset();
  const Json wanted = template_without_hash(r.d["spec"]["template"]);
  for (std::size_t i = 0; i < r.rss.size(); ++i) {
    if (has_at(r.rss[i], "/spec/template") && template_without_hash(r.rss[i]["spec"]["template"]) == wanted) {
      r.new_rs = i;
      break;
    }
  }
  std::vector<long long> old_revisions;
  for (std::size_t i : r.old()) old_revisions.push_back(rs_revision(r.rss[i]));
  long long revision = max_revision(old_revisions) + 1;
  if (!r.new_rs) return create ? create_new_replica_set(r, revision) : sluice::util::Status{};

  Json& rs = r.rss[*r.new_rs];
  Json copy = rs;
  bool annotations_changed = set_new_rs_annotations(r.d, copy, revision, true, r.limits);
  long long min_ready = int_at(r.d, "/spec/minReadySeconds", 0);
  if (annotations_changed || int_at(copy, "/spec/minReadySeconds", 0) != min_ready) {
    copy["spec"]["minReadySeconds"] = min_ready;
    if (min_ready == 0) copy["spec"].erase("minReadySeconds");  // int32 omitempty, as the real RS shows
    auto written = ctx_.update(k_replicasets, std::move(copy));
    if (!written) return written.error();
    rs = std::move(*written);
    return {};  // as the real controller: the Deployment's own annotation follows on the next sync
  }
  if (auto ok = write_deployment_revision(r, std::to_string(rs_revision(rs))); !ok) return ok;
  Json status = r.d.value("status", Json::object());
  if (has_progress_deadline(r.d) && find_condition(status, "Progressing") == nullptr) {
    std::string now = ctx_.now_text();
    set_condition(status, make_condition("Progressing", "True", "FoundNewReplicaSet",
                                         "Found new replica set " + quoted(name_of(rs)), now));
    mark_progress(r, now);
    return write_status(r, std::move(status));
  }
  return {};
}

sluice::util::Status DeploymentController::create_new_replica_set(Rollout& r, long long revision) {
  Json& d = r.d;
  std::optional<int> collisions;
  if (has_at(d, "/status/collisionCount"))
    collisions = static_cast<int>(int_at(d, "/status/collisionCount", 0));
  Json pod_template = d["spec"]["template"];
  std::string hash = pod_template_hash(pod_template, collisions);
  pod_template["metadata"]["labels"][k_pod_template_hash_label] = hash;
  Json selector = d["spec"].value("selector", Json::object());
  selector["matchLabels"][k_pod_template_hash_label] = hash;
  Json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata",
              {{"name", name_of(d) + "-" + hash},
               {"namespace", namespace_of(d)},
               {"labels", pod_template["metadata"]["labels"]},
               {"ownerReferences", Json::array({make_controller_ref(d, "apps/v1", "Deployment")})}}},
             {"spec", {{"replicas", 0}, {"selector", selector}, {"template", pod_template}}}};
  if (const long long min_ready = int_at(d, "/spec/minReadySeconds", 0); min_ready != 0)
    rs["spec"]["minReadySeconds"] = min_ready;
  int all = 0;
  for (const Json& old : r.rss) all += rs_replicas(old);
  rs["spec"]["replicas"] = new_rs_new_replicas(r.limits, all, 0);
  set_new_rs_annotations(d, rs, revision, false, r.limits);

  bool already_existed = false;
  auto created = ctx_.create(k_replicasets, rs);
  if (!created && created.error().kind == sluice::util::ErrorKind::already_exists) {
    auto existing = ctx_.store.get(k_replicasets, namespace_of(d), name_of(rs));
    const Json* ref = existing ? controller_ref(*existing) : nullptr;
    if (ref == nullptr || string_at(*ref, "/uid") != uid_of(d) ||
        !templates_equal_ignoring_hash((*existing)["spec"]["template"], d["spec"]["template"])) {
      // A hash collision: bump collisionCount so the next sync computes another name.
      Json status = d.value("status", Json::object());
      status["collisionCount"] = collisions.value_or(0) + 1;
      if (auto ok = write_status(r, std::move(status)); !ok) return ok;
      return sluice::util::make_error(sluice::util::ErrorKind::conflict,
                                      "replica set name " + name_of(rs) + " collides");
    }
    created = std::move(*existing);
    already_existed = true;
  }
  if (!created) return created.error();
  const int replicas = rs_replicas(*created);
  if (!already_existed && replicas > 0) {
    ctx_.events.record(
        d, k_deployment_controller,
        {"Normal", "ScalingReplicaSet",
         "Scaled up replica set " + name_of(*created) + " from 0 to " + std::to_string(replicas)});
  }
  r.rss.push_back(std::move(*created));
  r.new_rs = r.rss.size() - 1;
  if (auto ok = write_deployment_revision(r, std::to_string(revision)); !ok) return ok;
  if (already_existed || !has_progress_deadline(r.d)) return {};
  Json status = r.d.value("status", Json::object());
  std::string now = ctx_.now_text();
  set_condition(status, make_condition("Progressing", "True", "NewReplicaSetCreated",
                                       "Created new replica set " + quoted(name_of(r.rss.back())), now));
  mark_progress(r, now);
  return write_status(r, std::move(status));
}

sluice::util::Status DeploymentController::write_deployment_revision(Rollout& r,
                                                                     const std::string& revision) {
  Json copy = r.d;
  Json& annotations = annotations_of(copy);
  if (annotations.value(k_revision_annotation, "") == revision) return {};
  annotations[k_revision_annotation] = revision;
  auto written = ctx_.update(k_deployments, std::move(copy));
  if (!written) return written.error();
  r.d = std::move(*written);
  return {};
}

sluice::util::Status DeploymentController::cleanup(Rollout& r) {
  long long limit = int_at(r.d, "/spec/revisionHistoryLimit", 10);
  if (limit == 2147483647) return {};
  std::vector<HistoryEntry> entries;
  for (std::size_t i : r.old()) {
    const Json& rs = r.rss[i];
    entries.push_back(
        HistoryEntry{name_of(rs), rs_revision(rs), static_cast<int>(i), rs_replicas(rs),
                     static_cast<int>(int_at(rs, "/status/replicas", 0)),
                     int_at(rs, "/status/observedGeneration", 0) >= int_at(rs, "/metadata/generation", 0),
                     has_at(rs, "/metadata/deletionTimestamp")});
  }
  for (const std::string& doomed : replica_sets_beyond_history(entries, static_cast<int>(limit))) {
    auto removed = ctx_.remove(k_replicasets, namespace_of(r.d), doomed);
    if (!removed && removed.error().kind != sluice::util::ErrorKind::not_found) return removed.error();
  }
  return {};
}

}  // namespace kubesim
