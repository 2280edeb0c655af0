// Field selectors as the apiserver parses them from the `fieldSelector` query
// parameter, and the Scale selector string. Label selectors are kube's
// (<sluice/kube/selector.hpp>), shared with the client.
#pragma once

#include <kubesim/store.hpp>
#include <sluice/kube/selector.hpp>

#include <string>
#include <vector>

namespace kubesim {

using sluice::kube::Requirement;

// Field selectors: `metadata.name=web,status.phase!=Running`; any dotted path.
// With `kind`, a field the kind does not index is refused as the apiserver's
// ConvertFieldLabel does: "field label not supported: spec.foo".
Result<std::vector<Requirement>> parse_field_selector(const std::string& text, const std::string& kind = "");
bool matches_fields(const std::vector<Requirement>& selector, const Json& object);

// Label selectors matched against an object's metadata.labels.
bool matches_labels(const std::vector<Requirement>& selector, const Json& object);

// A Deployment's spec.selector as the string Scale.status.selector carries.
std::string selector_to_string(const Json& label_selector);

}  // namespace kubesim
