// TEMPORARY (kubesim-api branch only): Controllers that do nothing, so the
// API server links before the kubesim-ctl branch lands; replaced on merge.
#include <sluice/kubesim/controllers.hpp>

namespace sluice::kubesim {

struct Controllers::Impl {};

Controllers::Controllers(Store&, SimConfig&) : impl_(std::make_unique<Impl>()) {}
Controllers::~Controllers() = default;
void Controllers::start() {}
void Controllers::stop() {}
util::Status Controllers::set_pod_ready(const std::string&, const std::string&, bool) {
  return util::make_error(util::ErrorKind::not_found, "controllers not built in this branch");
}

}  // namespace sluice::kubesim
