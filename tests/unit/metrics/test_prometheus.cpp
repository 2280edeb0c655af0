#include <sluice/metrics/prometheus.hpp>

#include <catch2/catch.hpp>

#include <cmath>

using sluice::metrics::parse_query_response;
using sluice::metrics::parse_sample_value;
using sluice::util::ErrorKind;

TEST_CASE("a vector answer gives its samples with labels") {
  auto result = parse_query_response(200, R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"pod":"web-1","code":"500"},"value":[1700000000.123,"0.25"]},
      {"metric":{},"value":[1700000000.123,"3"]}]}})");
  REQUIRE(result.ok());
  CHECK(result->result_type == "vector");
  REQUIRE(result->samples.size() == 2);
  CHECK(result->samples[0].labels.at("pod") == "web-1");
  CHECK(result->samples[0].value == 0.25);
  CHECK(result->samples[1].value == 3);
}

TEST_CASE("an empty vector is a result with no samples") {
  auto result =
      parse_query_response(200, R"({"status":"success","data":{"resultType":"vector","result":[]}})");
  REQUIRE(result.ok());
  CHECK(result->samples.empty());
}

TEST_CASE("a scalar answer is one sample without labels") {
  auto result = parse_query_response(
      200, R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"42"]}})");
  REQUIRE(result.ok());
  REQUIRE(result->samples.size() == 1);
  CHECK(result->samples[0].labels.empty());
  CHECK(result->samples[0].value == 42);
}

TEST_CASE("sample values include NaN and infinities") {
  CHECK(std::isnan(*parse_sample_value("NaN")));
  CHECK(*parse_sample_value("+Inf") == INFINITY);
  CHECK(*parse_sample_value("-Inf") == -INFINITY);
  CHECK(*parse_sample_value("1e-3") == 0.001);
  CHECK(parse_sample_value("abc").error().message == "bad sample value 'abc'");
  CHECK(parse_sample_value("").error().kind == ErrorKind::invalid);
  auto nan = parse_query_response(
      200,
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}})");
  REQUIRE(nan.ok());
  CHECK(std::isnan(nan->samples[0].value));
}

TEST_CASE("Prometheus errors keep their type and message") {
  SECTION("bad_data") {
    auto r = parse_query_response(
        400,
        R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end of input"})");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::invalid);
    CHECK(r.error().http_status == 400);
    CHECK(r.error().message == "bad_data: 1:5: parse error: unexpected end of input");
  }
  SECTION("execution") {
    auto r =
        parse_query_response(422, R"({"status":"error","errorType":"execution","error":"many-to-many"})");
    CHECK(r.error().kind == ErrorKind::invalid);
  }
  SECTION("timeout") {
    auto r =
        parse_query_response(503, R"({"status":"error","errorType":"timeout","error":"query timed out"})");
    CHECK(r.error().kind == ErrorKind::timeout);
  }
  SECTION("internal") {
    auto r = parse_query_response(500, R"({"status":"error","errorType":"internal","error":"boom"})");
    CHECK(r.error().kind == ErrorKind::server_error);
  }
}

TEST_CASE("answers that are not Prometheus API responses are errors") {
  SECTION("a proxy's HTML page") {
    auto r = parse_query_response(502, "<html><body>Bad Gateway</body></html>");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::server_error);
    CHECK(r.error().message == "answer is not a Prometheus API response (HTTP 502)");
  }
  SECTION("JSON of another shape") {
    CHECK(parse_query_response(200, R"({"hello":"world"})").error().kind == ErrorKind::invalid);
    CHECK(parse_query_response(200, "[]").error().kind == ErrorKind::invalid);
  }
  SECTION("a matrix") {
    auto r = parse_query_response(200, R"({"status":"success","data":{"resultType":"matrix","result":[]}})");
    CHECK(r.error().message == "query returned a matrix, not an instant vector or scalar");
  }
  SECTION("a malformed sample") {
    auto r = parse_query_response(
        200, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}})");
    CHECK(r.error().message == "sample is not a [time, \"value\"] pair");
  }
}

TEST_CASE("warnings are kept") {
  auto r = parse_query_response(
      200, R"({"status":"success","warnings":["partial"],"data":{"resultType":"vector","result":[]}})");
  REQUIRE(r.ok());
  CHECK(r->warnings == std::vector<std::string>{"partial"});
}

TEST_CASE("query parameters are percent-encoded") {
  CHECK(sluice::metrics::url_encode("sum(rate(x{a=\"b\"}[1m]))") ==
        "sum%28rate%28x%7Ba%3D%22b%22%7D%5B1m%5D%29%29");
}
