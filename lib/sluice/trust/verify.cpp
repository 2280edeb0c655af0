#include <sluice/trust/verify.hpp>

#include <sluice/registry/attachments.hpp>
#include <sluice/trust/payloads.hpp>
#include <sluice/trust/public_key.hpp>
#include <sluice/util/base64.hpp>

#include <algorithm>

namespace sluice::trust {
namespace {

using util::ErrorKind;
using util::make_error;

struct LoadedKey {
  std::string name;
  PublicKey key;
};

util::Result<std::vector<LoadedKey>> load_keys(const Policy& policy) {
  if (policy.keys.empty()) return make_error(ErrorKind::invalid, "the verify policy names no public key");
  std::vector<LoadedKey> keys;
  for (const auto& named : policy.keys) {
    auto key = PublicKey::from_pem(named.pem);
    if (!key) return make_error(ErrorKind::invalid, named.name + " " + key.error().message);
    keys.push_back({named.name, std::move(*key)});
  }
  return keys;
}

const LoadedKey* signer(const std::vector<LoadedKey>& keys, const std::string& message,
                        const std::string& sig) {
  for (const auto& k : keys)
    if (k.key.verify(message, sig)) return &k;
  return nullptr;
}

bool same_repository(const std::string& docker_reference, const registry::ImageRef& image) {
  auto claimed = registry::parse_image_ref(docker_reference);
  return claimed && claimed->domain == image.domain && claimed->repository == image.repository;
}

// Why one signature layer does not prove `image`, or "" when it does.
std::string refusal(const registry::AttachedLayer& layer, const registry::ResolvedImage& image,
                    const Policy& policy, const std::vector<LoadedKey>& keys, const LoadedKey** by) {
  if (layer.media_type != k_simple_signing_type)
    return "not a simple-signing layer (" + layer.media_type + ")";
  auto annotation = layer.annotations.find(k_signature_annotation);
  if (annotation == layer.annotations.end())
    return "no " + std::string(k_signature_annotation) + " annotation";
  auto sig = util::base64_decode(annotation->second);
  if (!sig) return "the signature is not base64";
  *by = signer(keys, layer.content, *sig);
  if (*by == nullptr) return "not signed by any of the keys (or the payload was altered)";
  auto claim = parse_simple_signing(layer.content);
  if (!claim) return claim.error().message;
  if (claim->manifest_digest != image.digest) return "signs " + claim->manifest_digest + ", not this digest";
  if (!same_repository(claim->docker_reference, image.ref))
    return "signs repository " + claim->docker_reference + ", not " + image.ref.name();
  for (const auto& [k, v] : policy.annotations) {
    auto it = claim->annotations.find(k);
    if (it == claim->annotations.end() || it->second != v) {
      std::string why = "annotation ";
      why.append(k).append("=").append(v).append(" missing");
      return why;
    }
  }
  return "";
}

util::Result<std::vector<std::string>> verified_predicates(const registry::ResolvedImage& image,
                                                           const std::vector<LoadedKey>& keys,
                                                           registry::Registry& registry,
                                                           const util::CancelToken* cancel) {
  auto layers = registry.attachments(image.ref, image.digest, registry::Attachment::attestation, cancel);
  if (!layers) return layers.error();
  std::vector<std::string> types;
  for (const auto& layer : *layers) {
    if (layer.media_type != k_dsse_type) continue;
    auto envelope = parse_dsse(layer.content);
    if (!envelope || envelope->payload_type != k_in_toto_type) continue;
    const std::string signed_bytes = dsse_pae(envelope->payload_type, envelope->payload);
    bool signed_by_key =
        std::any_of(envelope->signatures.begin(), envelope->signatures.end(),
                    [&](const std::string& s) { return signer(keys, signed_bytes, s) != nullptr; });
    auto statement = parse_in_toto(envelope->payload);
    if (!signed_by_key || !statement) continue;
    const auto& subjects = statement->subject_digests;
    if (std::find(subjects.begin(), subjects.end(), image.digest) != subjects.end())
      types.push_back(statement->predicate_type);
  }
  return types;
}

util::Status check_attestations(const registry::ResolvedImage& image, const Policy& policy,
                                const std::vector<LoadedKey>& keys, registry::Registry& registry,
                                Verification& result, const util::CancelToken* cancel) {
  if (policy.attestations.empty()) return {};
  auto found = verified_predicates(image, keys, registry, cancel);
  if (!found) return found.error();
  for (const auto& wanted : policy.attestations) {
    const std::string uri = predicate_type_uri(wanted);
    if (std::find(found->begin(), found->end(), uri) == found->end()) {
      std::string message = "image " + image.pinned_ref;
      message.append(": no ")
          .append(wanted)
          .append(" attestation (")
          .append(uri)
          .append(") signed by the policy's keys");
      return make_error(ErrorKind::invalid, message);
    }
    result.attestations.push_back(uri);
  }
  return {};
}

}  // namespace

util::Result<Verification> verify_image(const registry::ResolvedImage& image, const Policy& policy,
                                        registry::Registry& registry, const util::CancelToken* cancel) {
  auto keys = load_keys(policy);
  if (!keys) return keys.error();
  auto layers = registry.attachments(image.ref, image.digest, registry::Attachment::signature, cancel);
  if (!layers) return layers.error();
  if (layers->empty()) {
    return make_error(ErrorKind::invalid,
                      "image " + image.pinned_ref + " is not signed: no signature at tag " +
                          registry::attachment_tag(image.digest, registry::Attachment::signature) +
                          " nor in the referrers API");
  }
  std::string reasons;
  for (std::size_t i = 0; i < layers->size(); ++i) {
    const LoadedKey* by = nullptr;
    const std::string why = refusal((*layers)[i], image, policy, *keys, &by);
    if (why.empty()) {
      Verification result{by->name, by->key.algorithm(), (*layers)[i].found_by, {}};
      if (auto attested = check_attestations(image, policy, *keys, registry, result, cancel); !attested)
        return attested.error();
      return result;
    }
    reasons += (reasons.empty() ? "" : "; ") + std::string("signature ") + std::to_string(i + 1) + " (" +
               (*layers)[i].found_by + "): " + why;
  }
  return make_error(ErrorKind::invalid, "image " + image.pinned_ref + " has no valid signature: " + reasons);
}

}  // namespace sluice::trust
