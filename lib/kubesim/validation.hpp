// What the apiserver's registry strategies do before storing an object:
// basic validation (names, required fields, selector/template agreement) and
// the defaults kubectl and controllers rely on (replicas, strategy, ports).
#pragma once

#include <kubesim/api_status.hpp>

#include <optional>

namespace kubesim {

// Fills defaults in place (as the apiserver does on create and update).
// `previous`: the stored object an update replaces (a Service keeps its cluster IPs).
void apply_defaults(const ResourceType& type, Json& object, const Json* previous = nullptr);
// nullopt when valid, else the 422 Status. `previous`: the stored object an
// update replaces, for the fields that are immutable (a workload's selector).
std::optional<ApiError> validate_object(const ResourceType& type, const Json& object,
                                        const Json* previous = nullptr);

}  // namespace kubesim
