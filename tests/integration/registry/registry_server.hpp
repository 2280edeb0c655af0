// A real distribution registry (Debian's docker-registry) on 127.0.0.1 for the
// integration tests: plain, behind htpasswd Basic auth, or behind a token
// server the test runs itself, plus helpers that push images over the API.
#pragma once

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <sluice/registry/registry.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
class Client;
}  // namespace httplib

namespace sluice::registry::itest {

inline constexpr const char* k_user = "alice";
inline constexpr const char* k_password = "wonderland-42";

// Issues registry JWTs (ES256, x5c header) signed by a key whose self-signed
// certificate the registry trusts through rootcertbundle.
class TokenServer {
 public:
  explicit TokenServer(const std::filesystem::path& dir);
  ~TokenServer();
  std::string realm() const;
  std::string cert_path() const { return cert_path_; }
  std::string issue(const std::string& scope) const;
  int requests() const { return requests_.load(); }
  bool answer_access_token = false;  // answer {"access_token"} instead of {"token"}

 private:
  std::string cert_path_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
};

enum class Auth { none, htpasswd, token };

class RegistryServer {
 public:
  explicit RegistryServer(Auth auth);
  ~RegistryServer();

  std::string host() const { return host_; }  // "127.0.0.1:<port>"
  TokenServer* tokens() { return tokens_.get(); }

  std::string push_blob(const std::string& repo, const std::string& bytes);
  // Pushes under `ref` (a tag or a digest); returns the manifest digest.
  std::string push_manifest(const std::string& repo, const std::string& ref, const std::string& media_type,
                            const std::string& body);
  // A single-platform image (OCI, or Docker v2 when `docker`); "" tag pushes by digest.
  std::string push_image(const std::string& repo, const std::string& tag, const Platform& platform,
                         bool docker = false);
  // An OCI index, or a Docker manifest list when `docker`, over one image per platform.
  std::string push_index(const std::string& repo, const std::string& tag,
                         const std::vector<Platform>& platforms, bool docker = false);

 private:
  std::unique_ptr<httplib::Client> client(const std::string& repo) const;

  Auth auth_;
  testing::TempDir dir_{"sluice-registry"};
  std::unique_ptr<TokenServer> tokens_;
  std::unique_ptr<test::Process> process_;
  std::string host_;
  std::map<std::string, std::size_t> sizes_;  // of pushed manifests, for index descriptors
};

}  // namespace sluice::registry::itest
