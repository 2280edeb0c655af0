// The one HTTP client every other client (Kubernetes, registry, Prometheus,
// webhooks) goes through: timeouts, TLS, bounded retries that honour
// Retry-After, line-by-line streaming for watches, and redacted logging.
#pragma once

#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http {

using util::Duration;
using util::Result;

struct TlsOptions {
  bool verify = true;     // off only when the user asked (insecure-skip-tls-verify)
  std::string ca_file{};  // PEM file of trusted CAs
  std::string ca_data{};  // PEM text of trusted CAs (kubeconfig *-data, decoded)
  std::string client_cert_file{};
  std::string client_cert_data{};  // PEM text
  std::string client_key_file{};
  std::string client_key_data{};  // PEM text
  std::string server_name{};      // override for SNI and certificate name checks
};

// Header names are compared case-insensitively; stored as given.
using Headers = std::vector<std::pair<std::string, std::string>>;

// Members carry `{}` so designated initializers ({.url = u}) build without
// g++'s -Wmissing-field-initializers.
struct Request {
  std::string method = "GET";
  std::string url{};
  Headers headers{};
  std::string body{};
  Duration connect_timeout{5000};
  Duration timeout{30000};  // total, for non-streaming requests; for streams: idle limit
  // Whether this request may be sent again after a transport failure (the
  // server may already have acted on it). Defaults: true for GET/HEAD only.
  std::optional<bool> replay_safe{};
  // Overrides RetryPolicy::max_attempts for this request (e.g. 1 for a watch).
  std::optional<int> max_attempts{};
  // Follow 3xx redirects (registries send blob downloads elsewhere). libcurl
  // does not forward Authorization to a different host.
  bool follow_redirects = false;
  // Asked once per attempt when the connection is ready and the request is
  // about to go on the wire (after connect and TLS handshake): an error
  // aborts the attempt unsent and is what the send returns. The lock's fence
  // uses it, so a write it no longer allows never leaves the process.
  std::function<util::Status()> send_gate{};
};

struct Response {
  int status = 0;
  Headers headers{};
  std::string body{};

  // First header with this name (case-insensitive), or "" when absent.
  std::string header(const std::string& name) const;
};

struct RetryPolicy {
  int max_attempts = 1;       // 1 = no retry
  Duration base_delay{100};   // exponential backoff base, with jitter
  Duration max_delay{10000};  // cap for one wait, Retry-After included
  // Decides whether an answer (or a transport error) may be retried. The
  // default: 429 always; 5xx only with Retry-After; transport errors only when
  // the request is replay-safe.
  std::function<bool(const Request&, const Response*, const util::Error*)> should_retry{};
};

struct ClientOptions {
  TlsOptions tls{};
  std::string proxy_url{};
  std::string user_agent = "sluice/" SLUICE_VERSION;
  RetryPolicy retry{};
  util::Clock* clock = nullptr;  // for backoff waits; system clock when null
};

// Whether `request` may be sent again after a transport error: its
// replay_safe when set, otherwise true for GET and HEAD only.
bool is_replay_safe(const Request& request);

// The retry rule used when RetryPolicy::should_retry is empty (client-go's):
// 429 always; 5xx only with Retry-After; timeout/unavailable transport errors
// only when the request is replay-safe; never tls, cancelled or invalid.
bool default_should_retry(const Request& request, const Response* response, const util::Error* error);

// Called with each complete line of a streamed body (without the newline).
// Return false to stop reading.
using LineHandler = std::function<bool(const std::string& line)>;

class Client {
 public:
  virtual ~Client() = default;

  // Sends a request and reads the whole answer. An HTTP error status is a
  // Response, not an Error; Errors are for transport failures (timeout,
  // unavailable, tls, cancelled) after retries are spent.
  virtual Result<Response> send(const Request& request, const util::CancelToken* cancel = nullptr) = 0;

  // Sends a request and delivers the body line by line as it arrives. Returns
  // the status and headers (body empty) when the stream ends, the handler
  // stops it, or `cancel` fires. A 4xx/5xx answer is returned with its body.
  virtual Result<Response> stream(const Request& request, const LineHandler& on_line,
                                  const util::CancelToken* cancel = nullptr) = 0;
};

// The libcurl implementation. Thread-safe: each call uses its own handle from
// a pool so connections are reused. Connect/total/idle timeouts are real time
// (network deadlines); backoff waits go through ClientOptions::clock.
// Requests are logged through spdlog's default logger at debug level (request
// line, status, duration) and trace level (headers), always redacted; bodies
// are never logged. See docs in lib/sluice/http/curl_client.cpp for the
// tls server_name and stream-cut behaviour.
std::unique_ptr<Client> make_curl_client(ClientOptions options);

// For logging: "Authorization: Bearer ***", "https://user:***@host/". The
// URL's user-info password (all of a lone user name, which may be a token)
// and credential query values become `marker`.
std::string redact_url(const std::string& url, std::string_view marker = "***");
std::string redact_header(const std::string& name, const std::string& value);
// Whether a header (Authorization, Cookie, X-Api-Key, any name with token,
// secret, key, auth or password in it) or a query parameter (token, api_key,
// sig, X-Amz-Signature...) carries a credential. Case-insensitive.
bool is_secret_header(std::string_view name);
bool is_secret_query_param(std::string_view name);

// Parses Retry-After (seconds or HTTP-date); nullopt when absent or bad.
std::optional<Duration> parse_retry_after(const std::string& value,
                                          std::chrono::system_clock::time_point now);

}  // namespace sluice::http
