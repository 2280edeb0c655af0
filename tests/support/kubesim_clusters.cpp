#include "support/kubesim_clusters.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <stdexcept>

namespace sluice::test {

std::string merged_kubeconfig(const std::vector<std::pair<std::string, std::string>>& context_to_kubeconfig) {
  YAML::Node merged;
  merged["apiVersion"] = "v1";
  merged["kind"] = "Config";
  for (const auto& [name, text] : context_to_kubeconfig) {
    const YAML::Node one = YAML::Load(text);
    YAML::Node cluster, user, context;
    cluster["name"] = name;
    cluster["cluster"] = one["clusters"][0]["cluster"];
    user["name"] = name;
    user["user"] = one["users"][0]["user"];
    context["name"] = name;
    context["context"]["cluster"] = name;
    context["context"]["user"] = name;
    context["context"]["namespace"] = "default";
    merged["clusters"].push_back(cluster);
    merged["users"].push_back(user);
    merged["contexts"].push_back(context);
  }
  if (!context_to_kubeconfig.empty()) merged["current-context"] = context_to_kubeconfig.front().first;
  YAML::Emitter out;
  out << merged;
  return std::string(out.c_str()) + "\n";
}

KubesimClusters::KubesimClusters(std::vector<std::string> contexts, const KubesimOptions& options)
    : contexts_(std::move(contexts)), kubeconfig_(dir_.file("kubeconfig")) {
  std::vector<std::pair<std::string, std::string>> configs;
  for (const auto& name : contexts_) {
    if (clusters_.count(name)) throw std::invalid_argument("KubesimClusters: context named twice: " + name);
    auto sim = std::make_unique<Kubesim>(options);
    std::ifstream in(sim->kubeconfig_path());
    configs.emplace_back(name, std::string(std::istreambuf_iterator<char>(in), {}));
    clusters_.emplace(name, std::move(sim));
  }
  std::ofstream(kubeconfig_) << merged_kubeconfig(configs);
}

Kubesim& KubesimClusters::operator[](const std::string& context) {
  auto it = clusters_.find(context);
  if (it == clusters_.end()) throw std::out_of_range("KubesimClusters: no context " + context);
  return *it->second;
}

}  // namespace sluice::test
