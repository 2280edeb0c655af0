// Fetching what Cosign attaches to an image (signatures, attestations) over
// the distribution API: the referrers API and the `sha256-<hex>.sig|.att` tags.
#pragma once

#include <sluice/registry/registry.hpp>
#include <sluice/registry/session.hpp>

#include <string>
#include <vector>

namespace sluice::registry {

// "sha256:abc" -> "sha256-abc.sig" (or ".att"): the tag Cosign attaches under.
std::string attachment_tag(const std::string& digest, Attachment kind);

}  // namespace sluice::registry

namespace sluice::registry::detail {

inline constexpr std::size_t k_max_attached_layer_bytes = std::size_t{16} * 1024 * 1024;

// The layers listed by an attached artifact's manifest: media type, digest, annotations.
struct LayerDescriptor {
  std::string media_type;
  std::string digest;
  std::map<std::string, std::string> annotations;
};
Result<std::vector<LayerDescriptor>> parse_artifact_layers(const std::string& manifest_body);

// The manifests of a referrers index (OCI 1.1) whose artifactType is one of Cosign's for `kind`.
Result<std::vector<std::string>> parse_referrer_digests(const std::string& index_body, Attachment kind);

Result<std::vector<AttachedLayer>> fetch_attachments(Session& session, const ImageRef& ref,
                                                     const std::string& digest, Attachment kind,
                                                     const util::CancelToken* cancel);

}  // namespace sluice::registry::detail
