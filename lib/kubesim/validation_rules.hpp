// The apiserver's field validation, rule by rule, for validation.cpp to
// combine per kind. Each rule appends FieldErrors worded as upstream words
// them (values printed the way Go's field.Error prints them).
// Upstream: apimachinery pkg/api/validation (ObjectMeta), pkg/util/validation,
// kubernetes pkg/apis/core/validation and pkg/apis/apps/validation.
#pragma once

#include <kubesim/api_status.hpp>

#include <vector>

namespace kubesim {

using FieldErrors = std::vector<FieldError>;

// Go's %q of a string, and %#v of a map[string]string.
std::string go_quote(const std::string& value);
std::string go_string_map(const Json& map);

// Labels and annotations of `meta` at `path` ("metadata", "spec.template.metadata").
void validate_meta_labels(const Json& meta, const std::string& path, FieldErrors& errors);
// ConfigMap/Secret keys and total size; `immutable` data once set.
void validate_config_data(const std::string& kind, const Json& object, FieldErrors& errors);
void validate_config_update(const std::string& kind, const Json& object, const Json& old,
                            FieldErrors& errors);

// Containers (names, ports, env names, requests <= limits) of a pod spec at `path`.
void validate_pod_spec(const Json& spec, const std::string& path, FieldErrors& errors);
// Only images, activeDeadlineSeconds, tolerations and terminationGracePeriodSeconds change on a Pod.
void validate_pod_update(const Json& spec, const Json& old, FieldErrors& errors);

void validate_deployment_strategy(const Json& strategy, FieldErrors& errors);
void validate_service_spec(const Json& spec, FieldErrors& errors);
void validate_service_update(const Json& spec, const Json& old, FieldErrors& errors);

}  // namespace kubesim
