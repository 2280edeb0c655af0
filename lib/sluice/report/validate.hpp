// `sluice validate` as a library function: check plan files and report each
// problem on one line (text) or as one JSON object per line.
#pragma once

#include <sluice/plan/diagnostic.hpp>
#include <sluice/plan/parser.hpp>

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace sluice::report {

nlohmann::ordered_json to_json(const plan::Diagnostic& diagnostic);

// Validates every file; problems go to `err` in text mode ("file: valid" to
// `out`), everything to `out` in JSON mode. Returns true when all are valid.
// `overrides` (--image, --set) apply to every file.
bool validate_files(const std::vector<std::string>& paths, bool json, std::ostream& out, std::ostream& err,
                    const plan::Overrides& overrides = {});

// Loads `path` with load_plan (size-capped, regular files only); when it is
// invalid, reports its problems exactly as validate_files does. Every verb
// that takes a plan file reads it here, so all refuse the same files alike.
plan::PlanParse load_checked(const std::string& path, bool json, std::ostream& out, std::ostream& err,
                             const plan::Overrides& overrides = {});

// Loads one plan and prints its preview (describe_plan); on an invalid plan
// prints the diagnostics like validate_files. Returns true when it was valid.
bool preview_file(const std::string& path, bool json, std::ostream& out, std::ostream& err,
                  const plan::Overrides& overrides = {});

}  // namespace sluice::report
