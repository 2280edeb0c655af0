// `sluice validate RELEASE` and `sluice plan RELEASE`: the release file, every
// plan it names, and every kubeconfig context it names, reported as
// validate reports plans (file:line:col, text or JSON lines).
#pragma once

#include <sluice/kube/config.hpp>
#include <sluice/plan/diagnostic.hpp>
#include <sluice/plan/release_model.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace sluice::release {

// One Diagnostic per context of `release` (targets and record) that
// `kubeconfig` (its file and environment; the context is set per name) does
// not resolve, at the place in the release that names it.
std::vector<plan::Diagnostic> check_contexts(const plan::Release& release,
                                             const kube::LoadOptions& kubeconfig);

// Validates the release at `path`: problems to `err` (text) or `out` (JSON);
// "path: valid" when there are none. Returns true when valid.
bool validate_release(const std::string& path, const kube::LoadOptions& kubeconfig, bool json,
                      std::ostream& out, std::ostream& err);

// Validates the release at `path` and, when valid, prints describe_release.
bool preview_release(const std::string& path, const kube::LoadOptions& kubeconfig, bool json,
                     std::ostream& out, std::ostream& err);

}  // namespace sluice::release
