// Reading and writing a drill's record (a ConfigMap `sluice-drill-<name>`,
// data key `record`) in the cluster and namespace the drill's `record` names.
#pragma once

#include <sluice/drill/clusters.hpp>
#include <sluice/drill/record.hpp>

#include <optional>
#include <string>

namespace sluice::drill {

class RecordStore {
 public:
  RecordStore(kube::Client& kube, std::string ns, const std::string& drill)
      : kube_(kube), ns_(std::move(ns)), name_(record_name(drill)) {}

  // nullopt when there is no record yet.
  util::Result<std::optional<DrillRecord>> load();
  // Creates or replaces the record (the last version this store read or wrote).
  util::Status save(const DrillRecord& record);

 private:
  kube::Client& kube_;
  std::string ns_;
  std::string name_;
  std::string resource_version_;
};

}  // namespace sluice::drill
