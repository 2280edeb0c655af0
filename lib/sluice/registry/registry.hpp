// The registry client: turns an image reference into the immutable digest
// sluice deploys, and checks that the image exists for every platform the
// plan needs, before anything in the cluster changes (docs/registry.md).
#pragma once

#include <sluice/http/client.hpp>
#include <sluice/registry/reference.hpp>
#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::registry {

using util::Result;

// What Cosign attaches to an image: signatures (simple-signing payloads)
// and attestations (DSSE envelopes of in-toto statements).
enum class Attachment { signature, attestation };

// One layer of an attached artifact; its bytes are checked against its digest.
struct AttachedLayer {
  std::string media_type;
  std::map<std::string, std::string> annotations;
  std::string content;
  std::string found_by;  // where it was found: "tag sha256-<hex>.sig" or "referrers API"
};

// os/architecture[/variant], e.g. linux/amd64, linux/arm/v7, linux/arm64/v8.
struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;

  std::string str() const;  // "linux/arm/v7"; no trailing slash without a variant
  bool operator==(const Platform& other) const = default;
};

Result<Platform> parse_platform(const std::string& text);
// Canonical form used for comparison: arm64 "v8" and amd64 "v1" variants are
// dropped, arm without a variant means v7, aarch64/x86_64 become arm64/amd64.
Platform normalize_platform(const Platform& p);
bool platform_matches(const Platform& wanted, const Platform& available);
// The wanted platforms not served by any of `available`, in the order asked.
std::vector<Platform> missing_platforms(const std::vector<Platform>& wanted,
                                        const std::vector<Platform>& available);

// What a reference resolved to.
struct ResolvedImage {
  ImageRef ref;                     // as asked
  std::string digest;               // "sha256:..." of the top-level manifest (index or manifest)
  std::string media_type;           // of that manifest
  std::vector<Platform> platforms;  // in the index, or the single manifest's config
  std::string pinned_ref;           // "<domain>/<repository>@<digest>": what sluice deploys
};

struct Credentials {
  std::string username;
  std::string password;
};

// Runs `docker-credential-<helper> get` with `server` on stdin and returns its stdout.
using CredentialHelperRunner =
    std::function<Result<std::string>(const std::string& helper, const std::string& server)>;

struct RegistryOptions {
  // Hosts ("host" or "host:port") reached over plain HTTP. Loopback hosts
  // (localhost, 127.0.0.0/8, ::1) are always treated as insecure, as Docker does.
  std::vector<std::string> insecure_hosts;
  // Docker config file; "" means $DOCKER_CONFIG/config.json, else ~/.docker/config.json.
  std::string docker_config_path;
  // Explicit credentials (flags, or REGISTRY_USERNAME/REGISTRY_PASSWORD via
  // credentials_from_env()); they win over the Docker config for every host.
  std::optional<Credentials> credentials;
  std::string credentials_source = "REGISTRY_USERNAME/REGISTRY_PASSWORD";  // named in messages
  util::Clock* clock = nullptr;          // retry waits and token expiry; system clock when null
  std::shared_ptr<http::Client> http;    // the transport; a curl client when null
  CredentialHelperRunner run_helper;     // when empty, the helper is run from $PATH
  int max_attempts = 4;                  // per request, for 429 and 5xx
  util::Duration max_retry_wait{30000};  // a longer Retry-After is not waited for
  util::Duration request_timeout{30000};
};

// REGISTRY_USERNAME and REGISTRY_PASSWORD, when both are set.
std::optional<Credentials> credentials_from_env();

class Registry {
 public:
  virtual ~Registry() = default;

  // Resolves `ref` to its manifest digest and checks `required` platforms.
  // Error kinds: not_found (tag, digest, repository or a platform missing —
  // every missing platform is named), unauthorized, forbidden,
  // too_many_requests, invalid (digest mismatch, oversized or unknown
  // manifest), timeout/unavailable/tls (transport), cancelled.
  virtual Result<ResolvedImage> resolve(const ImageRef& ref, const std::vector<Platform>& required,
                                        const util::CancelToken* cancel = nullptr) = 0;

  // The layers of the signatures or attestations attached to `digest` in
  // `ref`'s repository: through the OCI 1.1 referrers API where the registry
  // offers it, and Cosign's tag scheme (`sha256-<hex>.sig` / `.att`). None
  // attached is an empty vector, not an error.
  virtual Result<std::vector<AttachedLayer>> attachments(const ImageRef& ref, const std::string& digest,
                                                         Attachment kind,
                                                         const util::CancelToken* cancel = nullptr);
};

std::unique_ptr<Registry> make_registry(RegistryOptions options);

}  // namespace sluice::registry
