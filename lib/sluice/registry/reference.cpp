// Image reference grammar, following distribution/reference (the parser the
// Docker CLI uses) so a reference means in sluice what it means to `docker pull`.
#include <sluice/registry/reference.hpp>

#include <sluice/util/quote.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace sluice::registry {
namespace {

constexpr const char* k_default_domain = "docker.io";
constexpr const char* k_docker_api_host = "registry-1.docker.io";
constexpr std::size_t k_max_name_length = 255;

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
// ASCII only, whatever the locale: hostile bytes must not pass as letters.
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

// One path component: [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
bool valid_path_component(const std::string& c) {
  std::size_t i = 0;
  while (i < c.size()) {
    if (!is_lower_alnum(c[i])) return false;
    while (i < c.size() && is_lower_alnum(c[i])) ++i;
    if (i == c.size()) return true;
    std::size_t sep = i;
    while (i < c.size() && !is_lower_alnum(c[i])) ++i;
    std::string s = c.substr(sep, i - sep);
    bool dashes = std::all_of(s.begin(), s.end(), [](char ch) { return ch == '-'; });
    if (!(s == "." || s == "_" || s == "__" || dashes)) return false;
    if (i == c.size()) return false;  // must end with an alphanumeric
  }
  return !c.empty();
}

bool valid_host_label(const std::string& l) {
  if (l.empty() || !is_alnum(l.front()) || !is_alnum(l.back())) return false;
  return std::all_of(l.begin(), l.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

// host(.host)*(:port)? or [ipv6](:port)?
bool valid_domain(const std::string& d) {
  std::string host = d;
  std::string port;
  if (!d.empty() && d.front() == '[') {
    auto close = d.find(']');
    if (close == std::string::npos || close == 1) return false;
    std::string inner = d.substr(1, close - 1);
    if (!std::all_of(inner.begin(), inner.end(),
                     [](char c) { return is_hex(c) || (c >= 'A' && c <= 'F') || c == ':'; }))
      return false;
    std::string rest = d.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    port = rest.substr(1);
    return !port.empty() && std::all_of(port.begin(), port.end(), is_digit);
  }
  if (auto colon = d.find(':'); colon != std::string::npos) {
    host = d.substr(0, colon);
    port = d.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), is_digit)) return false;
  }
  std::size_t start = 0;
  while (true) {
    auto dot = host.find('.', start);
    if (!valid_host_label(host.substr(start, dot - start))) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

bool valid_tag(const std::string& t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) { return is_alnum(c) || c == '_'; };
  if (!word(t.front())) return false;
  return std::all_of(t.begin(), t.end(), [&](char c) { return word(c) || c == '.' || c == '-'; });
}

bool valid_digest(const std::string& d) {
  if (d.rfind("sha256:", 0) != 0 || d.size() != 7 + 64) return false;
  return std::all_of(d.begin() + 7, d.end(), is_hex);
}

// Docker's rule: the first component is a registry host only when it contains
// '.' or ':', is "localhost", or has an uppercase letter.
void split_domain(const std::string& name, std::string& domain, std::string& remainder) {
  auto slash = name.find('/');
  std::string first = slash == std::string::npos ? "" : name.substr(0, slash);
  bool lower = std::none_of(first.begin(), first.end(),
                            [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
  if (slash == std::string::npos ||
      (first.find_first_of(".:") == std::string::npos && first != "localhost" && lower)) {
    domain = k_default_domain;
    remainder = name;
  } else {
    domain = first;
    remainder = name.substr(slash + 1);
  }
  if (domain == "index.docker.io") domain = k_default_domain;
  if (domain == k_default_domain && remainder.find('/') == std::string::npos)
    remainder = "library/" + remainder;
}

std::optional<std::string> check_repository(const std::string& repo) {
  if (repo.empty()) return "repository name must have at least one component";
  std::string lower = repo;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower != repo) return "repository name must be lowercase";
  std::size_t start = 0;
  while (true) {
    auto slash = repo.find('/', start);
    if (!valid_path_component(repo.substr(start, slash - start))) return "invalid reference format";
    if (slash == std::string::npos) return std::nullopt;
    start = slash + 1;
  }
}

// Fills `ref` from `text`; the reason when `text` is not a valid reference.
std::optional<std::string> parse_into(const std::string& text, ImageRef& ref) {
  if (text.empty()) return "the reference is empty";
  if (text.size() == 64 && std::all_of(text.begin(), text.end(), is_hex))
    return "cannot specify 64-byte hexadecimal strings";
  std::string rest = text;
  if (auto at = rest.find('@'); at != std::string::npos) {
    ref.digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
    if (!valid_digest(ref.digest)) return "invalid digest format (want sha256:<64 lowercase hex>)";
  }
  std::string remainder;
  split_domain(rest, ref.domain, remainder);
  if (auto colon = remainder.rfind(':'); colon != std::string::npos) {
    ref.tag = remainder.substr(colon + 1);
    remainder = remainder.substr(0, colon);
    if (!valid_tag(ref.tag)) return "invalid tag format";
  }
  if (!valid_domain(ref.domain)) return "invalid reference format";
  if (auto why = check_repository(remainder)) return why;
  ref.repository = remainder;
  if (ref.name().size() > k_max_name_length) return "repository name must not be more than 255 characters";
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return std::nullopt;
}

}  // namespace

util::Result<ImageRef> parse_image_ref(const std::string& text) {
  ImageRef ref;
  if (auto why = parse_into(text, ref)) {
    return util::make_error(util::ErrorKind::invalid,
                            "invalid image reference " + util::quoted(text, '"') + ": " + *why);
  }
  return ref;
}

std::optional<std::string> image_ref_problem(const std::string& text) {
  ImageRef ignored;
  return parse_into(text, ignored);
}

std::string ImageRef::api_host() const {
  return domain == k_default_domain ? k_docker_api_host : domain;
}

std::string ImageRef::name() const {
  return domain + "/" + repository;
}

std::string ImageRef::str() const {
  std::string s = name();
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += "@" + digest;
  return s;
}

std::string ImageRef::pinned(const std::string& manifest_digest) const {
  return name() + "@" + manifest_digest;
}

}  // namespace sluice::registry
