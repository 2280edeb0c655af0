#include <sluice/http/client.hpp>

#include <strings.h>

namespace sluice::http {

std::string Response::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (strcasecmp(key.c_str(), name.c_str()) == 0) return value;
  }
  return "";
}

bool is_replay_safe(const Request& request) {
  if (request.replay_safe.has_value()) return *request.replay_safe;
  return request.method == "GET" || request.method == "HEAD";
}

bool default_should_retry(const Request& request, const Response* response, const util::Error* error) {
  if (error != nullptr) {
    bool transient = error->kind == util::ErrorKind::timeout || error->kind == util::ErrorKind::unavailable;
    return transient && is_replay_safe(request);
  }
  if (response == nullptr) return false;
  if (response->status == 429) return true;
  // A 5xx without Retry-After may come from a write the server half applied;
  // the server opting in with Retry-After is what makes the retry safe.
  return response->status >= 500 && response->status <= 599 && !response->header("Retry-After").empty();
}

}  // namespace sluice::http
