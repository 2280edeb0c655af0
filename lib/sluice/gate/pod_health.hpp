// The always-on pod-health check: the new version's pods judged by the
// failure signals kube/readiness.hpp reads (CrashLoopBackOff, image pull
// errors, repeated restarts), as a Measurement and as a Provider.
#pragma once

#include <sluice/gate/provider.hpp>
#include <sluice/util/result.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace sluice::gate {

inline constexpr int k_pod_restart_threshold = 3;

// Failed when any pod shows a failure signal (value: how many do; message:
// the first signal and the count); Successful otherwise, also with no pods yet.
Measurement judge_pods(const std::vector<nlohmann::json>& pods, util::WallTime at,
                       int restart_threshold = k_pod_restart_threshold);

// Lists the new version's pods; an error (API unreachable) becomes an Error measurement.
using PodLister = std::function<util::Result<std::vector<nlohmann::json>>(const CheckContext&)>;

std::unique_ptr<Provider> make_pod_health_provider(PodLister list_pods, util::Clock& clock,
                                                   int restart_threshold = k_pod_restart_threshold);

}  // namespace sluice::gate
