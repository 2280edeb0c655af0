// Manifest and error-body formats of the OCI distribution API, and the digest
// arithmetic that proves bytes are what a reference names. Pure functions.
#pragma once

#include <sluice/registry/registry.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sluice::registry::detail {

inline constexpr const char* k_oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* k_oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* k_docker_list = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* k_docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
// Every manifest kind sluice understands; without it some registries answer
// with a legacy schema-1 manifest whose digest differs.
std::string manifest_accept_header();

inline constexpr std::size_t k_max_manifest_bytes = std::size_t{4} * 1024 * 1024;
inline constexpr std::size_t k_max_config_bytes = std::size_t{8} * 1024 * 1024;

// "sha256:<hex>" of the exact bytes.
std::string sha256_digest(const std::string& bytes);
bool is_sha256_digest(const std::string& text);

struct Manifest {
  std::string media_type;
  bool is_index = false;
  std::vector<Platform> platforms;  // index entries, attestation entries left out
  std::string config_digest;        // single manifests only
};

// `content_type` is the response's Content-Type; the body's own mediaType
// is used when the header is absent or generic.
Result<Manifest> parse_manifest(const std::string& body, const std::string& content_type);
// os/architecture/variant of an image config blob.
Result<Platform> parse_config_platform(const std::string& body);

struct RegistryError {
  std::string code;  // MANIFEST_UNKNOWN, NAME_UNKNOWN, UNAUTHORIZED, DENIED, TOOMANYREQUESTS, ...
  std::string message;
};
// The first entry of {"errors":[{code,message,detail}]}; nullopt for other bodies.
std::optional<RegistryError> parse_error_body(const std::string& body);

}  // namespace sluice::registry::detail
