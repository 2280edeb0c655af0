#include <sluice/kube/errors.hpp>

#include <chrono>

namespace sluice::kube {

using util::ErrorKind;

namespace {

ErrorKind kind_for_reason(const std::string& reason, bool& known) {
  known = true;
  if (reason == "NotFound") return ErrorKind::not_found;
  if (reason == "AlreadyExists") return ErrorKind::already_exists;
  if (reason == "Conflict") return ErrorKind::conflict;
  if (reason == "Invalid" || reason == "BadRequest") return ErrorKind::invalid;
  if (reason == "Gone" || reason == "Expired") return ErrorKind::gone;
  if (reason == "Unauthorized") return ErrorKind::unauthorized;
  if (reason == "Forbidden") return ErrorKind::forbidden;
  if (reason == "TooManyRequests") return ErrorKind::too_many_requests;
  if (reason == "Timeout" || reason == "ServerTimeout") return ErrorKind::timeout;
  if (reason == "InternalError" || reason == "ServiceUnavailable") return ErrorKind::server_error;
  known = false;
  return ErrorKind::internal;
}

ErrorKind kind_for_code(int code) {
  switch (code) {
    case 400:
    case 422: return ErrorKind::invalid;
    case 401: return ErrorKind::unauthorized;
    case 403: return ErrorKind::forbidden;
    case 404: return ErrorKind::not_found;
    case 409: return ErrorKind::conflict;
    case 410: return ErrorKind::gone;
    case 429: return ErrorKind::too_many_requests;
    case 504: return ErrorKind::timeout;
    default: break;
  }
  return code >= 500 ? ErrorKind::server_error : ErrorKind::internal;
}

std::string str_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string causes_text(const std::vector<StatusCause>& causes) {
  std::string out;
  for (const auto& c : causes) {
    if (!out.empty()) out += "; ";
    out += c.field.empty() ? c.message : c.field + ": " + c.message;
  }
  return out;
}

// A non-Status body (a proxy's HTML page) is shown only as a short excerpt.
std::string excerpt(const std::string& body) {
  std::string out = body.substr(0, 200);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return body.size() > 200 ? out + "..." : out;
}

}  // namespace

ErrorKind error_kind_for(int http_status, const std::string& reason) {
  bool known = false;
  ErrorKind kind = kind_for_reason(reason, known);
  return known ? kind : kind_for_code(http_status);
}

std::vector<StatusCause> status_causes(const nlohmann::json& status) {
  std::vector<StatusCause> out;
  if (!status.is_object()) return out;
  auto details = status.find("details");
  if (details == status.end() || !details->is_object()) return out;
  auto causes = details->find("causes");
  if (causes == details->end() || !causes->is_array()) return out;
  for (const auto& c : *causes) {
    if (c.is_object())
      out.push_back({str_field(c, "reason"), str_field(c, "message"), str_field(c, "field")});
  }
  return out;
}

util::Error error_from_status(const nlohmann::json& status, int http_status) {
  int code = http_status;
  if (status.contains("code") && status["code"].is_number_integer()) code = status["code"].get<int>();
  std::string reason = str_field(status, "reason");
  util::Error error = util::make_error(error_kind_for(code, reason), str_field(status, "message"));
  error.http_status = code;
  if (error.message.empty()) error.message = reason.empty() ? "HTTP " + std::to_string(code) : reason;
  auto causes = status_causes(status);
  // Kubernetes already lists the causes in Invalid messages; add them only when absent.
  std::string listed = causes_text(causes);
  if (!listed.empty() && error.message.find(causes.front().message) == std::string::npos) {
    error.message += ": " + listed;
  }
  auto details = status.find("details");
  if (details != status.end() && details->is_object() && details->contains("retryAfterSeconds") &&
      (*details)["retryAfterSeconds"].is_number()) {
    error.retry_after = std::chrono::seconds((*details)["retryAfterSeconds"].get<long long>());
  }
  return error;
}

util::Error error_from_response(const http::Response& response) {
  nlohmann::json status = nlohmann::json::parse(response.body, nullptr, false);
  util::Error error;
  if (status.is_object() && str_field(status, "kind") == "Status") {
    error = error_from_status(status, response.status);
    error.http_status = response.status;
    if (!status.contains("reason")) error.kind = error_kind_for(response.status, "");
  } else {
    error = util::make_error(error_kind_for(response.status, ""), "HTTP " + std::to_string(response.status));
    error.http_status = response.status;
    if (!response.body.empty()) error.message += ": " + excerpt(response.body);
  }
  // The header is what client-go honours first; the Status detail is the fallback.
  auto parsed = http::parse_retry_after(response.header("Retry-After"), std::chrono::system_clock::now());
  if (parsed) error.retry_after = parsed;
  return error;
}

}  // namespace sluice::kube
