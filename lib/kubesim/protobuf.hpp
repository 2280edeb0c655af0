// Decodes the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`:
// the "k8s\0" magic, a runtime.Unknown envelope and the object's generated
// proto message) into the JSON the rest of kubesim works with. kubectl >= 1.32
// sends its typed `create namespace|configmap|secret|deployment|service|
// serviceaccount` bodies this way, with no fallback to JSON on a 415.
#pragma once

#include <kubesim/store.hpp>

#include <string>

namespace kubesim {

// The object as JSON (apiVersion and kind from the envelope); invalid when
// the bytes are malformed or hold a kind or a non-empty field kubesim has no
// schema for (the message then names it, so nothing is dropped silently).
Result<Json> decode_kubernetes_protobuf(const std::string& body);

}  // namespace kubesim
