// `sluice failover` and `sluice failback` as library functions. Failover
// records what runs before changing anything, raises the survivors' capacity
// (an HPA's minReplicas when one owns the replicas), waits until they are
// ready and the recovery gates are green, then moves traffic away from the
// failed region. Failback returns traffic once that region is ready again,
// then the recorded capacity. Both resume from the recorded step.
#pragma once

#include <sluice/drill/clusters.hpp>
#include <sluice/plan/drill_model.hpp>

#include <functional>
#include <string>

namespace sluice::drill {

// Called as each step finishes (the drill's timeline): step name.
using StepObserver = std::function<void(const std::string& step)>;

// `from`: the region to fail over from (the drill's failover.from when empty).
DrillOutcome run_failover(const plan::Drill& drill, const std::string& from, DrillDeps& deps,
                          const StepObserver& on_step = {});
DrillOutcome run_failback(const plan::Drill& drill, DrillDeps& deps, const StepObserver& on_step = {});

}  // namespace sluice::drill
