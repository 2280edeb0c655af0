// The patch formats the apiserver accepts for built-in kinds: JSON patch
// (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch, where
// lists such as containers, ports, env and volumes merge by their keys.
#pragma once

#include <kubesim/store.hpp>

#include <string>

namespace kubesim {

Result<Json> apply_json_patch(const Json& target, const Json& patch);
Json apply_merge_patch(Json target, const Json& patch);
// Honours `$patch: replace|delete`, `$deleteFromPrimitiveList/<field>` and
// ignores `$setElementOrder/<field>` and `$retainKeys` as kubectl sends them.
Result<Json> apply_strategic_merge_patch(Json target, const Json& patch);

// The merge key of a list field for strategic merge and server-side apply,
// e.g. "containers" -> "name"; `element` picks between port keys. Empty when
// the list is atomic (replaced as a whole).
std::string merge_key_for(const std::string& field, const Json& element);

// Parses a request body that may be JSON or YAML (apply-patch+yaml).
Result<Json> parse_json_or_yaml(const std::string& text);

}  // namespace kubesim
