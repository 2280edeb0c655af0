#include <kubesim/cluster_objects.hpp>
#include <kubesim/kubelet.hpp>

namespace kubesim {

namespace {

Json ready_node() {
  const Json labels = {{"kubernetes.io/hostname", k_node_name},
                       {"kubernetes.io/os", "linux"},
                       {"kubernetes.io/arch", "amd64"},
                       {"node-role.kubernetes.io/control-plane", ""}};
  const Json capacity = {{"cpu", "8"}, {"memory", "32Gi"}, {"pods", "110"}, {"ephemeral-storage", "100Gi"}};
  return {{"metadata", {{"name", k_node_name}, {"labels", labels}}},
          {"spec", {{"podCIDR", "10.244.0.0/24"}}},
          {"status",
           {{"capacity", capacity},
            {"allocatable", capacity},
            {"conditions",
             {{{"type", "Ready"},
               {"status", "True"},
               {"reason", "KubeletReady"},
               {"message", "kubelet is posting ready status"}}}},
            {"addresses",
             {{{"type", "InternalIP"}, {"address", "10.0.0.1"}},
              {{"type", "Hostname"}, {"address", k_node_name}}}},
            {"nodeInfo",
             {{"kubeletVersion", "v1.32.0-kubesim"},
              {"containerRuntimeVersion", "containerd://1.7.0"},
              {"operatingSystem", "linux"},
              {"architecture", "amd64"},
              {"osImage", "kubesim"},
              {"kernelVersion", "6.1.0"}}}}}};
}

Json kubernetes_service() {
  return {{"metadata",
           {{"name", "kubernetes"},
            {"namespace", "default"},
            {"labels", {{"component", "apiserver"}, {"provider", "kubernetes"}}}}},
          {"spec",
           {{"type", "ClusterIP"},
            {"clusterIP", "10.96.0.1"},
            {"clusterIPs", {"10.96.0.1"}},
            {"ports", {{{"name", "https"}, {"port", 443}, {"protocol", "TCP"}, {"targetPort", 6443}}}},
            {"sessionAffinity", "None"}}}};
}

// kubesim has no TLS by default; the ConfigMap holds a placeholder the way
// clients expect to find one (in-cluster config reads ca.crt from it).
const char* const k_placeholder_ca =
    "-----BEGIN CERTIFICATE-----\nkubesim does not issue a cluster CA\n-----END CERTIFICATE-----\n";

}  // namespace

void ensure_cluster_objects(Store& store) {
  if (!store.get("nodes", "", k_node_name).ok()) (void)store.create("nodes", ready_node());
  if (!store.get("services", "default", "kubernetes").ok())
    (void)store.create("services", kubernetes_service());
}

void ensure_namespace_objects(Store& store, const std::string& ns) {
  if (!store.get("serviceaccounts", ns, "default").ok())
    (void)store.create("serviceaccounts", {{"metadata", {{"name", "default"}, {"namespace", ns}}}});
  if (!store.get("configmaps", ns, "kube-root-ca.crt").ok()) {
    (void)store.create("configmaps",
                       {{"metadata",
                         {{"name", "kube-root-ca.crt"},
                          {"namespace", ns},
                          {"annotations",
                           {{"kubernetes.io/description",
                             "Contains a CA bundle that can be used to verify the kube-apiserver "
                             "when using internal endpoints such as the internal service IP or "
                             "kubernetes.default.svc. No other usage is guaranteed across "
                             "distributions of Kubernetes clusters."}}}}},
                        {"data", {{"ca.crt", k_placeholder_ca}}}});
  }
}

}  // namespace kubesim
