#include <sluice/telemetry/api_counts.hpp>

namespace sluice::telemetry {

void ApiCounts::count(const std::string& verb, const std::string& code, bool retried) {
  std::lock_guard lock(mutex_);
  ++requests_[{verb, code}];
  if (retried) ++retries_[{verb, code}];
}

ApiCallCounts ApiCounts::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

ApiCallCounts ApiCounts::retries() const {
  std::lock_guard lock(mutex_);
  return retries_;
}

}  // namespace sluice::telemetry
