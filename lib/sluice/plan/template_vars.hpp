// The template variables of check queries and URLs ({{name}}): which ones
// exist, and which strategies give each a meaning, so that a plan using one
// that would be empty or meaningless is refused when it is read rather than
// measuring the wrong pods at run time (docs/checks.md has the table).
#pragma once

#include <sluice/plan/model.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::plan {

// Every variable a check may use, in the order docs/checks.md lists them.
const std::vector<std::string>& template_variable_names();

// Why `name` has no value in `plan` (unknown, or meaningless for its
// strategy or target), as the end of a diagnostic; nullopt when it has one.
std::optional<std::string> template_variable_problem(const std::string& name, const Plan& plan);

// One `{{ name }}` in a text: `token` is it as written, `name` trimmed.
// An opening `{{` without its `}}` is a use with closed = false.
struct TemplateUse {
  std::string name;
  std::string token;
  std::size_t offset = 0;
  bool closed = true;
};
std::vector<TemplateUse> template_uses(std::string_view text);

}  // namespace sluice::plan
