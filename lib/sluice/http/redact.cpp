// Redaction of credentials before anything about a request is logged or put
// into an error message, and the one definition of which header and query
// names carry credentials (the plan's record redaction uses it too).
#include <sluice/http/client.hpp>
#include <sluice/http/secret_registry.hpp>

#include <strings.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace sluice::http {
namespace {

constexpr std::string_view k_hidden = "***";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool icontains(std::string_view text, std::string_view part) {
  auto it = std::search(text.begin(), text.end(), part.begin(), part.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

// "user:pass" -> "user:<marker>"; a lone "user" may itself be a token -> "<marker>".
std::string redact_userinfo(std::string_view userinfo, std::string_view marker) {
  auto colon = userinfo.find(':');
  if (colon == std::string_view::npos) return std::string(marker);
  return std::string(userinfo.substr(0, colon + 1)) + std::string(marker);
}

std::string redact_query(std::string_view query, std::string_view marker) {
  std::string out;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    size_t eq = pair.find('=');
    if (start > 0) out += '&';
    if (eq != std::string_view::npos && is_secret_query_param(pair.substr(0, eq))) {
      out += std::string(pair.substr(0, eq + 1)) + std::string(marker);
    } else {
      out += pair;
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

bool is_secret_query_param(std::string_view name) {
  // Short names only as a whole ("author" and "keyboard" are no credentials);
  // distinctive words anywhere in the name ("refresh_token", "X-Amz-Signature").
  static constexpr std::array<std::string_view, 4> k_exact = {"key", "sig", "auth", "code"};
  static constexpr std::array<std::string_view, 7> k_parts = {"token",   "secret", "password", "passwd",
                                                              "api_key", "apikey", "signature"};
  for (auto exact : k_exact)
    if (iequals(name, exact)) return true;
  for (auto part : k_parts)
    if (icontains(name, part)) return true;
  return false;
}

bool is_secret_header(std::string_view name) {
  // A server's challenge names a scheme and realm, never a credential.
  if (iequals(name, "www-authenticate") || iequals(name, "proxy-authenticate")) return false;
  static constexpr std::array<std::string_view, 4> k_whole = {"cookie", "set-cookie", "x-api-key",
                                                              "proxy-authorization"};
  for (auto secret : k_whole)
    if (iequals(name, secret)) return true;
  for (auto part : {"token", "secret", "key", "auth", "password", "passwd"})
    if (icontains(name, part)) return true;
  return false;
}

namespace {

std::string redact_url_by_shape(const std::string& url, std::string_view marker) {
  std::string_view rest(url);
  std::string out;
  auto scheme_end = rest.find("://");
  if (scheme_end != std::string_view::npos) {
    out = std::string(rest.substr(0, scheme_end + 3));
    rest.remove_prefix(scheme_end + 3);
    size_t authority_end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, authority_end);
    // The last '@' ends the userinfo: passwords may contain a raw '@'.
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      out += redact_userinfo(authority.substr(0, at), marker) + "@";
      rest.remove_prefix(at + 1);
    }
  }
  size_t query_start = rest.find('?');
  if (query_start == std::string_view::npos) return out + std::string(rest);
  out += std::string(rest.substr(0, query_start + 1));
  rest.remove_prefix(query_start + 1);
  size_t fragment = rest.find('#');
  out += redact_query(rest.substr(0, fragment), marker);
  if (fragment != std::string_view::npos) out += std::string(rest.substr(fragment));
  return out;
}

std::string redact_header_by_name(const std::string& name, const std::string& value) {
  if (iequals(name, "authorization") || iequals(name, "proxy-authorization")) {
    // Keep the scheme ("Bearer", "Basic"): it helps debugging and is no secret.
    auto space = value.find(' ');
    if (space == std::string::npos) return name + ": " + std::string(k_hidden);
    return name + ": " + value.substr(0, space) + " " + std::string(k_hidden);
  }
  if (is_secret_header(name)) return name + ": " + std::string(k_hidden);
  return name + ": " + value;
}

}  // namespace

// Registered values too (http/secret_registry.hpp): a Slack webhook URL is a
// secret in its path, which no rule by shape finds.
std::string redact_url(const std::string& url, std::string_view marker) {
  return redact_registered(redact_url_by_shape(url, marker), marker);
}

std::string redact_header(const std::string& name, const std::string& value) {
  return redact_registered(redact_header_by_name(name, value));
}

}  // namespace sluice::http
