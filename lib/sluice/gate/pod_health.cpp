#include <sluice/gate/pod_health.hpp>

#include <sluice/kube/readiness.hpp>

#include <fmt/format.h>

namespace sluice::gate {

Measurement judge_pods(const std::vector<nlohmann::json>& pods, util::WallTime at, int restart_threshold) {
  Measurement m;
  m.at = at;
  int failing = 0;
  std::string first;
  for (const auto& pod : pods) {
    auto signal = kube::pod_failure_signal(pod, restart_threshold);
    if (!signal) continue;
    if (failing++ == 0) first = *signal;
  }
  m.value = failing;
  if (failing == 0) {
    m.phase = Phase::successful;
    m.message = pods.empty() ? "no pods yet" : fmt::format("{} pod(s) show no failure signal", pods.size());
    return m;
  }
  m.phase = Phase::failed;
  m.message = fmt::format("{} of {} pod(s) failing: {}", failing, pods.size(), first);
  return m;
}

namespace {

class PodHealthProvider final : public Provider {
 public:
  PodHealthProvider(PodLister list, util::Clock& clock, int threshold)
      : list_(std::move(list)), clock_(&clock), threshold_(threshold) {}

  Measurement measure(const CheckContext& context, const util::CancelToken*) override {
    auto pods = list_(context);
    if (!pods) {
      Measurement m;
      m.phase = Phase::error;
      m.message = "listing pods: " + pods.error().message;
      m.at = clock_->wall_now();
      return m;
    }
    return judge_pods(*pods, clock_->wall_now(), threshold_);
  }

 private:
  PodLister list_;
  util::Clock* clock_;
  int threshold_;
};

}  // namespace

std::unique_ptr<Provider> make_pod_health_provider(PodLister list_pods, util::Clock& clock,
                                                   int restart_threshold) {
  return std::make_unique<PodHealthProvider>(std::move(list_pods), clock, restart_threshold);
}

}  // namespace sluice::gate
