// OpenAPI v3 component schemas for the kinds kubesim serves, built from its
// own field schema (schema_types.cpp) and, for custom resources, from the
// CRD's openAPIV3Schema: what `kubectl explain` reads, and what kubectl's
// apply reads for strategic-merge keys.
#pragma once

#include <kubesim/store.hpp>

namespace kubesim {

// The component name of a kind's schema, as the apiserver names it:
// "io.k8s.api.apps.v1.Deployment" (custom resources: "com.example.v1.Widget").
std::string openapi_component_name(const ResourceType& type);

// `components.schemas` for the given kinds and every definition they reach.
Json openapi_components(const std::vector<const ResourceType*>& types);

}  // namespace kubesim
