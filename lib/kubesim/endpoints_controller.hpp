// The simulated Endpoints controller: every Service with a selector gets an
// Endpoints object of the same name listing its pods, ready ones under
// addresses and the rest under notReadyAddresses, with the Service's ports
// resolved against each pod (named targetPorts included).
#pragma once

#include <kubesim/controller_context.hpp>

#include <string>
#include <vector>

namespace kubesim {

class EndpointsController {
 public:
  explicit EndpointsController(ControllerContext& ctx) : ctx_(ctx) {}
  sluice::util::Status sync(const std::string& ns, const std::string& name);

 private:
  ControllerContext& ctx_;
};

// The subsets for a Service over the given pods (pure: what sync writes).
Json endpoint_subsets(const Json& service, const std::vector<ObjectPtr>& pods);

}  // namespace kubesim
