// An in-memory distribution registry behind a fake http::Client, for pure
// unit tests of the resolve flow (auth, retries, digests). Integration tests
// use the real docker-registry instead.
#pragma once

#include <sluice/http/client.hpp>
#include <sluice/util/base64.hpp>
#include <sluice/util/sha256.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace sluice::registry::testing {

struct StoredManifest {
  std::string media_type;
  std::string body;
};

class FakeRegistry final : public http::Client {
 public:
  enum class Auth { none, basic, bearer };

  std::string host = "registry.test";
  Auth auth = Auth::none;
  std::string user = "alice", password = "s3cret";
  int token_expires_in = 0;       // 0: left out of the token answer
  bool anonymous_tokens = false;  // the token service also serves callers without credentials
  std::string realm = "https://auth.test/token";
  bool head_405 = false;
  bool head_without_digest = false;
  std::string tamper_digest_header;     // sent instead of the true digest when set
  std::deque<http::Response> scripted;  // answered first, one per request
  std::vector<http::Request> requests;
  int token_requests = 0;

  static std::string digest_of(const std::string& body) { return "sha256:" + util::sha256_hex(body); }

  std::string put_manifest(const std::string& repo, const std::string& tag, const std::string& media_type,
                           const std::string& body) {
    std::string d = digest_of(body);
    manifests_[repo + "/" + d] = {media_type, body};
    if (!tag.empty()) manifests_[repo + "/" + tag] = {media_type, body};
    return d;
  }
  std::string put_blob(const std::string& body) {
    blobs_[digest_of(body)] = body;
    return digest_of(body);
  }
  // A single-platform OCI image; returns the manifest digest.
  std::string put_image(const std::string& repo, const std::string& tag, const std::string& os,
                        const std::string& arch) {
    std::string config =
        R"({"os":")" + os + R"(","architecture":")" + arch + R"(","rootfs":{"type":"layers"}})";
    std::string cd = put_blob(config);
    std::string m =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{)"
        R"("mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
        cd + R"(","size":)" + std::to_string(config.size()) + R"(},"layers":[]})";
    return put_manifest(repo, tag, "application/vnd.oci.image.manifest.v1+json", m);
  }

  util::Result<http::Response> send(const http::Request& r, const util::CancelToken* = nullptr) override {
    requests.push_back(r);
    if (!scripted.empty()) {
      auto next = scripted.front();
      scripted.pop_front();
      return next;
    }
    if (r.url.find(realm) == 0) return token(r);
    if (auto denied = check_auth(r)) return *denied;
    return serve(r);
  }
  util::Result<http::Response> stream(const http::Request&, const http::LineHandler&,
                                      const util::CancelToken* = nullptr) override {
    return util::make_error(util::ErrorKind::internal, "the registry client does not stream");
  }

 private:
  static http::Response answer(int status, std::string body = "", http::Headers headers = {}) {
    return http::Response{status, std::move(headers), std::move(body)};
  }
  static http::Response registry_error(int status, const std::string& code) {
    return answer(status, R"({"errors":[{"code":")" + code + R"(","message":"x","detail":null}]})");
  }
  static bool has_header(const http::Request& r, const std::string& name, const std::string& value) {
    for (const auto& [n, v] : r.headers)
      if (n == name && v == value) return true;
    return false;
  }
  std::optional<http::Response> check_auth(const http::Request& r) {
    if (auth == Auth::none) return std::nullopt;
    if (auth == Auth::basic) {
      if (has_header(r, "Authorization", "Basic " + util::base64_encode(user + ":" + password)))
        return std::nullopt;
      auto a = registry_error(401, "UNAUTHORIZED");
      a.headers.emplace_back("WWW-Authenticate", R"(Basic realm="fake")");
      return a;
    }
    if (has_header(r, "Authorization", "Bearer tok-" + std::to_string(token_requests))) return std::nullopt;
    auto a = registry_error(401, "UNAUTHORIZED");
    a.headers.emplace_back("WWW-Authenticate",
                           "Bearer realm=\"" + realm + R"(",service="fake",scope="repository:app:pull")");
    return a;
  }
  http::Response token(const http::Request& r) {
    ++token_requests;
    bool anonymous = std::none_of(r.headers.begin(), r.headers.end(),
                                  [](const auto& h) { return h.first == "Authorization"; });
    bool valid = has_header(r, "Authorization", "Basic " + util::base64_encode(user + ":" + password));
    if (!valid && !(anonymous && anonymous_tokens)) return answer(401);
    std::string body = R"({"token":"tok-)" + std::to_string(token_requests) + "\"";
    if (token_expires_in > 0) body += R"(,"expires_in":)" + std::to_string(token_expires_in);
    return answer(200, body + "}");
  }
  http::Response serve(const http::Request& r) {
    std::string prefix = "https://" + host + "/v2/";
    if (r.url.rfind(prefix, 0) != 0) return answer(404);
    std::string path = r.url.substr(prefix.size());
    if (auto m = path.find("/manifests/"); m != std::string::npos) {
      std::string repo = path.substr(0, m);
      auto it = manifests_.find(repo + "/" + path.substr(m + 11));
      if (repo != "app") return registry_error(404, "NAME_UNKNOWN");
      if (it == manifests_.end()) return registry_error(404, "MANIFEST_UNKNOWN");
      if (r.method == "HEAD" && head_405) return answer(405);
      http::Headers h{{"Content-Type", it->second.media_type}};
      bool send_digest = !(r.method == "HEAD" && head_without_digest);
      if (send_digest)
        h.emplace_back("Docker-Content-Digest",
                       tamper_digest_header.empty() ? digest_of(it->second.body) : tamper_digest_header);
      return answer(200, r.method == "HEAD" ? "" : it->second.body, h);
    }
    if (auto b = path.find("/blobs/"); b != std::string::npos) {
      auto it = blobs_.find(path.substr(b + 7));
      return it == blobs_.end() ? registry_error(404, "BLOB_UNKNOWN") : answer(200, it->second);
    }
    return answer(404);
  }

  std::map<std::string, StoredManifest> manifests_;
  std::map<std::string, std::string> blobs_;
};

}  // namespace sluice::registry::testing
