// Changing a few plan fields from the command line (`--image`, `--set
// key=value`) without editing the file. An override replaces one value in the
// YAML before the plan is read, so it passes exactly the checks the file's own
// value would; the overrides are part of the plan's identity (its hash) and
// are recorded with a rollout, so resuming needs the same ones.
#pragma once

#include <sluice/plan/diagnostic.hpp>

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace YAML {
class Node;
}

namespace sluice::plan {

// Field path (as in docs/plan-format.md) -> the value given for it.
using Overrides = std::map<std::string, std::string>;

// The fields --set accepts: scalars people change per run or per environment.
const std::vector<std::string>& settable_fields();

// How the user wrote an override, for messages: "--image" or "--set target.container".
std::string override_flag(const std::string& field);

// Reads the --set values and --image (empty: not given; it wins over --set
// image=...). A malformed --set or a field it cannot change is one Diagnostic
// whose path names the flag.
std::variant<Overrides, Diagnostic> read_overrides(const std::vector<std::string>& sets,
                                                   const std::string& image);

// The overrides written into the plan `root`; those that change nothing (the
// file already says the same) are dropped, so they do not change the plan's
// identity. A field under a strategy the plan does not use is an error.
std::variant<Overrides, Diagnostic> apply_overrides(YAML::Node& root, const Overrides& overrides,
                                                    const std::string& file);

// The text an overridden plan is hashed as: the file, then one line per
// override. Equal to `bytes` when there are none, so such a plan keeps its
// file's hash.
std::string identity_text(std::string_view bytes, const Overrides& overrides);

}  // namespace sluice::plan
