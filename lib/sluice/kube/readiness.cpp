#include <sluice/kube/readiness.hpp>

#include <fmt/format.h>

#include <array>

namespace sluice::kube {

using Json = nlohmann::json;

namespace {

long long int_at(const Json& j, const Json::json_pointer& ptr, long long fallback = 0) {
  if (!j.contains(ptr)) return fallback;
  const Json& v = j.at(ptr);
  return v.is_number_integer() ? v.get<long long>() : fallback;
}

std::string str_at(const Json& j, const Json::json_pointer& ptr) {
  if (!j.contains(ptr)) return "";
  const Json& v = j.at(ptr);
  return v.is_string() ? v.get<std::string>() : "";
}

const Json* find_condition(const Json& object, const std::string& type) {
  static const Json::json_pointer ptr("/status/conditions");
  if (!object.contains(ptr) || !object.at(ptr).is_array()) return nullptr;
  for (const auto& c : object.at(ptr)) {
    if (c.is_object() && c.value("type", "") == type) return &c;
  }
  return nullptr;
}

RolloutStatus waiting(const std::string& name, const std::string& what) {
  return {false, false, fmt::format("Waiting for deployment \"{}\" rollout to finish: {}", name, what)};
}

}  // namespace

RolloutStatus deployment_rollout_status(const Json& d) {
  std::string name = str_at(d, Json::json_pointer("/metadata/name"));
  long long generation = int_at(d, Json::json_pointer("/metadata/generation"));
  long long observed = int_at(d, Json::json_pointer("/status/observedGeneration"));
  if (generation > observed) return {false, false, "Waiting for deployment spec update to be observed..."};
  const Json* progressing = find_condition(d, "Progressing");
  if (progressing != nullptr && progressing->value("reason", "") == "ProgressDeadlineExceeded") {
    return {false, true, fmt::format("deployment \"{}\" exceeded its progress deadline", name)};
  }
  long long want = int_at(d, Json::json_pointer("/spec/replicas"), 1);
  long long updated = int_at(d, Json::json_pointer("/status/updatedReplicas"));
  long long replicas = int_at(d, Json::json_pointer("/status/replicas"));
  long long available = int_at(d, Json::json_pointer("/status/availableReplicas"));
  if (updated < want) {
    return waiting(name, fmt::format("{} out of {} new replicas have been updated...", updated, want));
  }
  if (replicas > updated) {
    return waiting(name, fmt::format("{} old replicas are pending termination...", replicas - updated));
  }
  if (available < updated) {
    return waiting(name, fmt::format("{} of {} updated replicas are available...", available, updated));
  }
  return {true, false, fmt::format("deployment \"{}\" successfully rolled out", name)};
}

namespace {

constexpr std::array<const char*, 5> k_broken_reasons = {
    "CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError"};

// Judged for every pod event of a rollout, thousands at 500 replicas: the
// paths are parsed once and the names read only for a signal.
std::optional<std::string> container_signal(const Json& pod, const Json& status, int restart_threshold) {
  static const Json::json_pointer reason_at("/state/waiting/reason");
  static const Json::json_pointer message_at("/state/waiting/message");
  static const Json::json_pointer restarts_at("/restartCount");
  static const Json::json_pointer name_at("/metadata/name");
  auto where = [&] {
    return fmt::format("pod {} container {}", str_at(pod, name_at), status.value("name", ""));
  };
  std::string reason = str_at(status, reason_at);
  for (const char* broken : k_broken_reasons) {
    if (reason != broken) continue;
    std::string message = str_at(status, message_at);
    std::string text = fmt::format("{}: {}", where(), reason);
    if (!message.empty()) text += ": " + message;
    return text;
  }
  long long restarts = int_at(status, restarts_at);
  if (restarts > restart_threshold) return fmt::format("{}: restarted {} times", where(), restarts);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> pod_failure_signal(const Json& pod, int restart_threshold) {
  static const std::array<Json::json_pointer, 2> lists = {Json::json_pointer("/status/initContainerStatuses"),
                                                          Json::json_pointer("/status/containerStatuses")};
  for (const auto& ptr : lists) {
    if (!pod.contains(ptr) || !pod.at(ptr).is_array()) continue;
    for (const auto& status : pod.at(ptr)) {
      if (!status.is_object()) continue;
      if (auto signal = container_signal(pod, status, restart_threshold)) return signal;
    }
  }
  return std::nullopt;
}

bool pod_ready(const Json& pod) {
  const Json* ready = find_condition(pod, "Ready");
  return ready != nullptr && ready->value("status", "") == "True";
}

}  // namespace sluice::kube
