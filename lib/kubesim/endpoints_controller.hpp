// The simulated Endpoints controller: every Service with a selector gets an
// Endpoints object of the same name listing its pods, ready ones under
// addresses and the rest under notReadyAddresses, with the Service's ports
// resolved against each pod (named targetPorts included); and, as the
// EndpointSlice controller, discovery.k8s.io/v1 EndpointSlices for it.
#pragma once

#include <kubesim/controller_context.hpp>

#include <optional>
#include <string>
#include <vector>

namespace kubesim {

class EndpointsController {
 public:
  explicit EndpointsController(ControllerContext& ctx) : ctx_(ctx) {}
  sluice::util::Status sync(const std::string& ns, const std::string& name);

 private:
  sluice::util::Status sync_endpoints(const ObjectPtr& service, const std::string& ns,
                                      const std::string& name);
  sluice::util::Status sync_slices(const Json& service,
                                   const std::vector<ObjectPtr>& pods);  // endpoint_slices.cpp

  ControllerContext& ctx_;
};

inline constexpr const char* k_endpoint_slices = "endpointslices.discovery.k8s.io";

// The port a Service port reaches on this pod; nullopt when a named targetPort is not declared by the pod.
std::optional<long long> target_port(const Json& service_port, const Json& pod);

// The EndpointSlices' content for a Service over the given pods (pure): one
// slice body (addressType, endpoints, ports) per distinct set of resolved
// ports, or one empty placeholder, as the EndpointSlice reconciler keeps.
std::vector<Json> endpoint_slice_bodies(const Json& service, const std::vector<ObjectPtr>& pods);

// The subsets for a Service over the given pods (pure: what sync writes).
Json endpoint_subsets(const Json& service, const std::vector<ObjectPtr>& pods);

}  // namespace kubesim
