// Reading a drill document (`kind: Drill`, docs/drills.md) into a typed
// Drill, reporting every problem as a file:line:col Diagnostic as the plan
// parser does. Contexts are checked against a kubeconfig elsewhere (drill/).
#pragma once

#include <sluice/plan/diagnostic.hpp>
#include <sluice/plan/drill_model.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::plan {

struct DrillParse {
  std::optional<Drill> drill;  // set exactly when diagnostics is empty
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return drill.has_value(); }
};

DrillParse parse_drill(std::string_view bytes, const std::string& file);
DrillParse load_drill(const std::string& path);

// True when the file's top-level `kind` is Drill (false for unreadable files:
// the plan loader then reports them).
bool is_drill_file(const std::string& path);

}  // namespace sluice::plan
