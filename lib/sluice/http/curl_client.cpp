// make_curl_client: the retry loop around single attempts (curl_transfer.cpp)
// and the redacted request log.
//
// Behaviour worth knowing:
// - tls.server_name: libcurl has no SNI override, so the URL's host is
//   rewritten to server_name (SNI and certificate check use it) and
//   CURLOPT_CONNECT_TO routes the TCP connection to the original host:port;
//   the Host header keeps the original authority.
// - stream(): `timeout` is an idle limit (no byte for that long -> timeout
//   error); there is no total limit. A stream the server cuts mid-transfer
//   delivers every complete line, drops the unfinished fragment and returns an
//   Error of kind unavailable saying so. A clean end delivers a final line
//   without "\n". A stream that delivered lines is never retried.
// - Cancellation is checked every 25 ms while a transfer runs and during
//   backoff waits (through the injected Clock).
#include <sluice/http/client.hpp>
#include <sluice/http/curl_transfer.hpp>
#include <sluice/http/retry.hpp>

#include <spdlog/spdlog.h>

#include <mutex>
#include <random>

namespace sluice::http {
namespace {

using util::ErrorKind;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

double random01() {
  thread_local std::mt19937 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

void log_request(const Request& request, int attempt, int max_attempts) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  spdlog::debug("http: {} {} (attempt {}/{})", request.method, redact_url(request.url), attempt,
                max_attempts);
  if (!spdlog::should_log(spdlog::level::trace)) return;
  for (const auto& [name, value] : request.headers) spdlog::trace("http: > {}", redact_header(name, value));
}

void log_outcome(const Request& request, const Result<Response>& result,
                 std::chrono::steady_clock::duration took) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  if (!result) {
    spdlog::debug("http: {} {} -> {} in {} ms: {}", request.method, redact_url(request.url),
                  util::to_string(result.error().kind), ms, result.error().message);
    return;
  }
  spdlog::debug("http: {} {} -> {} in {} ms", request.method, redact_url(request.url), result->status, ms);
  if (!spdlog::should_log(spdlog::level::trace)) return;
  for (const auto& [name, value] : result->headers) spdlog::trace("http: < {}", redact_header(name, value));
}

class CurlClient final : public Client {
 public:
  explicit CurlClient(ClientOptions options)
      : options_(std::move(options)),
        clock_(options_.clock != nullptr ? options_.clock : &util::system_clock()) {}

  Result<Response> send(const Request& request, const util::CancelToken* cancel) override {
    return run(request, nullptr, cancel);
  }

  Result<Response> stream(const Request& request, const LineHandler& on_line,
                          const util::CancelToken* cancel) override {
    return run(request, &on_line, cancel);
  }

 private:
  Result<Response> run(const Request& request, const LineHandler* on_line, const util::CancelToken* cancel);
  bool retryable(const Request& request, const Result<Response>& result) const;
  std::optional<Duration> retry_after(const Result<Response>& result) const;

  ClientOptions options_;
  util::Clock* clock_;
  detail::HandlePool pool_;
};

Result<Response> CurlClient::run(const Request& request, const LineHandler* on_line,
                                 const util::CancelToken* cancel) {
  const int max_attempts = std::max(1, request.max_attempts.value_or(options_.retry.max_attempts));
  for (int attempt = 1;; ++attempt) {
    log_request(request, attempt, max_attempts);
    auto started = std::chrono::steady_clock::now();
    auto outcome = detail::run_exchange(pool_, detail::Exchange{request, options_, on_line, cancel});
    log_outcome(request, outcome.result, std::chrono::steady_clock::now() - started);
    if (attempt >= max_attempts || outcome.delivered_lines || !retryable(request, outcome.result)) {
      if (!outcome.result && attempt > 1) {
        auto error = outcome.result.error();
        error.message += " (after " + std::to_string(attempt) + " attempts)";
        return error;
      }
      return std::move(outcome.result);
    }
    Duration delay = backoff_delay(options_.retry, attempt, retry_after(outcome.result), random01());
    spdlog::debug("http: {} {}: retrying in {} ms", request.method, redact_url(request.url), delay.count());
    if (!clock_->sleep_for(delay, cancel)) {
      return util::make_error(ErrorKind::cancelled,
                              request.method + " " + redact_url(request.url) + ": cancelled");
    }
  }
}

bool CurlClient::retryable(const Request& request, const Result<Response>& result) const {
  const util::Error* error = result ? nullptr : &result.error();
  const Response* response = result ? &*result : nullptr;
  if (error != nullptr && error->kind == ErrorKind::cancelled) return false;
  if (options_.retry.should_retry) return options_.retry.should_retry(request, response, error);
  return default_should_retry(request, response, error);
}

std::optional<Duration> CurlClient::retry_after(const Result<Response>& result) const {
  if (!result) return std::nullopt;
  std::string value = result->header("Retry-After");
  if (value.empty()) return std::nullopt;
  return parse_retry_after(value, clock_->wall_now());
}

}  // namespace

std::unique_ptr<Client> make_curl_client(ClientOptions options) {
  global_init_once();
  return std::make_unique<CurlClient>(std::move(options));
}

}  // namespace sluice::http
