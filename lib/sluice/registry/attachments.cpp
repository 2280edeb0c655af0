#include <sluice/registry/attachments.hpp>
#include <sluice/registry/manifest.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace sluice::registry::detail {
namespace {

using nlohmann::json;
using util::ErrorKind;
using util::make_error;

// Cosign's artifact types in OCI 1.1 mode, and the DSSE/in-toto types other
// attestation tools use; the layers are filtered by media type after.
const std::vector<std::string>& referrer_types(Attachment kind) {
  static const std::vector<std::string> signatures = {"application/vnd.dev.cosign.artifact.sig.v1+json"};
  static const std::vector<std::string> attestations = {"application/vnd.dev.cosign.artifact.att.v1+json",
                                                        "application/vnd.dsse.envelope.v1+json",
                                                        "application/vnd.in-toto+json"};
  return kind == Attachment::signature ? signatures : attestations;
}

std::string repo_url(Session& session, const ImageRef& ref) {
  return session.base_url(ref.api_host()) + "/v2/" + ref.repository;
}

bool ok(int status) {
  return status >= 200 && status <= 299;
}

util::Error http_error(const std::string& what, int status) {
  auto e = make_error(status == 401   ? ErrorKind::unauthorized
                      : status == 403 ? ErrorKind::forbidden
                      : status == 429 ? ErrorKind::too_many_requests
                      : status >= 500 ? ErrorKind::server_error
                                      : ErrorKind::internal,
                      what + ": HTTP " + std::to_string(status));
  e.http_status = status;
  return e;
}

// The manifest at `reference` (a tag or a digest); nullopt when there is none.
Result<std::optional<std::string>> fetch_manifest(Session& session, const ImageRef& ref,
                                                  const std::string& reference,
                                                  const util::CancelToken* cancel) {
  http::Request request;
  request.url = repo_url(session, ref) + "/manifests/" + reference;
  request.headers.emplace_back("Accept", manifest_accept_header());
  auto response = session.send(request, ref, cancel);
  if (!response) return response.error();
  if (response->status == 404) return std::optional<std::string>();
  if (!ok(response->status)) return http_error("manifest " + reference, response->status);
  if (response->body.size() > k_max_manifest_bytes)
    return make_error(ErrorKind::invalid, "manifest " + reference + " is over the 4 MiB limit");
  const std::string claimed =
      reference.rfind("sha256:", 0) == 0 ? reference : response->header("Docker-Content-Digest");
  if (is_sha256_digest(claimed) && sha256_digest(response->body) != claimed)
    return make_error(ErrorKind::invalid, "manifest " + reference + ": bytes do not match digest " + claimed);
  return std::optional<std::string>(std::move(response->body));
}

Result<std::string> fetch_blob(Session& session, const ImageRef& ref, const std::string& digest,
                               const util::CancelToken* cancel) {
  http::Request request;
  request.url = repo_url(session, ref) + "/blobs/" + digest;
  request.follow_redirects = true;
  auto response = session.send(request, ref, cancel);
  if (!response) return response.error();
  if (!ok(response->status)) return http_error("blob " + digest, response->status);
  if (response->body.size() > k_max_attached_layer_bytes)
    return make_error(ErrorKind::invalid, "blob " + digest + " is over the 16 MiB limit");
  if (sha256_digest(response->body) != digest)
    return make_error(ErrorKind::invalid, "blob " + digest + ": bytes do not match its digest");
  return std::move(response->body);
}

// Every layer of the artifact manifest `body`, fetched.
util::Status append_layers(Session& session, const ImageRef& ref, const std::string& body,
                           const std::string& found_by, std::vector<AttachedLayer>& into,
                           const util::CancelToken* cancel) {
  auto layers = parse_artifact_layers(body);
  if (!layers) return layers.error();
  for (auto& layer : *layers) {
    auto content = fetch_blob(session, ref, layer.digest, cancel);
    if (!content) return content.error();
    into.push_back(
        {std::move(layer.media_type), std::move(layer.annotations), std::move(*content), found_by});
  }
  return {};
}

// The referrers API: a registry without it answers 404 (or 400/405); that is no referrer.
util::Status append_referrers(Session& session, const ImageRef& ref, const std::string& digest,
                              Attachment kind, std::vector<AttachedLayer>& into,
                              const util::CancelToken* cancel) {
  http::Request request;
  request.url = repo_url(session, ref) + "/referrers/" + digest;
  request.headers.emplace_back("Accept", k_oci_index);
  auto response = session.send(request, ref, cancel);
  if (!response) return response.error();
  if (!ok(response->status) || response->body.size() > k_max_manifest_bytes) return {};
  auto digests = parse_referrer_digests(response->body, kind);
  if (!digests) return {};  // not an index: a registry that does not offer the API
  for (const auto& d : *digests) {
    auto body = fetch_manifest(session, ref, d, cancel);
    if (!body) return body.error();
    if (!*body) continue;
    if (auto appended = append_layers(session, ref, **body, "referrers API", into, cancel); !appended)
      return appended;
  }
  return {};
}

}  // namespace

Result<std::vector<LayerDescriptor>> parse_artifact_layers(const std::string& manifest_body) {
  json manifest = json::parse(manifest_body, nullptr, false);
  if (!manifest.is_object() || !manifest.contains("layers") || !manifest["layers"].is_array())
    return make_error(ErrorKind::invalid, "an attached artifact's manifest has no layers");
  std::vector<LayerDescriptor> layers;
  for (const auto& layer : manifest["layers"]) {
    LayerDescriptor d;
    d.media_type = layer.value("mediaType", "");
    d.digest = layer.value("digest", "");
    if (!is_sha256_digest(d.digest))
      return make_error(ErrorKind::invalid, "an attached artifact's layer has no sha256 digest");
    const json annotations = layer.value("annotations", json::object());
    for (const auto& [k, v] : annotations.items())
      if (v.is_string()) d.annotations[k] = v.get<std::string>();
    layers.push_back(std::move(d));
  }
  return layers;
}

Result<std::vector<std::string>> parse_referrer_digests(const std::string& index_body, Attachment kind) {
  json index = json::parse(index_body, nullptr, false);
  if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array())
    return make_error(ErrorKind::invalid, "not a referrers index");
  const auto& wanted = referrer_types(kind);
  std::vector<std::string> digests;
  for (const auto& m : index["manifests"]) {
    std::string type = m.value("artifactType", "");
    std::string digest = m.value("digest", "");
    if (std::find(wanted.begin(), wanted.end(), type) != wanted.end() && is_sha256_digest(digest))
      digests.push_back(digest);
  }
  return digests;
}

Result<std::vector<AttachedLayer>> fetch_attachments(Session& session, const ImageRef& ref,
                                                     const std::string& digest, Attachment kind,
                                                     const util::CancelToken* cancel) {
  std::vector<AttachedLayer> layers;
  if (auto referred = append_referrers(session, ref, digest, kind, layers, cancel); !referred)
    return referred.error();
  const std::string tag = attachment_tag(digest, kind);
  auto body = fetch_manifest(session, ref, tag, cancel);
  if (!body) return body.error();
  if (*body) {
    if (auto appended = append_layers(session, ref, **body, "tag " + tag, layers, cancel); !appended)
      return appended.error();
  }
  return layers;
}

}  // namespace sluice::registry::detail

namespace sluice::registry {

std::string attachment_tag(const std::string& digest, Attachment kind) {
  std::string tag = digest;
  std::replace(tag.begin(), tag.end(), ':', '-');
  return tag + (kind == Attachment::signature ? ".sig" : ".att");
}

}  // namespace sluice::registry
