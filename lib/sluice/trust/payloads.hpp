// What signatures and attestations say, parsed: Cosign's simple-signing
// payload (which image digest a signature is for) and DSSE envelopes of
// in-toto statements (which predicate, about which digests). Pure.
#pragma once

#include <sluice/util/result.hpp>

#include <map>
#include <string>
#include <vector>

namespace sluice::trust {

// The layer media type and annotation Cosign stores a signature under.
inline constexpr const char* k_simple_signing_type = "application/vnd.dev.cosign.simplesigning.v1+json";
inline constexpr const char* k_signature_annotation = "dev.cosignproject.cosign/signature";
inline constexpr const char* k_dsse_type = "application/vnd.dsse.envelope.v1+json";
inline constexpr const char* k_in_toto_type = "application/vnd.in-toto+json";

// {"critical": {"identity": {"docker-reference"}, "image": {"docker-manifest-digest"},
//  "type": "cosign container image signature"}, "optional": {...}}
struct SignedClaim {
  std::string docker_reference;
  std::string manifest_digest;
  std::map<std::string, std::string> annotations;  // `optional`, string values only
};
util::Result<SignedClaim> parse_simple_signing(const std::string& payload);

struct Envelope {
  std::string payload_type;
  std::string payload;                  // decoded
  std::vector<std::string> signatures;  // decoded
};
util::Result<Envelope> parse_dsse(const std::string& text);
// DSSE's pre-authentication encoding: what each envelope signature signs.
std::string dsse_pae(const std::string& payload_type, const std::string& payload);

struct Statement {
  std::string predicate_type;
  std::vector<std::string> subject_digests;  // "sha256:<hex>"
};
util::Result<Statement> parse_in_toto(const std::string& payload);

// Cosign's short names for predicate types (spdx, cyclonedx, slsaprovenance,
// ...) to the URI; anything else is taken as a URI as written.
std::string predicate_type_uri(const std::string& name);

}  // namespace sluice::trust
