// Kubernetes label selectors ("app=web,tier!=db,env in (a,b),!canary,track"):
// one parser and matcher for both sides, WatchHub's client-side filtering and
// kubesim's labelSelector/fieldSelector handling. Errors use the API server's words.
#pragma once

#include <sluice/util/result.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sluice::kube {

using Json = nlohmann::json;
using util::Result;

// One comma-separated term of a selector.
struct Requirement {
  enum class Op { equals, not_equals, in, not_in, exists, not_exists };
  std::string key;
  Op op = Op::equals;
  std::vector<std::string> values;  // one for (not_)equals, the set for (not_)in
};

// Splits on commas outside parentheses, trimming each term: "a in (x,y), b" ->
// ["a in (x,y)", "b"]. A trailing comma leaves an empty last term (an error to parse).
std::vector<std::string> split_selector_terms(const std::string& text);

// Parses one term without checking what its key may contain (field selectors
// share the grammar but allow other keys).
Result<Requirement> parse_requirement(const std::string& term);

// Parses a whole label selector; blank matches everything. Invalid input gives
// ErrorKind::invalid with the message the API server puts in its 400.
Result<std::vector<Requirement>> parse_label_selector(const std::string& text);

// Whether `value` (nullopt: the key is absent) satisfies `requirement`.
bool satisfies(const Requirement& requirement, const std::optional<std::string>& value);

// True when `labels` (metadata.labels; non-string values count as absent) meet every requirement.
bool labels_match(const std::vector<Requirement>& selector, const Json& labels);

// The same for a selector in text; a selector that does not parse matches
// nothing, as the API server would list nothing for it.
bool labels_match(const Json& labels, const std::string& selector);

}  // namespace sluice::kube
