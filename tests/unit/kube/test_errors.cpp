#include <sluice/kube/errors.hpp>

#include <catch2/catch.hpp>

using sluice::kube::error_from_response;
using sluice::util::ErrorKind;

namespace {

sluice::http::Response status_answer(int code, const std::string& reason, const std::string& message,
                                     nlohmann::json details = nullptr) {
  nlohmann::json status = {{"kind", "Status"},   {"apiVersion", "v1"}, {"status", "Failure"},
                           {"message", message}, {"reason", reason},   {"code", code}};
  if (!details.is_null()) status["details"] = details;
  return sluice::http::Response{code, {}, status.dump()};
}

}  // namespace

TEST_CASE("Status reasons map to error kinds", "[kube][errors]") {
  struct Row {
    int code;
    const char* reason;
    ErrorKind kind;
  };
  const Row rows[] = {
      {404, "NotFound", ErrorKind::not_found},
      {409, "AlreadyExists", ErrorKind::already_exists},
      {409, "Conflict", ErrorKind::conflict},
      {422, "Invalid", ErrorKind::invalid},
      {400, "BadRequest", ErrorKind::invalid},
      {410, "Gone", ErrorKind::gone},
      {410, "Expired", ErrorKind::gone},
      {401, "Unauthorized", ErrorKind::unauthorized},
      {403, "Forbidden", ErrorKind::forbidden},
      {429, "TooManyRequests", ErrorKind::too_many_requests},
      {500, "InternalError", ErrorKind::server_error},
      {503, "ServiceUnavailable", ErrorKind::server_error},
      {504, "Timeout", ErrorKind::timeout},
      {502, "", ErrorKind::server_error},
      {418, "", ErrorKind::internal},
  };
  for (const auto& row : rows) {
    INFO(row.code << " " << row.reason);
    auto error = error_from_response(status_answer(row.code, row.reason, "boom"));
    CHECK(error.kind == row.kind);
    CHECK(error.http_status == row.code);
    CHECK(error.message == "boom");
  }
}

TEST_CASE("Invalid carries its causes into the message", "[kube][errors]") {
  nlohmann::json details = {
      {"name", "web"},
      {"kind", "Deployment"},
      {"causes",
       {{{"reason", "FieldValueInvalid"}, {"message", "must be >= 0"}, {"field", "spec.replicas"}},
        {{"reason", "FieldValueRequired"}, {"message", "Required value"}, {"field", "spec.selector"}}}}};
  auto response = status_answer(422, "Invalid", "Deployment.apps \"web\" is invalid", details);
  auto error = error_from_response(response);
  CHECK(error.kind == ErrorKind::invalid);
  CHECK(error.message ==
        "Deployment.apps \"web\" is invalid: spec.replicas: must be >= 0; spec.selector: Required value");
  auto causes = sluice::kube::status_causes(nlohmann::json::parse(response.body));
  REQUIRE(causes.size() == 2);
  CHECK(causes[0].reason == "FieldValueInvalid");
  CHECK(causes[1].field == "spec.selector");
}

TEST_CASE("retry_after comes from the Retry-After header or details.retryAfterSeconds", "[kube][errors]") {
  SECTION("details") {
    auto error =
        error_from_response(status_answer(429, "TooManyRequests", "slow down", {{"retryAfterSeconds", 3}}));
    REQUIRE(error.retry_after.has_value());
    CHECK(error.retry_after->count() == 3000);
  }
  SECTION("header wins") {
    auto response = status_answer(503, "ServiceUnavailable", "busy", {{"retryAfterSeconds", 3}});
    response.headers = {{"retry-after", "1"}};
    auto error = error_from_response(response);
    REQUIRE(error.retry_after.has_value());
    CHECK(error.retry_after->count() == 1000);
  }
  SECTION("absent") {
    CHECK_FALSE(error_from_response(status_answer(500, "InternalError", "x")).retry_after.has_value());
  }
}

TEST_CASE("a non-Status answer is described by its code and a short excerpt", "[kube][errors]") {
  sluice::http::Response response{502, {}, "<html>\nBad gateway</html>"};
  auto error = error_from_response(response);
  CHECK(error.kind == ErrorKind::server_error);
  CHECK(error.message == "HTTP 502: <html> Bad gateway</html>");
}

TEST_CASE("a watch ERROR event's Status decodes like an answer", "[kube][errors]") {
  auto status = nlohmann::json::parse(
      R"j({"kind":"Status","status":"Failure","message":"too old resource version: 5 (90)","reason":"Expired","code":410})j");
  auto error = sluice::kube::error_from_status(status);
  CHECK(error.kind == ErrorKind::gone);
  CHECK(error.http_status == 410);
}
