#include <sluice/kube/readiness.hpp>

#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

using nlohmann::json;
using sluice::kube::deployment_rollout_status;
using sluice::kube::pod_failure_signal;

namespace {

// Inline YAML -> JSON, so tables read like the objects kubectl shows.
json yaml_to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    json out = json::object();
    for (const auto& kv : node) out[kv.first.as<std::string>()] = yaml_to_json(kv.second);
    return out;
  }
  if (node.IsSequence()) {
    json out = json::array();
    for (const auto& item : node) out.push_back(yaml_to_json(item));
    return out;
  }
  if (node.IsNull()) return nullptr;
  std::string s = node.as<std::string>();
  if (node.Tag() == "!") return s;  // quoted
  try {
    std::size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (...) {
  }
  if (s == "true" || s == "false") return s == "true";
  return s;
}

json yaml(const std::string& text) {
  return yaml_to_json(YAML::Load(text));
}

}  // namespace

TEST_CASE("deployment rollout status follows kubectl's rules in order", "[kube][readiness]") {
  struct Row {
    const char* yaml;
    bool done;
    bool failed;
    const char* message;
  };
  const Row rows[] = {
      {"metadata: {name: web, generation: 3}\nspec: {replicas: 3}\nstatus: {observedGeneration: 2}", false,
       false, "Waiting for deployment spec update to be observed..."},
      {"metadata: {name: web, generation: 2}\nspec: {replicas: 3}\n"
       "status: {observedGeneration: 2, updatedReplicas: 1,"
       " conditions: [{type: Progressing, status: 'False', reason: ProgressDeadlineExceeded}]}",
       false, true, "deployment \"web\" exceeded its progress deadline"},
      {"metadata: {name: web, generation: 2}\nspec: {replicas: 3}\nstatus: {observedGeneration: 2, "
       "updatedReplicas: 1, "
       "replicas: 4, availableReplicas: 3}",
       false, false,
       "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated..."},
      {"metadata: {name: web, generation: 2}\nspec: {replicas: 3}\nstatus: {observedGeneration: 2, "
       "updatedReplicas: 3, "
       "replicas: 5, availableReplicas: 3}",
       false, false,
       "Waiting for deployment \"web\" rollout to finish: 2 old replicas are pending termination..."},
      {"metadata: {name: web, generation: 2}\nspec: {replicas: 3}\nstatus: {observedGeneration: 2, "
       "updatedReplicas: 3, "
       "replicas: 3, availableReplicas: 2}",
       false, false,
       "Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available..."},
      {"metadata: {name: web, generation: 2}\nspec: {replicas: 3}\nstatus: {observedGeneration: 2, "
       "updatedReplicas: 3, "
       "replicas: 3, availableReplicas: 3, conditions: [{type: Progressing, status: 'True', reason: "
       "NewReplicaSetAvailable}]}",
       true, false, "deployment \"web\" successfully rolled out"},
      {"metadata: {name: one, generation: 1}\nspec: {}\nstatus: {observedGeneration: 1, updatedReplicas: 1, "
       "replicas: 1, availableReplicas: 1}",
       true, false, "deployment \"one\" successfully rolled out"},
      // A deadline condition from before the latest spec change is stale: kubectl waits.
      {"metadata: {name: web, generation: 4}\nspec: {replicas: 3}\nstatus: {observedGeneration: 3, "
       "conditions: [{type: Progressing, status: 'False', reason: ProgressDeadlineExceeded}]}",
       false, false, "Waiting for deployment spec update to be observed..."},
  };
  for (const auto& row : rows) {
    INFO(row.yaml);
    auto status = deployment_rollout_status(yaml(row.yaml));
    CHECK(status.done == row.done);
    CHECK(status.failed == row.failed);
    CHECK(status.message == row.message);
  }
}

TEST_CASE("pod failure signals catch broken versions early", "[kube][readiness]") {
  struct Row {
    const char* yaml;
    const char* signal;  // nullptr: none
  };
  const Row rows[] = {
      {"metadata: {name: web-1}\nstatus: {containerStatuses: [{name: app, restartCount: 2, state: {waiting: "
       "{reason: "
       "CrashLoopBackOff, message: back-off 10s restarting failed container}}}]}",
       "pod web-1 container app: CrashLoopBackOff: back-off 10s restarting failed container"},
      {"metadata: {name: web-2}\nstatus: {containerStatuses: [{name: app, state: {waiting: {reason: "
       "ErrImagePull}}}]}",
       "pod web-2 container app: ErrImagePull"},
      {"metadata: {name: web-3}\nstatus: {containerStatuses: [{name: app, state: {waiting: {reason: "
       "ImagePullBackOff, message: 'Back-off pulling image \"x:1\"'}}}]}",
       "pod web-3 container app: ImagePullBackOff: Back-off pulling image \"x:1\""},
      {"metadata: {name: web-4}\nstatus: {initContainerStatuses: [{name: init, state: {waiting: {reason: "
       "InvalidImageName}}}]}",
       "pod web-4 container init: InvalidImageName"},
      {"metadata: {name: web-5}\nstatus: {containerStatuses: [{name: app, restartCount: 4, state: {running: "
       "{}}}]}",
       "pod web-5 container app: restarted 4 times"},
      {"metadata: {name: web-6}\nstatus: {containerStatuses: [{name: app, restartCount: 3, state: {running: "
       "{}}}]}",
       nullptr},
      {"metadata: {name: web-7}\nstatus: {containerStatuses: [{name: app, state: {waiting: {reason: "
       "ContainerCreating}}}]}",
       nullptr},
      {"metadata: {name: web-8}\nstatus: {phase: Pending}", nullptr},
  };
  for (const auto& row : rows) {
    INFO(row.yaml);
    auto signal = pod_failure_signal(yaml(row.yaml));
    if (row.signal == nullptr) {
      CHECK_FALSE(signal.has_value());
    } else {
      REQUIRE(signal.has_value());
      CHECK(*signal == row.signal);
    }
  }
}

TEST_CASE("the restart threshold is configurable", "[kube][readiness]") {
  auto pod = yaml("metadata: {name: p}\nstatus: {containerStatuses: [{name: app, restartCount: 1}]}");
  CHECK_FALSE(pod_failure_signal(pod).has_value());
  CHECK(pod_failure_signal(pod, 0) == std::optional<std::string>("pod p container app: restarted 1 times"));
}

TEST_CASE("pod_ready reads the Ready condition", "[kube][readiness]") {
  CHECK(sluice::kube::pod_ready(yaml("status: {conditions: [{type: Ready, status: 'True'}]}")));
  CHECK_FALSE(sluice::kube::pod_ready(yaml("status: {conditions: [{type: Ready, status: 'False'}]}")));
  CHECK_FALSE(sluice::kube::pod_ready(yaml("status: {}")));
}
