// Reading a plan file into a typed, validated Plan (docs/plan-format.md).
// All problems in a file are reported, each as one Diagnostic; a Plan is
// produced only when there are none.
#pragma once

#include <sluice/plan/diagnostic.hpp>
#include <sluice/plan/model.hpp>
#include <sluice/plan/overrides.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::plan {

struct PlanParse {
  std::optional<Plan> plan;  // set exactly when diagnostics is empty
  std::vector<Diagnostic> diagnostics;
  // load_plan only: the file's bytes as read (size-capped), for callers that
  // record the plan text (resume checks); empty when the file was refused.
  std::string text;
  bool ok() const { return plan.has_value(); }
};

// Parses plan text; `file` names it in diagnostics and becomes Plan::source_path.
// `overrides` (--image, --set) replace fields before they are read, so they
// are checked as the file's values are; a problem with one names its flag.
PlanParse parse_plan(std::string_view bytes, const std::string& file, const Overrides& overrides = {});

// Reads and parses the plan file at `path` (size-capped, regular files only).
// Prefer this to reading the file yourself: it refuses directories, devices
// and oversized files without reading them.
PlanParse load_plan(const std::string& path, const Overrides& overrides = {});

}  // namespace sluice::plan
