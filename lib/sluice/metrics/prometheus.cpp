#include <sluice/metrics/prometheus.hpp>
#include <sluice/util/quote.hpp>
#include <sluice/util/url.hpp>

#include <sluice/http/client.hpp>

#include <nlohmann/json.hpp>

#include <charconv>
#include <limits>
#include <string_view>

namespace sluice::metrics {

using util::ErrorKind;
using util::make_error;
using Json = nlohmann::json;

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Skips a run of digits from `i`; false when there is none.
bool digits(std::string_view text, std::size_t& i) {
  std::size_t start = i;
  while (i < text.size() && is_digit(text[i])) ++i;
  return i > start;
}

// [+-]? digits (. digits)? ([eE] [+-]? digits)?: the decimal forms Go's
// strconv.FormatFloat writes with 'f' and 'e'. strtod alone would also take
// hex ("0x0"), "inf", "nan(...)", leading spaces and a locale's decimal comma.
bool is_decimal_float(std::string_view text) {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  if (!digits(text, i)) return false;
  if (i < text.size() && text[i] == '.' && !digits(text, ++i)) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits(text, i)) return false;
  }
  return i == text.size();
}

util::Error bad_value(const std::string& text, const char* why) {
  return make_error(ErrorKind::invalid, "bad sample value " + util::quoted(text) + ": " + why);
}

}  // namespace

util::Result<double> parse_sample_value(const std::string& text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  if (!is_decimal_float(text))
    return bad_value(text, "not a number as Prometheus writes one (e.g. 0.25, 1e-06, NaN, +Inf)");
  // from_chars does not take the leading '+' that the grammar allows.
  std::string_view digits_part = text[0] == '+' ? std::string_view(text).substr(1) : std::string_view(text);
  double value = 0;
  auto [end, ec] = std::from_chars(digits_part.data(), digits_part.data() + digits_part.size(), value);
  if (ec != std::errc() || end != digits_part.data() + digits_part.size())
    return bad_value(text, "out of the range of a 64-bit float");
  return value;
}

namespace {

ErrorKind kind_for(const std::string& error_type, int http_status) {
  if (error_type == "bad_data") return ErrorKind::invalid;
  if (error_type == "timeout") return ErrorKind::timeout;
  if (error_type == "unavailable") return ErrorKind::unavailable;
  if (http_status >= 400 && http_status < 500) return ErrorKind::invalid;
  return ErrorKind::server_error;
}

util::Error error_with_status(ErrorKind kind, std::string message, int http_status) {
  util::Error error = make_error(kind, std::move(message));
  error.http_status = http_status;
  return error;
}

// A [<unix seconds>, "<value>"] pair.
util::Result<double> parse_pair(const Json& pair) {
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_string()) {
    return make_error(ErrorKind::invalid, "sample is not a [time, \"value\"] pair");
  }
  return parse_sample_value(pair[1].get<std::string>());
}

util::Result<QueryResult> parse_data(const Json& data) {
  if (!data.is_object() || !data.contains("resultType")) {
    return make_error(ErrorKind::invalid, "answer has no data.resultType");
  }
  QueryResult out;
  out.result_type = data["resultType"].is_string() ? data["resultType"].get<std::string>() : "";
  const Json& result = data.contains("result") ? data["result"] : Json();
  if (out.result_type == "scalar") {
    auto value = parse_pair(result);
    if (!value) return value.error();
    out.samples.push_back(Sample{{}, *value});
    return out;
  }
  if (out.result_type != "vector") {
    return make_error(ErrorKind::invalid,
                      "query returned a " + out.result_type + ", not an instant vector or scalar");
  }
  if (!result.is_array()) return make_error(ErrorKind::invalid, "vector result is not a list");
  for (const Json& item : result) {
    auto value = parse_pair(item.is_object() && item.contains("value") ? item["value"] : Json());
    if (!value) return value.error();
    Sample sample{{}, *value};
    if (item.contains("metric") && item["metric"].is_object()) {
      for (const auto& [key, label] : item["metric"].items()) {
        if (label.is_string()) sample.labels[key] = label.get<std::string>();
      }
    }
    out.samples.push_back(std::move(sample));
  }
  return out;
}

}  // namespace

util::Result<QueryResult> parse_query_response(int http_status, const std::string& body) {
  Json doc = Json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("status")) {
    ErrorKind kind = http_status >= 500 ? ErrorKind::server_error : ErrorKind::invalid;
    return error_with_status(
        kind, "answer is not a Prometheus API response (HTTP " + std::to_string(http_status) + ")",
        http_status);
  }
  if (doc["status"] != "success") {
    std::string type = doc.value("errorType", std::string("unknown"));
    std::string message = doc.value("error", std::string("no error message"));
    return error_with_status(kind_for(type, http_status), type + ": " + message, http_status);
  }
  auto result = parse_data(doc.contains("data") ? doc["data"] : Json());
  if (!result) return error_with_status(result.error().kind, result.error().message, http_status);
  if (doc.contains("warnings") && doc["warnings"].is_array()) {
    for (const Json& w : doc["warnings"]) {
      if (w.is_string()) result->warnings.push_back(w.get<std::string>());
    }
  }
  return result;
}

std::string url_encode(const std::string& text) {
  return util::percent_encode(text);
}

PrometheusClient::PrometheusClient(http::Client& client, std::string address, util::Duration timeout)
    : client_(&client), address_(std::move(address)), timeout_(timeout) {
  while (!address_.empty() && address_.back() == '/') address_.pop_back();
}

util::Result<http::Response> PrometheusClient::send_query(const std::string& promql,
                                                          const util::CancelToken* cancel) {
  http::Request request;
  request.method = "GET";
  request.url = address_ + "/api/v1/query?query=" + url_encode(promql);
  request.headers.emplace_back("Accept", "application/json");
  request.headers.insert(request.headers.end(), headers_.begin(), headers_.end());
  request.timeout = timeout_;
  request.connect_timeout = std::min(timeout_, util::Duration{5000});
  return client_->send(request, cancel);
}

util::Result<QueryResult> PrometheusClient::query(const std::string& promql,
                                                  const util::CancelToken* cancel) {
  auto response = send_query(promql, cancel);
  if (!response) return response.error().with_context("querying Prometheus at " + http::redact_url(address_));
  auto parsed = parse_query_response(response->status, response->body);
  if (!parsed) return parsed.error().with_context("Prometheus at " + http::redact_url(address_));
  return parsed;
}

}  // namespace sluice::metrics
