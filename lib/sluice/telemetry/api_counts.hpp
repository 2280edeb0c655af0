// The Kubernetes API requests a run made, counted by verb and code, and the
// ones sent again (docs/telemetry.md): fed by the kube client's attempt hook
// (kube::ClientOptions::on_attempt), read when the metrics are rendered.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace sluice::telemetry {

// (verb, code) -> count; verb as the kube client names it (GET, POST, ...,
// WATCH), code the HTTP status or "<error>" when no answer came.
using ApiCallCounts = std::map<std::pair<std::string, std::string>, std::uint64_t>;

class ApiCounts {
 public:
  // One attempt: counted as a request, and as a retry when it is sent again.
  // Thread-safe: watches and the run count from different threads.
  void count(const std::string& verb, const std::string& code, bool retried);

  ApiCallCounts requests() const;
  ApiCallCounts retries() const;

 private:
  mutable std::mutex mutex_;
  ApiCallCounts requests_;
  ApiCallCounts retries_;
};

}  // namespace sluice::telemetry
