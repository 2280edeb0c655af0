// What a rollout of a plan would do, step by step, from the plan alone
// (`sluice plan`). Each line exists as text for people and as one JSON object
// for machines; the engine appends what it learns from the cluster.
#pragma once

#include <sluice/plan/model.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sluice::report {

struct PreviewLine {
  std::string text;             // one line for people, indented by nesting
  nlohmann::ordered_json json;  // the same fact as one JSON object; "kind" says what it is
};

std::vector<PreviewLine> describe_plan(const plan::Plan& plan);

// One line about a check: its source, conditions and limits. Header values
// are never shown (they may hold tokens), nor where a secret comes from more
// than by name, and URL credentials are redacted (http::redact_url).
std::string describe_check(const plan::Check& check);

}  // namespace sluice::report
