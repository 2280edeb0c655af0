// Small readers and matchers over Kubernetes objects held as JSON, shared by
// the simulated controllers: owner references, label selectors, timestamps in
// the apiserver's RFC 3339 form, and the semantic equality of pod templates.
#pragma once

#include <sluice/util/clock.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>

namespace kubesim {

using Json = nlohmann::json;

inline constexpr const char* k_pod_template_hash_label = "pod-template-hash";
inline constexpr const char* k_foreground_deletion = "foregroundDeletion";  // the garbage collector finalizer

std::string name_of(const Json& object);
std::string namespace_of(const Json& object);
std::string uid_of(const Json& object);
// "ns/name": the key the controllers queue and index objects by.
std::string object_key(const Json& object);
std::string object_key(const std::string& ns, const std::string& name);

// Reads a field by JSON pointer, falling back when it is absent or of another type.
std::string string_at(const Json& object, const char* pointer, const std::string& fallback = "");
long long int_at(const Json& object, const char* pointer, long long fallback);
bool bool_at(const Json& object, const char* pointer, bool fallback);
bool has_at(const Json& object, const char* pointer);

// The ownerReference with controller: true, or nullptr.
const Json* controller_ref(const Json& object);
Json make_controller_ref(const Json& owner, const std::string& api_version, const std::string& kind);
// The ownerReference naming `uid`, or nullptr.
const Json* owner_reference(const Json& dependent, const std::string& uid);
// A Store::list filter: the objects with an ownerReference to `uid`.
std::function<bool(const Json&)> owned_by(std::string uid);

// metav1.LabelSelector (matchLabels + matchExpressions) against a labels map;
// an empty selector matches everything, a null one nothing (as the apiserver does).
bool label_selector_matches(const Json& selector, const Json& labels);
// A Service's plain map selector.
bool map_selector_matches(const Json& selector, const Json& labels);

// Timestamps as metav1.Time writes them: whole seconds, UTC, "Z".
std::string rfc3339(sluice::util::WallTime time);
std::optional<sluice::util::WallTime> parse_rfc3339(const std::string& text);

// Drops nulls and empty objects/arrays recursively: the typed decoding of the
// real apiserver makes `creationTimestamp: null` and an absent field the same.
Json normalized(const Json& value);
// The pod template without its pod-template-hash label, normalized: what
// EqualIgnoreHash compares and what the template hash is computed over.
Json template_without_hash(const Json& pod_template);
bool templates_equal_ignoring_hash(const Json& a, const Json& b);

}  // namespace kubesim
