// Label and field selectors as the apiserver parses them from `labelSelector`
// and `fieldSelector` query parameters, and their matching against objects.
#pragma once

#include <sluice/kubesim/store.hpp>

#include <string>
#include <vector>

namespace sluice::kubesim {

struct Requirement {
  enum class Op { equals, not_equals, in, not_in, exists, not_exists };
  std::string key;
  Op op = Op::equals;
  std::vector<std::string> values;
};

// Parses "app=web,tier!=db,env in (a,b),!canary,track". Empty = matches all.
Result<std::vector<Requirement>> parse_label_selector(const std::string& text);
bool matches_labels(const std::vector<Requirement>& selector, const Json& object);

// Field selectors: `metadata.name=web,status.phase!=Running`; any dotted path.
Result<std::vector<Requirement>> parse_field_selector(const std::string& text);
bool matches_fields(const std::vector<Requirement>& selector, const Json& object);

// A Deployment's spec.selector as the string Scale.status.selector carries.
std::string selector_to_string(const Json& label_selector);

}  // namespace sluice::kubesim
