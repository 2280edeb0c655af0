#include <kubesim/hpa_controller.hpp>

#include <kubesim/kube_object.hpp>

#include <algorithm>

namespace kubesim {

HpaDecision decide_hpa(long long recommendation, long long current, long long min_replicas,
                       long long max_replicas) {
  HpaDecision decision;
  if (current == 0 && min_replicas != 0) {
    // As the real controller: a target scaled to zero by hand is left alone.
    decision.disabled = true;
    return decision;
  }
  decision.desired = std::clamp(recommendation, min_replicas, std::max(min_replicas, max_replicas));
  if (recommendation < min_replicas) {
    decision.limited = "TooFewReplicas";
  } else if (recommendation > max_replicas) {
    decision.limited = "TooManyReplicas";
  } else {
    decision.limited = "DesiredWithinRange";
  }
  decision.scale = decision.desired != current;
  return decision;
}

namespace {

Json make_condition(const char* type, const char* status, const std::string& reason,
                    const std::string& message) {
  return Json{{"type", type}, {"status", status}, {"reason", reason}, {"message", message}};
}

std::string limited_message(const std::string& reason) {
  if (reason == "TooFewReplicas") return "the desired replica count is less than the minimum replica count";
  if (reason == "TooManyReplicas") return "the desired replica count is more than the maximum replica count";
  return "the desired count is within the acceptable range";
}

Json conditions_for(const HpaDecision& decision, bool scaled) {
  Json conditions = Json::array();
  if (decision.disabled) {
    conditions.push_back(make_condition("AbleToScale", "True", "SucceededGetScale",
                                        "the HPA controller was able to get the target's current scale"));
    conditions.push_back(make_condition("ScalingActive", "False", "ScalingDisabled",
                                        "scaling is disabled since the replica count of the target is zero"));
    return conditions;
  }
  conditions.push_back(scaled ? make_condition("AbleToScale", "True", "SucceededRescale",
                                               "the HPA controller was able to update the target scale to " +
                                                   std::to_string(decision.desired))
                              : make_condition("AbleToScale", "True", "ReadyForNewScale",
                                               "recommended size matches current size"));
  conditions.push_back(make_condition("ScalingActive", "True", "ValidMetricFound",
                                      "the HPA was able to successfully calculate a replica count from cpu "
                                      "resource utilization (percentage of request)"));
  const bool within = decision.limited == "DesiredWithinRange";
  conditions.push_back(make_condition("ScalingLimited", within ? "False" : "True", decision.limited,
                                      limited_message(decision.limited)));
  return conditions;
}

// Keeps a condition's lastTransitionTime while its status stays the same.
void stamp_conditions(Json& conditions, const Json& previous, const std::string& now) {
  const Json old = previous.value("conditions", Json::array());
  for (Json& condition : conditions) {
    condition["lastTransitionTime"] = now;
    for (const Json& before : old) {
      if (before.value("type", "") == condition["type"] &&
          before.value("status", "") == condition["status"]) {
        condition["lastTransitionTime"] = before.value("lastTransitionTime", now);
      }
    }
  }
}

}  // namespace

Json hpa_status(const Json& hpa, const Json& previous, const HpaDecision& decision, long long target_replicas,
                bool scaled, const std::string& now) {
  Json status = {{"observedGeneration", int_at(hpa, "/metadata/generation", 1)},
                 {"currentReplicas", target_replicas},
                 {"desiredReplicas", decision.desired},
                 {"currentMetrics", Json::array()}};
  if (scaled) {
    status["lastScaleTime"] = now;
  } else if (previous.contains("lastScaleTime")) {
    status["lastScaleTime"] = previous["lastScaleTime"];
  }
  Json conditions = conditions_for(decision, scaled);
  stamp_conditions(conditions, previous, now);
  status["conditions"] = std::move(conditions);
  return status;
}

long long HpaController::recommendation_for(const std::string& uid, long long current) {
  std::lock_guard lock(mutex_);
  // Until told otherwise the load asks for what the target has when the HPA first sees it.
  return recommendations_.try_emplace(uid, current).first->second;
}

void HpaController::forget(const std::string& uid) {
  std::lock_guard lock(mutex_);
  recommendations_.erase(uid);
}

sluice::util::Status HpaController::set_recommendation(const std::string& ns, const std::string& name,
                                                       long long replicas) {
  auto hpa = ctx_.store.get(k_hpas, ns, name);
  if (!hpa) return hpa.error();
  {
    std::lock_guard lock(mutex_);
    recommendations_[uid_of(*hpa)] = replicas;
  }
  ctx_.enqueue(k_work_hpa, ns, name, ctx_.reaction());
  return {};
}

void HpaController::enqueue_for_deployment(const std::string& ns, const std::string& deployment) {
  for (const Json& hpa : ctx_.store.list(k_hpas, ns).first) {
    if (string_at(hpa, "/spec/scaleTargetRef/kind") == "Deployment" &&
        string_at(hpa, "/spec/scaleTargetRef/name") == deployment) {
      ctx_.enqueue(k_work_hpa, ns, name_of(hpa), ctx_.reaction());
    }
  }
}

sluice::util::Status HpaController::sync(const std::string& ns, const std::string& name) {
  auto hpa = ctx_.store.get(k_hpas, ns, name);
  if (!hpa)
    return hpa.error().kind == sluice::util::ErrorKind::not_found ? sluice::util::Status{} : hpa.error();
  if (string_at(*hpa, "/spec/scaleTargetRef/kind") != "Deployment") return {};  // not simulated
  const std::string target = string_at(*hpa, "/spec/scaleTargetRef/name");
  auto deployment = ctx_.store.get(k_deployments, ns, target);
  if (!deployment)
    return deployment.error().kind == sluice::util::ErrorKind::not_found ? sluice::util::Status{}
                                                                         : deployment.error();
  const long long current = int_at(*deployment, "/spec/replicas", 1);
  const HpaDecision decision =
      decide_hpa(recommendation_for(uid_of(*hpa), current), current, int_at(*hpa, "/spec/minReplicas", 1),
                 int_at(*hpa, "/spec/maxReplicas", 1));
  long long target_replicas = int_at(*deployment, "/status/replicas", 0);
  if (decision.scale) {
    auto scaled = update_with_retry(
        ctx_, k_deployments, ns, target,
        [&](Json& d) {
          if (int_at(d, "/spec/replicas", 1) == decision.desired) return false;
          d["spec"]["replicas"] = decision.desired;
          return true;
        },
        false);
    if (!scaled) return scaled.error();
  }
  return write_status(*hpa, decision, target_replicas, decision.scale);
}

sluice::util::Status HpaController::write_status(const Json& hpa, const HpaDecision& decision,
                                                 long long target_replicas, bool scaled) {
  const std::string now = ctx_.now_text();
  auto written = update_with_retry(
      ctx_, k_hpas, namespace_of(hpa), name_of(hpa),
      [&](Json& fresh) {
        const Json previous = fresh.value("status", Json::object());
        Json status = hpa_status(fresh, previous, decision, target_replicas, scaled, now);
        if (status == previous) return false;
        fresh["status"] = std::move(status);
        return true;
      },
      true);
  if (!written && written.error().kind != sluice::util::ErrorKind::not_found) return written.error();
  return {};
}

}  // namespace kubesim
