// Platform names and matching, following containerd's normalisation so that
// "linux/arm64" and "linux/arm64/v8" mean the same machine.
#include <sluice/registry/registry.hpp>
#include <sluice/util/quote.hpp>
#include <sluice/util/strings.hpp>

#include <algorithm>
#include <cctype>

namespace sluice::registry {
namespace {

bool valid_part(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.';
  });
}

}  // namespace

std::string Platform::str() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

Result<Platform> parse_platform(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto slash = text.find('/', start);
    parts.push_back(text.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  bool ok = (parts.size() == 2 || parts.size() == 3) && std::all_of(parts.begin(), parts.end(), valid_part);
  if (!ok) {
    return util::make_error(
        util::ErrorKind::invalid,
        "invalid platform " + util::quoted(text, '"') + ": want os/architecture[/variant], e.g. linux/arm64");
  }
  Platform p{util::ascii_lower(parts[0]), util::ascii_lower(parts[1]),
             parts.size() == 3 ? util::ascii_lower(parts[2]) : ""};
  return p;
}

Platform normalize_platform(const Platform& in) {
  Platform p{util::ascii_lower(in.os), util::ascii_lower(in.architecture), util::ascii_lower(in.variant)};
  if (p.architecture == "x86_64" || p.architecture == "x86-64") p.architecture = "amd64";
  if (p.architecture == "i386") p.architecture = "386";
  if (p.architecture == "aarch64") p.architecture = "arm64";
  if (p.architecture == "armhf") p = {p.os, "arm", "v7"};
  if (p.architecture == "armel") p = {p.os, "arm", "v6"};
  if (p.architecture == "arm64" && p.variant == "v8") p.variant.clear();
  if (p.architecture == "amd64" && p.variant == "v1") p.variant.clear();
  if (p.architecture == "arm" && p.variant.empty()) p.variant = "v7";
  return p;
}

bool platform_matches(const Platform& wanted, const Platform& available) {
  return normalize_platform(wanted) == normalize_platform(available);
}

std::vector<Platform> missing_platforms(const std::vector<Platform>& wanted,
                                        const std::vector<Platform>& available) {
  std::vector<Platform> missing;
  for (const auto& w : wanted) {
    bool found = std::any_of(available.begin(), available.end(),
                             [&](const Platform& a) { return platform_matches(w, a); });
    if (!found) missing.push_back(w);
  }
  return missing;
}

}  // namespace sluice::registry
