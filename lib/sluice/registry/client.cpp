// Resolving a reference over the OCI distribution API: HEAD for the digest,
// GET by digest with the bytes verified, the platforms checked, and registry
// error bodies turned into one-line messages.
#include <sluice/registry/attachments.hpp>
#include <sluice/registry/manifest.hpp>
#include <sluice/registry/session.hpp>

#include <cstdlib>

namespace sluice::registry {
namespace {

using detail::Session;
using util::ErrorKind;
using util::make_error;

struct FetchedManifest {
  std::string digest;
  std::string content_type;
  std::string body;
};

std::string join(const std::vector<Platform>& platforms) {
  std::string s;
  for (const auto& p : platforms) s += (s.empty() ? "" : ", ") + p.str();
  return s.empty() ? "none" : s;
}

class RegistryClient final : public Registry {
 public:
  explicit RegistryClient(RegistryOptions options)
      : options_(std::move(options)),
        clock_(options_.clock != nullptr ? *options_.clock : util::system_clock()),
        session_(options_, *options_.http, clock_) {}

  Result<ResolvedImage> resolve(const ImageRef& ref, const std::vector<Platform>& required,
                                const util::CancelToken* cancel) override {
    auto fetched = fetch_manifest(ref, cancel);
    if (!fetched) return fetched.error().with_context("image " + ref.str());
    auto manifest = detail::parse_manifest(fetched->body, fetched->content_type);
    if (!manifest) return manifest.error().with_context("image " + ref.str());
    if (!manifest->is_index) {
      auto platform = fetch_config_platform(ref, manifest->config_digest, cancel);
      if (!platform) return platform.error().with_context("image " + ref.str());
      manifest->platforms = {*platform};
    }
    auto missing = missing_platforms(required, manifest->platforms);
    if (!missing.empty()) {
      std::string what = missing.size() == 1 ? "missing platform " : "missing platforms ";
      return make_error(ErrorKind::not_found, "image " + ref.str() + ": " + what + join(missing) +
                                                  " (the image has " + join(manifest->platforms) + ")");
    }
    return ResolvedImage{ref, fetched->digest, manifest->media_type, manifest->platforms,
                         ref.pinned(fetched->digest)};
  }

  Result<std::vector<AttachedLayer>> attachments(const ImageRef& ref, const std::string& digest,
                                                 Attachment kind, const util::CancelToken* cancel) override {
    auto found = detail::fetch_attachments(session_, ref, digest, kind, cancel);
    if (!found) {
      const char* what = kind == Attachment::signature ? "signatures" : "attestations";
      return found.error().with_context(std::string("fetching the ") + what + " of " + ref.pinned(digest));
    }
    return found;
  }

 private:
  std::string manifest_url(const ImageRef& ref, const std::string& reference) const {
    return session_.base_url(ref.api_host()) + "/v2/" + ref.repository + "/manifests/" + reference;
  }

  Result<http::Response> manifest_request(const std::string& method, const std::string& url,
                                          const ImageRef& ref, const util::CancelToken* cancel) {
    http::Request request;
    request.method = method;
    request.url = url;
    request.headers.emplace_back("Accept", detail::manifest_accept_header());
    return session_.send(request, ref, cancel);
  }

  // The digest the registry reports for the reference, from a HEAD; "" when
  // the registry does not say (no header, or 405) and the body must be hashed.
  Result<std::string> head_digest(const ImageRef& ref, const std::string& reference,
                                  const util::CancelToken* cancel) {
    auto head = manifest_request("HEAD", manifest_url(ref, reference), ref, cancel);
    if (!head) return head.error();
    // Retries are already spent on these; a GET would only wait them out again.
    if (head->status == 429 || head->status >= 500) return map_error(*head, ref, reference);
    if (head->status < 200 || head->status > 299) return std::string();  // the GET learns why, from a body
    std::string digest = head->header("Docker-Content-Digest");
    if (!detail::is_sha256_digest(digest)) return std::string();
    if (!ref.digest.empty() && digest != ref.digest) {
      return make_error(ErrorKind::invalid, "the registry reports digest " + digest + " for " + ref.digest);
    }
    return digest;
  }

  Result<FetchedManifest> fetch_manifest(const ImageRef& ref, const util::CancelToken* cancel) {
    // With a tag and a digest, the digest wins: the tag is not consulted.
    std::string reference = ref.digest.empty() ? ref.tag : ref.digest;
    auto expected = head_digest(ref, reference, cancel);
    if (!expected) return expected.error();
    if (expected->empty()) expected = ref.digest;
    auto get =
        manifest_request("GET", manifest_url(ref, expected->empty() ? reference : *expected), ref, cancel);
    if (!get) return get.error();
    if (get->status < 200 || get->status > 299) return map_error(*get, ref, reference);
    if (get->body.size() > detail::k_max_manifest_bytes) {
      return make_error(ErrorKind::invalid,
                        "manifest is " + std::to_string(get->body.size()) + " bytes, over the 4 MiB limit");
    }
    std::string actual = detail::sha256_digest(get->body);
    std::string claimed = expected->empty() ? get->header("Docker-Content-Digest") : *expected;
    if (detail::is_sha256_digest(claimed) && claimed != actual) {
      return make_error(ErrorKind::invalid,
                        "manifest bytes do not match digest " + claimed + " (they hash to " + actual + ")");
    }
    return FetchedManifest{actual, get->header("Content-Type"), std::move(get->body)};
  }

  Result<Platform> fetch_config_platform(const ImageRef& ref, const std::string& digest,
                                         const util::CancelToken* cancel) {
    http::Request request;
    request.url = session_.base_url(ref.api_host()) + "/v2/" + ref.repository + "/blobs/" + digest;
    // Registries backed by object storage redirect blob reads; libcurl does
    // not forward the Authorization header to another host.
    request.follow_redirects = true;
    auto response = session_.send(request, ref, cancel);
    if (!response) return response.error();
    if (response->status < 200 || response->status > 299) return map_error(*response, ref, digest);
    if (response->body.size() > detail::k_max_config_bytes)
      return make_error(ErrorKind::invalid, "image config " + digest + " is over the 8 MiB limit");
    if (detail::sha256_digest(response->body) != digest)
      return make_error(ErrorKind::invalid, "image config bytes do not match digest " + digest);
    return detail::parse_config_platform(response->body);
  }

  util::Error map_error(const http::Response& r, const ImageRef& ref, const std::string& reference) {
    auto body = detail::parse_error_body(r.body);
    std::string code = body ? body->code : "";
    std::string host = ref.api_host();
    util::Error e = classify(r.status, code, ref, reference, host);
    if (e.kind == ErrorKind::too_many_requests || e.kind == ErrorKind::server_error) {
      std::string after = r.header("Retry-After");
      bool seconds =
          !after.empty() && after.size() < 9 && after.find_first_not_of("0123456789") == std::string::npos;
      if (seconds) e.message += "; retry after " + after + "s";
      if (body && !body->message.empty() && e.kind == ErrorKind::server_error)
        e.message += ": " + one_line(body->message);
    }
    e.http_status = r.status;
    return e;
  }

  util::Error classify(int status, const std::string& code, const ImageRef& ref, const std::string& reference,
                       const std::string& host) {
    bool digest = reference.rfind("sha256:", 0) == 0;
    if (code == "NAME_UNKNOWN")
      return make_error(ErrorKind::not_found, "repository \"" + ref.repository + "\" not found on " + host);
    if (code == "MANIFEST_UNKNOWN" || code == "BLOB_UNKNOWN" || status == 404) {
      return make_error(ErrorKind::not_found, digest ? "manifest " + reference + " not found"
                                                     : "tag \"" + reference + "\" not found");
    }
    if (code == "UNAUTHORIZED" || status == 401) {
      std::string source = session_.credential_source(host);
      return make_error(ErrorKind::unauthorized,
                        source.empty()
                            ? host + " requires authentication and no credentials were found for it"
                            : host + " rejected the credentials from " + source);
    }
    if (code == "DENIED" || status == 403) {
      return make_error(ErrorKind::forbidden,
                        "access to repository \"" + ref.repository + "\" on " + host + " denied");
    }
    if (code == "TOOMANYREQUESTS" || status == 429)
      return make_error(ErrorKind::too_many_requests, host + " is rate limiting requests (TOOMANYREQUESTS)");
    if (status >= 500)
      return make_error(ErrorKind::server_error, host + " answered HTTP " + std::to_string(status));
    return make_error(ErrorKind::internal, host + " answered HTTP " + std::to_string(status) +
                                               (code.empty() ? "" : " (" + code + ")"));
  }

  static std::string one_line(std::string s) {
    for (auto& c : s)
      if (c == '\n' || c == '\r') c = ' ';
    return s.size() > 200 ? s.substr(0, 200) + "..." : s;
  }

  RegistryOptions options_;
  util::Clock& clock_;
  Session session_;
};

}  // namespace

Result<std::vector<AttachedLayer>> Registry::attachments(const ImageRef& ref, const std::string& /*digest*/,
                                                         Attachment /*kind*/,
                                                         const util::CancelToken* /*cancel*/) {
  return make_error(ErrorKind::internal,
                    "this registry client cannot fetch what is attached to " + ref.str());
}

std::optional<Credentials> credentials_from_env() {
  const char* user = std::getenv("REGISTRY_USERNAME");
  const char* pass = std::getenv("REGISTRY_PASSWORD");
  if (user == nullptr || pass == nullptr || *user == '\0') return std::nullopt;
  return Credentials{user, pass};
}

std::unique_ptr<Registry> make_registry(RegistryOptions options) {
  if (!options.http) {
    http::ClientOptions client;
    client.clock = options.clock;
    options.http = http::make_curl_client(std::move(client));
  }
  return std::make_unique<RegistryClient>(std::move(options));
}

}  // namespace sluice::registry
