// Test support: several kubesims as several clusters, with one merged
// kubeconfig that names each by its context (releases and drills span
// clusters). Each cluster is a plain `Kubesim`; `kubeconfig_path()` is the
// merged file, `current-context` the first name.
//
//   sluice::test::KubesimClusters clusters({"east", "west", "north"});
//   clusters["west"].create_namespace("shop");
//   run(sluice, {"--kubeconfig", clusters.kubeconfig_path(), "--context", "west", ...});
#pragma once

#include "support/kubesim_fixture.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sluice::test {

class KubesimClusters {
 public:
  explicit KubesimClusters(std::vector<std::string> contexts, const KubesimOptions& options = {});

  Kubesim& operator[](const std::string& context);
  const std::vector<std::string>& contexts() const { return contexts_; }
  const std::string& kubeconfig_path() const { return kubeconfig_; }

 private:
  std::vector<std::string> contexts_;
  std::map<std::string, std::unique_ptr<Kubesim>> clusters_;
  TempDir dir_;
  std::string kubeconfig_;
};

// The merged kubeconfig text: one cluster, user and context per entry, all
// named by the context name. Pure, for the fixture and its unit test.
std::string merged_kubeconfig(const std::vector<std::pair<std::string, std::string>>& context_to_kubeconfig);

}  // namespace sluice::test
