// Parsing only the fields a reader needs: a watch event's object is parsed
// keeping the listed paths and dropping the rest (managedFields, most of a
// pod's spec) as the parser goes, so a large stream costs no tree for them.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::kube {

class FieldMask {
 public:
  // `paths` are dotted ("metadata.labels", "spec.containers.image"): a path
  // keeps everything below it; arrays are passed through (a path names the
  // fields of the array's elements). `name` tells masks apart (stream keys).
  FieldMask(std::string name, const std::vector<std::string>& paths);
  const std::string& name() const { return name_; }

  // One watch event line ({"type": ..., "object": {...}}) with the object
  // masked; the rest of the event whole. A line that is not JSON: discarded.
  nlohmann::json parse_event(std::string_view line) const;

  struct Node {
    bool all = false;  // keep everything below
    std::map<std::string, Node, std::less<>> children;
  };

 private:
  std::string name_;
  Node event_;  // {"type": all, "object": the mask}; other keys of the event dropped
};

// What sluice reads of a rollout's pods (engine/wait.cpp, kube/readiness.cpp)
// and what a watch needs of any object (name, namespace, resourceVersion,
// a bookmark's annotations), plus a Status's fields for ERROR events.
std::shared_ptr<const FieldMask> rollout_pod_fields();

}  // namespace sluice::kube
