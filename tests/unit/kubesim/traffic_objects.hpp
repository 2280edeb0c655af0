// The objects kubesim's traffic tests route requests over: a pod of the
// `default` namespace with its hash, image and readiness, and a Service.
#pragma once

#include <kubesim/store.hpp>

#include <string>

namespace kubesim::testing {

inline Json pod(const std::string& name, const std::string& hash, const std::string& image, bool ready,
                const std::string& app = "web") {
  return Json{
      {"metadata",
       {{"name", name}, {"namespace", "default"}, {"labels", {{"app", app}, {"pod-template-hash", hash}}}}},
      {"spec", {{"containers", {{{"name", "app"}, {"image", image}}}}}},
      {"status", {{"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
}

inline Json service(const std::string& name, Json selector) {
  return Json{{"metadata", {{"name", name}, {"namespace", "default"}}}, {"spec", {{"selector", selector}}}};
}

}  // namespace kubesim::testing
