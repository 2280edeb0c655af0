// Small wire helpers private to the kube client: header lookup in a header
// list and query-string escaping.
#pragma once

#include <sluice/http/client.hpp>
#include <string>

namespace sluice::kube::wire {

// First header named `name` (case-insensitive), or "".
std::string header(const http::Headers& headers, const std::string& name);
// Percent-encodes everything except RFC 3986 unreserved characters.
std::string escape(const std::string& text);

}  // namespace sluice::kube::wire
