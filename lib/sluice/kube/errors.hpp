// Turns a Kubernetes API error answer (a Status object, or whatever a proxy
// sent instead) into a typed util::Error, so callers decide on kinds, not text.
#pragma once

#include <sluice/http/client.hpp>
#include <sluice/util/result.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sluice::kube {

// details.causes[] of a Status, e.g. Invalid's field errors or an apply's FieldManagerConflict.
struct StatusCause {
  std::string reason;  // "FieldValueInvalid", "FieldManagerConflict"
  std::string message;
  std::string field;  // "spec.replicas"
};

// Kind from Status.reason when known, else from the HTTP code:
// NotFound/404 not_found, AlreadyExists already_exists, Conflict conflict,
// Invalid/422 and BadRequest/400 invalid, Gone/Expired/410 gone, 401 unauthorized,
// 403 forbidden, 429 too_many_requests, Timeout/504 timeout, other 5xx server_error.
util::ErrorKind error_kind_for(int http_status, const std::string& reason);

// The Error for a non-2xx answer. The message is the Status message (with the
// Invalid causes appended as "field: message; ..."), else the HTTP status and a
// short body excerpt. retry_after from details.retryAfterSeconds or Retry-After.
util::Error error_from_response(const http::Response& response);

// An Error from a Status object (also used for watch ERROR events).
util::Error error_from_status(const nlohmann::json& status, int http_status = 0);

std::vector<StatusCause> status_causes(const nlohmann::json& status);

}  // namespace sluice::kube
