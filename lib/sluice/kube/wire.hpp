// Small wire helpers private to the kube client: header lookup, query
// escaping, base64 (kubeconfig *-data fields, Basic auth), Retry-After.
// Kept here so the client does not depend on unlanded util helpers.
#pragma once

#include <sluice/http/client.hpp>
#include <sluice/util/clock.hpp>

#include <optional>
#include <string>

namespace sluice::kube::wire {

// First header named `name` (case-insensitive), or "".
std::string header(const http::Headers& headers, const std::string& name);
// Percent-encodes everything except RFC 3986 unreserved characters.
std::string escape(const std::string& text);
std::string base64_encode(const std::string& bytes);
// nullopt when `text` is not valid base64 (whitespace is ignored).
std::optional<std::string> base64_decode(const std::string& text);
// Seconds ("3") or an HTTP-date relative to `now`; nullopt when absent or bad.
std::optional<util::Duration> retry_after(const std::string& value, util::WallTime now);

}  // namespace sluice::kube::wire
