#include <sluice/trust/payloads.hpp>

#include <sluice/util/base64.hpp>

#include <nlohmann/json.hpp>

namespace sluice::trust {
namespace {

using nlohmann::json;
using util::ErrorKind;
using util::make_error;

std::string string_at(const json& object, const json::json_pointer& where) {
  if (!object.contains(where)) return "";
  const auto& value = object.at(where);
  return value.is_string() ? value.get<std::string>() : "";
}

}  // namespace

util::Result<SignedClaim> parse_simple_signing(const std::string& payload) {
  json doc = json::parse(payload, nullptr, false);
  if (!doc.is_object()) return make_error(ErrorKind::invalid, "the signed payload is not JSON");
  const std::string type = string_at(doc, "/critical/type"_json_pointer);
  if (type != "cosign container image signature") {
    return make_error(ErrorKind::invalid,
                      "the signed payload is not a cosign container image signature (type \"" + type + "\")");
  }
  SignedClaim claim;
  claim.docker_reference = string_at(doc, "/critical/identity/docker-reference"_json_pointer);
  claim.manifest_digest = string_at(doc, "/critical/image/docker-manifest-digest"_json_pointer);
  if (claim.manifest_digest.empty())
    return make_error(ErrorKind::invalid, "the signed payload names no docker-manifest-digest");
  if (doc.contains("optional") && doc["optional"].is_object()) {
    for (const auto& [k, v] : doc["optional"].items())
      if (v.is_string()) claim.annotations[k] = v.get<std::string>();
  }
  return claim;
}

util::Result<Envelope> parse_dsse(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("payload") || !doc["payload"].is_string())
    return make_error(ErrorKind::invalid, "not a DSSE envelope");
  Envelope envelope;
  envelope.payload_type = doc.value("payloadType", "");
  auto payload = util::base64_decode(doc["payload"].get<std::string>());
  if (!payload) return make_error(ErrorKind::invalid, "the DSSE payload is not base64");
  envelope.payload = std::move(*payload);
  for (const auto& s : doc.value("signatures", json::array())) {
    if (!s.is_object() || !s.contains("sig") || !s["sig"].is_string()) continue;
    auto sig = util::base64_decode(s["sig"].get<std::string>());
    if (sig) envelope.signatures.push_back(std::move(*sig));
  }
  return envelope;
}

std::string dsse_pae(const std::string& payload_type, const std::string& payload) {
  return "DSSEv1 " + std::to_string(payload_type.size()) + " " + payload_type + " " +
         std::to_string(payload.size()) + " " + payload;
}

util::Result<Statement> parse_in_toto(const std::string& payload) {
  json doc = json::parse(payload, nullptr, false);
  if (!doc.is_object() || !doc.contains("predicateType") || !doc["predicateType"].is_string())
    return make_error(ErrorKind::invalid, "the attestation is not an in-toto statement");
  Statement statement;
  statement.predicate_type = doc["predicateType"].get<std::string>();
  for (const auto& subject : doc.value("subject", json::array())) {
    if (!subject.is_object()) continue;
    const std::string hex = string_at(subject, "/digest/sha256"_json_pointer);
    if (!hex.empty()) statement.subject_digests.push_back("sha256:" + hex);
  }
  return statement;
}

std::string predicate_type_uri(const std::string& name) {
  static const std::map<std::string, std::string> k_aliases = {
      {"spdx", "https://spdx.dev/Document"},
      {"spdxjson", "https://spdx.dev/Document"},
      {"cyclonedx", "https://cyclonedx.org/bom"},
      {"slsaprovenance", "https://slsa.dev/provenance/v0.2"},
      {"slsaprovenance02", "https://slsa.dev/provenance/v0.2"},
      {"slsaprovenance1", "https://slsa.dev/provenance/v1"},
      {"vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"},
      {"link", "https://in-toto.io/Link/v1"},
  };
  auto it = k_aliases.find(name);
  return it == k_aliases.end() ? name : it->second;
}

}  // namespace sluice::trust
