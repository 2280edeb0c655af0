// `sluice validate DRILL`: a drill document is valid when it parses and every
// kubeconfig context it names resolves; problems are reported file:line:col
// exactly as a plan's are (report/validate.hpp).
#pragma once

#include <sluice/kube/config.hpp>
#include <sluice/plan/diagnostic.hpp>
#include <sluice/plan/drill_model.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace sluice::drill {

// One diagnostic per context of the drill that `kubeconfig` (its path and
// environment; the context is set per check) cannot resolve, at the place the
// context is written.
std::vector<plan::Diagnostic> check_contexts(const plan::Drill& drill, const kube::LoadOptions& kubeconfig);

// Validates one drill file; problems to `err` (text) or `out` (JSON lines,
// as validate_files). Returns true when valid.
bool validate_drill_file(const std::string& path, const kube::LoadOptions& kubeconfig, bool json,
                         std::ostream& out, std::ostream& err);

}  // namespace sluice::drill
