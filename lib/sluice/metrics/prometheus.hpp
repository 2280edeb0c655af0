// A small Prometheus HTTP API client: instant queries over http::Client, and
// the parsing of their answers (vector/scalar, NaN/±Inf, errorType, and
// non-JSON answers from proxies), kept pure so it is tested without a server.
#pragma once

#include <sluice/http/client.hpp>
#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <map>
#include <string>
#include <vector>

namespace sluice::metrics {

struct Sample {
  std::map<std::string, std::string> labels;
  double value = 0;  // may be NaN or ±Inf
};

struct QueryResult {
  std::string result_type;      // "vector" or "scalar"
  std::vector<Sample> samples;  // a scalar is one sample without labels
  std::vector<std::string> warnings;
};

// Parses the answer to /api/v1/query. Errors: `invalid` for bad_data (400),
// non-JSON or malformed answers and unsupported result types (matrix, string);
// `server_error` for execution/internal errors; `timeout` for errorType timeout.
// The message carries Prometheus' own error text.
util::Result<QueryResult> parse_query_response(int http_status, const std::string& body);

// Parses a sample value as Prometheus writes it: "1.5", "NaN", "+Inf", "-Inf".
util::Result<double> parse_sample_value(const std::string& text);

class PrometheusClient {
 public:
  // `address` like "http://127.0.0.1:9090" (a trailing slash is fine).
  PrometheusClient(http::Client& client, std::string address, util::Duration timeout = util::Duration{10000});

  // Sent with every request after Accept: a check's credentials (Authorization and the like).
  void set_headers(http::Headers headers) { headers_ = std::move(headers); }

  // GET /api/v1/query?query=... evaluated at the server's current time.
  util::Result<QueryResult> query(const std::string& promql, const util::CancelToken* cancel = nullptr);

  // The same request's raw answer, whatever its status: a transport error is
  // returned as the client reported it (without the address).
  util::Result<http::Response> send_query(const std::string& promql,
                                          const util::CancelToken* cancel = nullptr);

  const std::string& address() const { return address_; }

 private:
  http::Client* client_;
  std::string address_;
  util::Duration timeout_;
  http::Headers headers_;
};

// Percent-encodes a query parameter value (RFC 3986 unreserved kept).
std::string url_encode(const std::string& text);

}  // namespace sluice::metrics
