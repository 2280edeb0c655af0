// A Client that cannot change the cluster: every write it passes on carries
// `dryRun=All`, so the API server validates, defaults and admits it and
// answers what it would have stored, but stores nothing (apiserver
// registry/generic/registry/dryrun.go). `sluice diff` and `apply --dry-run`
// send their writes through it. Reads and watches go through untouched.
#pragma once

#include <sluice/kube/client.hpp>

namespace sluice::kube {

class DryRunClient final : public Client {
 public:
  explicit DryRunClient(Client& inner) : inner_(inner) {}

  Result<Json> request(const ApiRequest& request, const CancelToken* cancel = nullptr) override;
  util::Status watch_stream(const ApiRequest& request, const std::function<bool(const WatchEvent&)>& on_event,
                            const CancelToken* cancel = nullptr) override;
  std::uint64_t requests_made() const override { return inner_.requests_made(); }

 private:
  Client& inner_;
};

}  // namespace sluice::kube
