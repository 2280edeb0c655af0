#include <sluice/metrics/prometheus.hpp>
#include <sluice/util/quote.hpp>

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
}

TEST_CASE("sample values are read in the decimal forms Go's FormatFloat writes") {
  struct Row {
    std::string text;
    double value;
  };
  for (const auto& row : std::vector<Row>{{"0", 0},
                                          {"-0", 0},
                                          {"42", 42},
                                          {"0.25", 0.25},
                                          {"-1.5", -1.5},
                                          {"+3", 3},
                                          {"1e-06", 1e-06},
                                          {"1.5E+10", 1.5e10},
                                          {"12345678901234567890", 12345678901234567890.0},
                                          {"5e-324", 5e-324},
                                          {"1.7976931348623157e+308", 1.7976931348623157e308}}) {
    INFO(row.text);
    auto value = parse_sample_value(row.text);
    REQUIRE(value.ok());
    CHECK(*value == row.value);
  }
}

TEST_CASE("any other sample text is refused, naming the value") {
  const std::string why = ": not a number as Prometheus writes one (e.g. 0.25, 1e-06, NaN, +Inf)";
  for (std::string text :
       {"0x0", "0X1p3",  "",   " 1", "1 ", "1\n", "1abc", "abc", "inf", "-inf",  "Inf", "infinity", "nan",
        "NAN", "nan(1)", "1.", ".5", "1e", "1e+", "--1",  "+-1", "1,5", "1_000", "0b1", "\u0661"}) {
    INFO(text);
    auto value = parse_sample_value(text);
    REQUIRE_FALSE(value.ok());
    CHECK(value.error().kind == ErrorKind::invalid);
    CHECK(value.error().message == "bad sample value " + sluice::util::quoted(text) + why);
  }
  CHECK(parse_sample_value("0x0").error().message == "bad sample value '0x0'" + why);
  CHECK(parse_sample_value("1\x1b[2J").error().message == "bad sample value '1\\x1B[2J'" + why);
}

TEST_CASE("a sample value beyond a double's range is refused") {
  CHECK(parse_sample_value("1e400").error().message ==
        "bad sample value '1e400': out of the range of a 64-bit float");
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
