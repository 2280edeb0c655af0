#include "registry_server.hpp"

#include <sluice/util/sha256.hpp>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace sluice::registry::itest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string digest_of(const std::string& bytes) {
  return "sha256:" + util::sha256_hex(bytes);
}

std::string config_yaml(const fs::path& dir, Auth auth, const TokenServer* tokens) {
  std::string y =
      "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\n"
      "storage:\n  filesystem:\n    rootdirectory: " +
      (dir / "data").string() +
      "\n  maintenance:\n    uploadpurging:\n      enabled: false\n"
      "http:\n  addr: 127.0.0.1:0\n  secret: sluice-test-secret\n";
  if (auth == Auth::htpasswd)
    y += "auth:\n  htpasswd:\n    realm: sluice-test\n    path: " + (dir / "htpasswd").string() + "\n";
  if (auth == Auth::token) {
    y += "auth:\n  token:\n    realm: " + tokens->realm() +
         "\n    service: sluice-test\n"
         "    issuer: sluice-test-issuer\n    rootcertbundle: " +
         tokens->cert_path() + "\n";
  }
  return y;
}

void write_htpasswd(const fs::path& file) {
  auto r = test::run(test::find_program("htpasswd"), {"-Bbn", k_user, k_password});
  if (r.exit_code != 0) throw std::runtime_error("htpasswd failed: " + r.err);
  std::ofstream(file) << r.out;
}

std::string path_of(const std::string& location) {
  auto scheme = location.find("://");
  return scheme == std::string::npos ? location : location.substr(location.find('/', scheme + 3));
}

void expect(const httplib::Result& r, int status, const std::string& what) {
  if (!r || r->status != status) {
    throw std::runtime_error(what + ": " + (r ? std::to_string(r->status) + " " + r->body : "no answer"));
  }
}

}  // namespace

RegistryServer::RegistryServer(Auth auth) : auth_(auth) {
  if (auth == Auth::htpasswd) write_htpasswd(dir_.path() / "htpasswd");
  if (auth == Auth::token) tokens_ = std::make_unique<TokenServer>(dir_.path());
  auto config = dir_.path() / "config.yml";
  std::ofstream(config) << config_yaml(dir_.path(), auth, tokens_.get());
  process_ = std::make_unique<test::Process>(test::find_program("docker-registry"),
                                             std::vector<std::string>{"serve", config.string()});
  // The registry logs to stderr.
  auto line = process_->wait_for_line(test::Stream::err, "listening on 127.0.0.1:", std::chrono::seconds(20));
  if (!line) {
    throw std::runtime_error("docker-registry did not start:\n" + process_->stdout_text() +
                             process_->stderr_text());
  }
  auto at = line->find("listening on ") + 13;
  host_ = line->substr(at, line->find_first_of("\" ", at) - at);
}

// Test servers keep nothing worth a clean shutdown (their storage is a temp
// dir), and docker-registry takes over a second to exit on SIGTERM: no grace.
RegistryServer::~RegistryServer() {
  if (process_) process_->terminate(std::chrono::milliseconds(0));
}

std::unique_ptr<httplib::Client> RegistryServer::client(const std::string& repo) const {
  auto c = std::make_unique<httplib::Client>("http://" + host_);
  c->set_connection_timeout(5);
  c->set_read_timeout(10);
  c->set_tcp_nodelay(true);  // headers and body go in separate writes; avoid delayed-ACK stalls
  c->set_keep_alive(true);
  if (auth_ == Auth::htpasswd) c->set_basic_auth(k_user, k_password);
  if (auth_ == Auth::token) c->set_bearer_token_auth(tokens_->issue("repository:" + repo + ":pull,push"));
  return c;
}

std::string RegistryServer::push_blob(const std::string& repo, const std::string& bytes) {
  auto c = client(repo);
  std::string digest = digest_of(bytes);
  auto started = c->Post(("/v2/" + repo + "/blobs/uploads/").c_str());
  expect(started, 202, "starting a blob upload");
  std::string location = path_of(started->get_header_value("Location"));
  location += (location.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + digest;
  expect(c->Put(location.c_str(), bytes, "application/octet-stream"), 201, "uploading blob " + digest);
  return digest;
}

std::string RegistryServer::push_manifest(const std::string& repo, const std::string& ref,
                                          const std::string& media_type, const std::string& body) {
  auto c = client(repo);
  expect(c->Put(("/v2/" + repo + "/manifests/" + ref).c_str(), body, media_type.c_str()), 201,
         "pushing manifest " + repo + ":" + ref);
  sizes_[digest_of(body)] = body.size();
  return digest_of(body);
}

std::string RegistryServer::push_image(const std::string& repo, const std::string& tag,
                                       const Platform& platform, bool docker) {
  std::string layer = "layer of " + platform.str() + " for " + repo + ":" + tag;
  std::string layer_digest = push_blob(repo, layer);
  json config{{"os", platform.os},
              {"architecture", platform.architecture},
              {"rootfs", {{"type", "layers"}, {"diff_ids", {layer_digest}}}},
              {"config", json::object()}};
  if (!platform.variant.empty()) config["variant"] = platform.variant;
  std::string config_text = config.dump();
  std::string config_digest = push_blob(repo, config_text);
  std::string type = docker ? "application/vnd.docker.distribution.manifest.v2+json"
                            : "application/vnd.oci.image.manifest.v1+json";
  json manifest{{"schemaVersion", 2},
                {"mediaType", type},
                {"config",
                 {{"mediaType", docker ? "application/vnd.docker.container.image.v1+json"
                                       : "application/vnd.oci.image.config.v1+json"},
                  {"digest", config_digest},
                  {"size", config_text.size()}}},
                {"layers",
                 {{{"mediaType", docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
                                        : "application/vnd.oci.image.layer.v1.tar+gzip"},
                   {"digest", layer_digest},
                   {"size", layer.size()}}}}};
  std::string body = manifest.dump();
  return push_manifest(repo, tag.empty() ? digest_of(body) : tag, type, body);
}

std::string RegistryServer::push_index(const std::string& repo, const std::string& tag,
                                       const std::vector<Platform>& platforms, bool docker) {
  std::string child_type = docker ? "application/vnd.docker.distribution.manifest.v2+json"
                                  : "application/vnd.oci.image.manifest.v1+json";
  std::string type = docker ? "application/vnd.docker.distribution.manifest.list.v2+json"
                            : "application/vnd.oci.image.index.v1+json";
  json manifests = json::array();
  for (const auto& p : platforms) {
    std::string digest = push_image(repo, "", p, docker);
    json platform{{"os", p.os}, {"architecture", p.architecture}};
    if (!p.variant.empty()) platform["variant"] = p.variant;
    manifests.push_back(
        {{"mediaType", child_type}, {"digest", digest}, {"size", sizes_[digest]}, {"platform", platform}});
  }
  json index{{"schemaVersion", 2}, {"mediaType", type}, {"manifests", manifests}};
  return push_manifest(repo, tag, type, index.dump());
}

}  // namespace sluice::registry::itest
