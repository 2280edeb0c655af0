// Proves, before anything in the cluster changes, that the image digest a
// rollout will deploy is signed by one of the policy's keys (Cosign's
// formats, fetched from the registry) and carries the attestations the
// policy requires. See docs/supply-chain.md.
#pragma once

#include <sluice/registry/registry.hpp>
#include <sluice/util/result.hpp>

#include <map>
#include <string>
#include <vector>

namespace sluice::trust {

struct NamedKey {
  std::string name;  // where it came from, for messages: "key 1 (file keys/cosign.pub)"
  std::string pem;
};

struct Policy {
  std::vector<NamedKey> keys;                      // a signature by any one of them counts
  std::map<std::string, std::string> annotations;  // required in the signed payload's `optional`
  std::vector<std::string> attestations;           // predicate types (short names or URIs) required
};

struct Verification {
  std::string key;                        // the NamedKey::name that verified the signature
  std::string algorithm;                  // of that key
  std::string found_by;                   // where the signature was found
  std::vector<std::string> attestations;  // predicate types verified, in the policy's order
};

// ErrorKind::invalid when the image is not proven: no signature, none by these
// keys, a payload for another digest or repository, a tampered payload, a
// required annotation or attestation missing. The message names every
// signature looked at and why it was refused. Registry errors keep their kind.
util::Result<Verification> verify_image(const registry::ResolvedImage& image, const Policy& policy,
                                        registry::Registry& registry,
                                        const util::CancelToken* cancel = nullptr);

}  // namespace sluice::trust
