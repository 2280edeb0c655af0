// What apiextensions-apiserver does when a CustomResourceDefinition changes:
// serve its custom resource (one type per served version), mark it
// NamesAccepted and Established, and when the CRD goes, stop serving the
// resource and delete its objects.
#pragma once

#include <kubesim/store.hpp>

namespace kubesim {

class CrdController {
 public:
  explicit CrdController(Store& store);
  ~CrdController();
  CrdController(const CrdController&) = delete;
  CrdController& operator=(const CrdController&) = delete;

 private:
  void on_event(const WatchEvent& event);
  void establish(const Json& crd);
  void retire(const Json& crd);

  Store& store_;
  int listener_ = -1;
};

// The types a CRD's spec asks to serve, one per served version.
std::vector<ResourceType> custom_resource_types(const Json& crd);

}  // namespace kubesim
