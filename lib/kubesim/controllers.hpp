// The simulated control plane behind kubesim's API: Deployment, ReplicaSet,
// Endpoints and HorizontalPodAutoscaler controllers, garbage collection and a kubelet, all reacting to
// Store changes and writing back through the Store as the real ones do.
#pragma once

#include <kubesim/sim_config.hpp>
#include <kubesim/store.hpp>
#include <sluice/util/clock.hpp>

#include <memory>

namespace kubesim {

class Controllers {
 public:
  // Reads and writes go through `store`; delays come from `config` in real
  // milliseconds. The controllers see the store's objects once started.
  Controllers(Store& store, SimConfig& config,
              const sluice::util::Clock& clock = sluice::util::system_clock());
  ~Controllers();
  Controllers(const Controllers&) = delete;
  Controllers& operator=(const Controllers&) = delete;

  void start();  // subscribes to the store and starts the worker threads; once
  void stop();   // stops and joins; idempotent

  // Work queued or waiting on a timer (for tests and the control API's status).
  std::size_t pending_work() const;

  // Flip readiness of a running pod (control API); not_found when absent.
  sluice::util::Status set_pod_ready(const std::string& ns, const std::string& name, bool ready);

  // What the simulated metrics ask an HPA for (control API); not_found when absent.
  sluice::util::Status set_hpa_recommendation(const std::string& ns, const std::string& name,
                                              long long replicas);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubesim
