// The objects a real cluster's control plane keeps on its own: a Ready Node
// for the simulated kubelet, the `kubernetes` Service in `default`, and in
// every namespace the `default` ServiceAccount (serviceaccounts controller)
// and the `kube-root-ca.crt` ConfigMap (root-ca-cert-publisher).
#pragma once

#include <kubesim/store.hpp>

namespace kubesim {

// Creates what is missing; existing objects are left alone.
void ensure_cluster_objects(Store& store);
void ensure_namespace_objects(Store& store, const std::string& ns);

}  // namespace kubesim
