// Percent-encoding for building URLs and query strings, shared by every
// client (Kubernetes, registry, Prometheus) so they encode alike.
#pragma once

#include <string>

namespace sluice::util {

// RFC 3986 percent-encoding: everything but unreserved characters
// (ALPHA / DIGIT / "-" / "." / "_" / "~") becomes %XX.
std::string percent_encode(const std::string& text);

}  // namespace sluice::util
