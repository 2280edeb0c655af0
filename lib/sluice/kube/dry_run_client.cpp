#include <sluice/kube/dry_run_client.hpp>

namespace sluice::kube {

Result<Json> DryRunClient::request(const ApiRequest& request, const CancelToken* cancel) {
  if (request.method == "GET") return inner_.request(request, cancel);
  // Any other verb writes (or deletes); one request that slipped through
  // without the parameter would be a real change, so it is added here, once.
  ApiRequest dry = request;
  dry.query.emplace_back("dryRun", "All");
  return inner_.request(dry, cancel);
}

util::Status DryRunClient::watch_stream(const ApiRequest& request,
                                        const std::function<bool(const WatchEvent&)>& on_event,
                                        const CancelToken* cancel) {
  return inner_.watch_stream(request, on_event, cancel);
}

}  // namespace sluice::kube
