// The simulated control plane behind kubesim's API: Deployment, ReplicaSet
// and Endpoints controllers, garbage collection and a kubelet, all reacting to
// Store changes and writing back through the Store as the real ones do.
#pragma once

#include <sluice/kubesim/sim_config.hpp>
#include <sluice/kubesim/store.hpp>

#include <memory>

namespace sluice::kubesim {

class Controllers {
 public:
  Controllers(Store& store, SimConfig& config);
  ~Controllers();
  Controllers(const Controllers&) = delete;
  Controllers& operator=(const Controllers&) = delete;

  void start();  // starts the controller thread(s)
  void stop();   // stops and joins; idempotent

  // Flip readiness of a running pod (control API); not_found when absent.
  util::Status set_pod_ready(const std::string& ns, const std::string& name, bool ready);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::kubesim
