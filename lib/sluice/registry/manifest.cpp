#include <sluice/registry/manifest.hpp>
#include <sluice/util/sha256.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace sluice::registry::detail {
namespace {

using nlohmann::json;

util::Error bad_manifest(const std::string& why) {
  return util::make_error(util::ErrorKind::invalid, "unreadable manifest: " + why);
}

std::string str_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Drop parameters such as "; charset=utf-8".
std::string bare_media_type(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

bool known_media_type(const std::string& t) {
  return t == k_oci_index || t == k_oci_manifest || t == k_docker_list || t == k_docker_manifest;
}

Platform platform_of(const json& p) {
  return Platform{str_field(p, "os"), str_field(p, "architecture"), str_field(p, "variant")};
}

Result<std::vector<Platform>> index_platforms(const json& doc) {
  auto it = doc.find("manifests");
  if (it == doc.end() || !it->is_array()) return bad_manifest("an index without a manifests list");
  std::vector<Platform> out;
  for (const auto& entry : *it) {
    auto p = entry.find("platform");
    if (p == entry.end() || !p->is_object()) continue;
    Platform platform = platform_of(*p);
    // buildx stores provenance/SBOM attestations as unknown/unknown entries.
    if (platform.os == "unknown" || platform.os.empty()) continue;
    if (std::find(out.begin(), out.end(), platform) == out.end()) out.push_back(platform);
  }
  return out;
}

}  // namespace

std::string manifest_accept_header() {
  return std::string(k_oci_index) + ", " + k_oci_manifest + ", " + k_docker_list + ", " + k_docker_manifest;
}

std::string sha256_digest(const std::string& bytes) {
  return "sha256:" + util::sha256_hex(bytes);
}

bool is_sha256_digest(const std::string& text) {
  if (text.size() != 71 || text.rfind("sha256:", 0) != 0) return false;
  return std::all_of(text.begin() + 7, text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<Manifest> parse_manifest(const std::string& body, const std::string& content_type) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return bad_manifest("not a JSON object");
  Manifest m;
  std::string header_type = bare_media_type(content_type);
  bool generic = header_type.empty() || header_type == "application/json" || header_type == "text/plain" ||
                 header_type == "application/octet-stream";
  m.media_type = known_media_type(header_type) ? header_type : str_field(doc, "mediaType");
  if (m.media_type.empty() && !generic) m.media_type = header_type;
  if (m.media_type.empty()) m.media_type = doc.contains("manifests") ? k_oci_index : k_oci_manifest;
  if (!known_media_type(m.media_type)) {
    return util::make_error(util::ErrorKind::invalid, "unsupported manifest type " + m.media_type +
                                                          " (sluice reads OCI and Docker v2 manifests)");
  }
  m.is_index = m.media_type == k_oci_index || m.media_type == k_docker_list;
  if (m.is_index) {
    auto platforms = index_platforms(doc);
    if (!platforms) return platforms.error();
    m.platforms = std::move(*platforms);
    return m;
  }
  auto config = doc.find("config");
  if (config == doc.end() || !config->is_object()) return bad_manifest("a manifest without a config");
  m.config_digest = str_field(*config, "digest");
  if (!is_sha256_digest(m.config_digest))
    return bad_manifest("config digest \"" + m.config_digest + "\" is not sha256");
  return m;
}

Result<Platform> parse_config_platform(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return util::make_error(util::ErrorKind::invalid, "unreadable image config: not a JSON object");
  }
  Platform p = platform_of(doc);
  if (p.os.empty() || p.architecture.empty()) {
    return util::make_error(util::ErrorKind::invalid, "unreadable image config: no os/architecture");
  }
  return p;
}

std::optional<RegistryError> parse_error_body(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  auto errors = doc.find("errors");
  if (errors == doc.end() || !errors->is_array() || errors->empty() || !(*errors)[0].is_object())
    return std::nullopt;
  const json& e = (*errors)[0];
  return RegistryError{str_field(e, "code"), str_field(e, "message")};
}

}  // namespace sluice::registry::detail
