#include "support/kubesim_clusters.hpp"

#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

using sluice::test::merged_kubeconfig;

TEST_CASE("a merged kubeconfig names each cluster, user and context by its context", "[support]") {
  const std::string one =
      "apiVersion: v1\nkind: Config\nclusters:\n- name: kubesim\n  cluster:\n    server: http://127.0.0.1:1\n"
      "users:\n- name: kubesim\n  user:\n    token: t1\ncontexts:\n- name: kubesim\n  context:\n"
      "    cluster: kubesim\n    user: kubesim\ncurrent-context: kubesim\n";
  const std::string two =
      "apiVersion: v1\nkind: Config\nclusters:\n- name: kubesim\n  cluster:\n    server: http://127.0.0.1:2\n"
      "users:\n- name: kubesim\n  user: {}\ncontexts:\n- name: kubesim\n  context:\n"
      "    cluster: kubesim\n    user: kubesim\ncurrent-context: kubesim\n";

  const YAML::Node merged = YAML::Load(merged_kubeconfig({{"east", one}, {"west", two}}));

  CHECK(merged["current-context"].as<std::string>() == "east");
  REQUIRE(merged["contexts"].size() == 2);
  CHECK(merged["contexts"][1]["name"].as<std::string>() == "west");
  CHECK(merged["contexts"][1]["context"]["cluster"].as<std::string>() == "west");
  CHECK(merged["clusters"][0]["cluster"]["server"].as<std::string>() == "http://127.0.0.1:1");
  CHECK(merged["clusters"][1]["cluster"]["server"].as<std::string>() == "http://127.0.0.1:2");
  CHECK(merged["users"][0]["user"]["token"].as<std::string>() == "t1");
}
