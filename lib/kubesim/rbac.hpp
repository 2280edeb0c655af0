// kubesim's authorizer: RBAC over the Roles, ClusterRoles and their bindings
// in the Store, as kube-apiserver's plugin/pkg/auth/authorizer/rbac decides,
// plus the request attributes it judges (apiserver endpoints/request
// RequestInfoFactory) and the 403 it answers with.
#pragma once

#include <kubesim/api_status.hpp>
#include <kubesim/identity.hpp>
#include <kubesim/store.hpp>

#include <string>

namespace kubesim {

struct RequestAttributes {
  bool resource_request = false;
  std::string verb;  // get, list, watch, create, ...; a non-resource request: the method in lower case
  std::string api_group;
  std::string api_version;
  std::string resource;
  std::string subresource;
  std::string ns;
  std::string name;
  std::string path;
};

// What RequestInfoFactory makes of a request; `watch` is the ?watch= value
// and `field_selector` is read for `metadata.name=` on a list or watch.
RequestAttributes request_attributes(const std::string& method, const std::string& path, bool watch,
                                     const std::string& field_selector);

struct Decision {
  bool allowed = false;
  std::string reason;  // "RBAC: allowed by ..." or why bindings could not be resolved
};

// system:masters is always allowed; everyone else as RBAC grants.
Decision authorize(const Store& store, const UserInfo& user, const RequestAttributes& attributes);

// The rules RBAC grants `user` in `ns` (cluster-wide bindings included), as a
// SelfSubjectRulesReview status: resourceRules, nonResourceRules, incomplete.
Json rules_review_status(const Store& store, const UserInfo& user, const std::string& ns);

// The 403 Status the apiserver sends for a denied request (endpoints/handlers/responsewriters).
ApiError forbidden(const std::string& user, const RequestAttributes& attributes,
                   const std::string& reason = "");

// Creates the bootstrap ClusterRoles and ClusterRoleBindings of a real cluster
// that kubesim's users rely on (bootstrappolicy/policy.go, controller_policy.go).
void create_bootstrap_rbac(Store& store);

}  // namespace kubesim
