// Base64 (RFC 4648) for kubeconfig *-data fields, Secret data and registry
// auth ("user:password" in docker config.json).
#pragma once

#include <sluice/util/result.hpp>

#include <string>
#include <string_view>

namespace sluice::util {

// Standard alphabet with '=' padding.
std::string base64_encode(std::string_view bytes);

// Accepts the standard and the URL-safe alphabet, with or without padding;
// whitespace (line breaks in PEM-like input) is skipped. Anything else is an
// Error of kind invalid.
Result<std::string> base64_decode(std::string_view text);

}  // namespace sluice::util
