// What the apiserver's decoder does with a request body before any
// validation: a value of the wrong JSON type is a 400 decode error, and an
// unknown field is refused, reported as a warning and dropped, or dropped
// silently, as the request's fieldValidation (Strict, Warn, Ignore) asks.
#pragma once

#include <kubesim/api_status.hpp>

#include <optional>
#include <string>
#include <vector>

namespace kubesim {

// The field schema per kind and per nested Go type (see schema_types.cpp).
const Json& schema_definitions();

// Prunes `object` (a custom resource) to its CRD's structural schema, as
// apiextensions-apiserver's pruning does (pkg/apiserver/schema/pruning):
// fields the schema does not declare go, unless a node says
// x-kubernetes-preserve-unknown-fields. Returns their paths ("spec.foo");
// with `keep` they are only reported. apiVersion, kind and metadata stay.
std::vector<std::string> prune_custom(const Json& schema, Json& object, bool keep);

struct DecodeOutcome {
  std::optional<ApiError> error;      // 400 BadRequest when the body cannot be decoded
  std::vector<std::string> warnings;  // `unknown field "spec.foo"`, for Warning headers
};

// Checks `object` against `type`'s schema; unknown fields are removed from it
// unless `validation` is "Strict" (then they are the error). `apply`: the body
// of a server-side apply, whose unknown fields are reported as
// structured-merge-diff reports them.
DecodeOutcome decode_fields(const ResourceType& type, Json& object, const std::string& validation,
                            bool apply = false);

}  // namespace kubesim
