#include <sluice/kube/wire.hpp>
#include <sluice/util/url.hpp>

#include <strings.h>
#include <algorithm>
#include <cctype>

namespace sluice::kube::wire {

std::string header(const http::Headers& headers, const std::string& name) {
  for (const auto& [key, value] : headers) {
    if (strcasecmp(key.c_str(), name.c_str()) == 0) return value;
  }
  return "";
}

std::string escape(const std::string& text) {
  return util::percent_encode(text);
}

}  // namespace sluice::kube::wire
