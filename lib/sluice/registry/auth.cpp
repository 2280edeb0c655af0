#include <sluice/registry/auth.hpp>
#include <sluice/util/base64.hpp>
#include <sluice/util/strings.hpp>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sluice::registry::detail {
namespace {

using nlohmann::json;

// Reads `key="quoted value"` or `key=token`; returns false at the end.
bool next_param(const std::string& h, std::size_t& i, std::string& key, std::string& value) {
  while (i < h.size() && (h[i] == ' ' || h[i] == ',')) ++i;
  auto eq = h.find('=', i);
  if (eq == std::string::npos) return false;
  key = util::ascii_lower(h.substr(i, eq - i));
  i = eq + 1;
  value.clear();
  if (i < h.size() && h[i] == '"') {
    for (++i; i < h.size() && h[i] != '"'; ++i) {
      if (h[i] == '\\' && i + 1 < h.size()) ++i;
      value += h[i];
    }
    ++i;
  } else {
    while (i < h.size() && h[i] != ',') value += h[i++];
  }
  return true;
}

// "https://index.docker.io/v1/" -> "index.docker.io"
std::string host_of_key(const std::string& key) {
  std::string k = key;
  if (auto p = k.find("://"); p != std::string::npos) k = k.substr(p + 3);
  return k.substr(0, k.find('/'));
}

bool same_registry(const std::string& key, const std::string& api_host) {
  std::string h = host_of_key(key);
  if (h == api_host) return true;
  auto docker = [](const std::string& x) {
    return x == "index.docker.io" || x == "docker.io" || x == "registry-1.docker.io";
  };
  return docker(h) && docker(api_host);
}

Result<std::optional<FoundCredentials>> from_helper(const std::string& helper, const std::string& server,
                                                    const CredentialHelperRunner& run) {
  std::string source = "docker-credential-" + helper;
  auto out = run ? run(helper, server) : run_credential_helper(helper, server);
  if (!out) {
    // Helpers exit non-zero with "credentials not found" when they hold nothing for the host.
    if (out.error().kind == util::ErrorKind::not_found) return std::optional<FoundCredentials>{};
    return out.error().with_context(source);
  }
  json doc = json::parse(*out, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.value("Username", json()).is_string() ||
      !doc.value("Secret", json()).is_string()) {
    return util::make_error(util::ErrorKind::invalid,
                            source + ": output is not {\"Username\",\"Secret\"} JSON");
  }
  Credentials c{doc["Username"].get<std::string>(), doc["Secret"].get<std::string>()};
  return std::optional<FoundCredentials>{FoundCredentials{c, source}};
}

Result<std::optional<FoundCredentials>> from_auths(const json& auths, const std::string& api_host) {
  for (const auto& [key, entry] : auths.items()) {
    if (!same_registry(key, api_host) || !entry.is_object()) continue;
    Credentials c{entry.value("username", std::string()), entry.value("password", std::string())};
    if (auto a = entry.find("auth"); a != entry.end() && a->is_string() && !a->get<std::string>().empty()) {
      auto decoded = util::base64_decode(a->get<std::string>());
      auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon == std::string::npos) {
        return util::make_error(util::ErrorKind::invalid,
                                "docker config: auths entry for " + key + " is not base64 of user:password");
      }
      c = Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
    }
    if (!c.username.empty())
      return std::optional<FoundCredentials>{FoundCredentials{c, "docker config auths"}};
  }
  return std::optional<FoundCredentials>{};
}

}  // namespace

std::optional<Challenge> parse_www_authenticate(const std::string& header) {
  // A header may carry several challenges; scan for the schemes we speak.
  std::optional<Challenge> basic;
  std::string lowered = util::ascii_lower(header);
  for (const char* scheme : {"bearer", "basic"}) {
    auto pos = lowered.find(scheme);
    // Skip occurrences inside another challenge's quoted values.
    while (pos != std::string::npos && pos > 0 && lowered[pos - 1] != ' ' && lowered[pos - 1] != ',')
      pos = lowered.find(scheme, pos + 1);
    if (pos == std::string::npos) continue;
    Challenge c{scheme, {}};
    std::size_t i = pos + std::string(scheme).size();
    std::string key, value;
    while (next_param(header, i, key, value)) {
      if (key.find(' ') != std::string::npos) break;  // the next challenge's scheme
      c.params[key] = value;
    }
    if (c.scheme == "bearer") return c;
    basic = c;
  }
  return basic;
}

std::string default_docker_config_path() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir != nullptr && *dir != '\0')
    return std::string(dir) + "/config.json";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    return std::string(home) + "/.docker/config.json";
  return "";
}

std::string docker_config_server(const std::string& api_host) {
  return same_registry(api_host, "docker.io") ? "https://index.docker.io/v1/" : api_host;
}

Result<std::optional<FoundCredentials>> docker_config_credentials(const std::string& config_path,
                                                                  const std::string& api_host,
                                                                  const CredentialHelperRunner& run_helper) {
  std::ifstream in(config_path, std::ios::binary);
  if (config_path.empty() || !in) return std::optional<FoundCredentials>{};
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return util::make_error(util::ErrorKind::invalid, "reading " + config_path + ": not valid JSON");
  }
  std::string server = docker_config_server(api_host);
  if (auto helpers = doc.find("credHelpers"); helpers != doc.end() && helpers->is_object()) {
    for (const auto& [key, name] : helpers->items()) {
      if (same_registry(key, api_host) && name.is_string())
        return from_helper(name.get<std::string>(), server, run_helper);
    }
  }
  if (auto store = doc.find("credsStore");
      store != doc.end() && store->is_string() && !store->get<std::string>().empty()) {
    auto found = from_helper(store->get<std::string>(), server, run_helper);
    if (!found || found->has_value()) return found;
  }
  if (auto auths = doc.find("auths"); auths != doc.end() && auths->is_object())
    return from_auths(*auths, api_host);
  return std::optional<FoundCredentials>{};
}

std::optional<std::string> TokenCache::get(const std::string& key, util::TimePoint now) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || now >= it->second.expires) return std::nullopt;
  return it->second.token;
}

void TokenCache::put(const std::string& key, std::string token, util::TimePoint expires) {
  std::lock_guard lock(mutex_);
  entries_[key] = Entry{std::move(token), expires};
}

}  // namespace sluice::registry::detail
