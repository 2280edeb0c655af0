// The real kube::Client over http::Client: URL building, auth headers, the
// client-side rate limit, and client-go's retry rules.
#include <sluice/kube/attempt_listener.hpp>
#include <sluice/kube/auth.hpp>
#include <sluice/kube/client.hpp>
#include <sluice/kube/errors.hpp>
#include <sluice/kube/rate_limiter.hpp>
#include <sluice/kube/wire.hpp>
#include <sluice/util/backoff.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <mutex>

namespace sluice::kube {

using util::ErrorKind;

namespace {

bool is_read(const std::string& method) {
  return method == "GET" || method == "HEAD";
}

// client-go: 429 always; 5xx only when the server said when to come back.
// Tells the transport of an attempt when it listens (kube/attempt_listener.hpp).
void tell(http::Client& transport, const std::string& verb, const Result<http::Response>& answer,
          bool retried) {
  auto* listener = dynamic_cast<AttemptListener*>(&transport);
  if (listener != nullptr)
    listener->attempt(ApiAttempt{verb, answer ? std::to_string(answer->status) : "<error>", retried});
}

bool server_asked_retry(const http::Response& response) {
  if (response.status == 429) return true;
  return response.status >= 500 && !wire::header(response.headers, "Retry-After").empty();
}

// A read changes nothing, so a passing server error is worth another try
// before a rollout gives up on it; a write may already have been applied.
bool transient_read_failure(const std::string& method, const http::Response& response) {
  return is_read(method) && (response.status == 500 || response.status == 502 || response.status == 503 ||
                             response.status == 504);
}

std::string build_query(const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out;
  for (const auto& [k, v] : query) out += (out.empty() ? "?" : "&") + wire::escape(k) + "=" + wire::escape(v);
  return out;
}

http::TlsOptions tls_for(const Config& config, const Credentials& creds) {
  http::TlsOptions tls;
  tls.verify = !config.cluster.insecure_skip_tls_verify;
  tls.ca_file = config.cluster.certificate_authority;
  tls.ca_data = config.cluster.certificate_authority_data;
  tls.server_name = config.cluster.tls_server_name;
  tls.client_cert_file = config.user.client_certificate;
  tls.client_cert_data = config.user.client_certificate_data;
  tls.client_key_file = config.user.client_key;
  tls.client_key_data = config.user.client_key_data;
  if (!creds.client_cert_data.empty()) {
    tls.client_cert_file.clear();
    tls.client_key_file.clear();
    tls.client_cert_data = creds.client_cert_data;
    tls.client_key_data = creds.client_key_data;
  }
  return tls;
}

class ApiClient final : public Client {
 public:
  ApiClient(Config config, ClientOptions options)
      : config_(std::move(config)),
        options_(std::move(options)),
        clock_(options_.clock != nullptr ? *options_.clock : util::system_clock()),
        auth_(config_, clock_),
        limiter_(options_.qps, options_.burst, clock_) {}

  Result<Json> request(const ApiRequest& request, const CancelToken* cancel) override;
  util::Status watch_stream(const ApiRequest& request, const std::function<bool(const WatchEvent&)>& on_event,
                            const CancelToken* cancel) override;
  std::uint64_t requests_made() const override { return requests_.load(); }
  void set_write_gate(WriteGate gate) override {
    std::lock_guard lock(gate_mutex_);
    write_gate_ = std::move(gate);
  }

 private:
  // One attempt's prepared transport and request (auth added), or why not.
  struct Prepared {
    std::shared_ptr<http::Client> http;
    http::Request request;
  };
  Result<Prepared> prepare(const ApiRequest& api, bool streaming, const CancelToken* cancel);
  std::shared_ptr<http::Client> transport_for(const Credentials& creds);
  util::Duration backoff(int attempt, const std::optional<util::Duration>& retry_after) const;
  bool wait(util::Duration d, const CancelToken* cancel) { return clock_.sleep_for(d, cancel); }

  // What to do after one attempt: return this result, or retry after a wait.
  struct Verdict {
    bool retry = false;
    util::Duration wait{0};
  };
  Verdict judge(const ApiRequest& api, const Result<http::Response>& answer, int attempt, bool& reauthed);

  Config config_;
  ClientOptions options_;
  util::Clock& clock_;
  Authenticator auth_;
  TokenBucket limiter_;
  std::atomic<std::uint64_t> requests_{0};
  std::mutex gate_mutex_;
  WriteGate write_gate_;
  util::Status pass_write_gate(const std::string& method);
  std::mutex transport_mutex_;
  std::shared_ptr<http::Client> transport_;
  std::string transport_cert_;  // the exec-issued certificate the transport was built with
};

std::shared_ptr<http::Client> ApiClient::transport_for(const Credentials& creds) {
  std::lock_guard lock(transport_mutex_);
  if (transport_ && transport_cert_ == creds.client_cert_data) return transport_;
  http::ClientOptions http_options;
  http_options.tls = tls_for(config_, creds);
  http_options.proxy_url = config_.cluster.proxy_url;
  http_options.retry.max_attempts = 1;  // retries are decided here, with Kubernetes' rules
  if (!options_.user_agent.empty()) http_options.user_agent = options_.user_agent;
  http_options.clock = &clock_;
  transport_ = std::shared_ptr<http::Client>(options_.http_factory(http_options));
  transport_cert_ = creds.client_cert_data;
  return transport_;
}

Result<ApiClient::Prepared> ApiClient::prepare(const ApiRequest& api, bool streaming,
                                               const CancelToken* cancel) {
  // A watch is one long request, resumed with its own backoff (list_watch.cpp):
  // charging its re-sends would make a long-lived process pay for waiting.
  if (!streaming && !limiter_.acquire(cancel))
    return util::make_error(ErrorKind::cancelled, "cancelled waiting for the rate limit");
  auto creds = auth_.current();
  if (!creds) return creds.error();
  Prepared p;
  p.http = transport_for(*creds);
  p.request.method = api.method;
  p.request.url = config_.cluster.server + api.path + build_query(api.query);
  p.request.headers.emplace_back("Accept", streaming ? "application/json;stream=watch" : "application/json");
  if (!creds->authorization.empty()) p.request.headers.emplace_back("Authorization", creds->authorization);
  if (!api.content_type.empty()) p.request.headers.emplace_back("Content-Type", api.content_type);
  p.request.body = api.body;
  p.request.connect_timeout = options_.connect_timeout;
  p.request.timeout = options_.request_timeout;
  p.request.replay_safe = false;  // the transport never replays; judge() decides
  return p;
}

util::Duration ApiClient::backoff(int attempt, const std::optional<util::Duration>& retry_after) const {
  util::Duration d = retry_after
                         ? *retry_after
                         : util::doubling_backoff(util::Duration{100}, attempt, util::Duration{25600});
  return std::min(d, options_.max_retry_wait);
}

ApiClient::Verdict ApiClient::judge(const ApiRequest& api, const Result<http::Response>& answer, int attempt,
                                    bool& reauthed) {
  bool attempts_left = attempt < options_.max_attempts;
  if (!answer) {
    // A read may be sent again; a write may already have been applied.
    bool transient = answer.error().kind == ErrorKind::unavailable;
    return {transient && is_read(api.method) && attempts_left, backoff(attempt, std::nullopt)};
  }
  if (answer->status == 401 && !reauthed && auth_.invalidate()) {
    reauthed = true;
    return {true, util::Duration{0}};
  }
  if (server_asked_retry(*answer) && attempts_left) {
    return {true, backoff(attempt, error_from_response(*answer).retry_after)};
  }
  if (transient_read_failure(api.method, *answer) && attempt < std::min(options_.max_attempts, 5))
    return {true, backoff(attempt, std::nullopt)};
  return {};
}

util::Status ApiClient::pass_write_gate(const std::string& method) {
  if (is_read(method)) return {};
  WriteGate gate;
  {
    std::lock_guard lock(gate_mutex_);
    gate = write_gate_;
  }
  return gate ? gate() : util::Status{};
}

Result<Json> ApiClient::request(const ApiRequest& api, const CancelToken* cancel) {
  bool reauthed = false;
  for (int attempt = 1;; ++attempt) {
    auto prepared = prepare(api, false, cancel);
    if (!prepared) return prepared.error();
    // Asked now, to spare a connection, and again by the transport once the
    // connection is ready: a fence can lapse while it is set up.
    if (auto allowed = pass_write_gate(api.method); !allowed) return allowed.error();
    if (!is_read(api.method))
      prepared->request.send_gate = [this, &api] { return pass_write_gate(api.method); };
    ++requests_;  // counted when sent; the transport logs each request, redacted
    auto answer = prepared->http->send(prepared->request, cancel);
    Verdict verdict = judge(api, answer, attempt, reauthed);
    tell(*prepared->http, api.method, answer, verdict.retry);
    if (verdict.retry) {
      if (!wait(verdict.wait, cancel))
        return util::make_error(ErrorKind::cancelled, "cancelled while retrying");
      continue;
    }
    if (!answer) return answer.error();  // already names the method and URL
    if (answer->status >= 300) return error_from_response(*answer);
    if (answer->body.empty()) return Json();
    Json body = Json::parse(answer->body, nullptr, false);
    if (body.is_discarded()) {
      return util::make_error(ErrorKind::internal,
                              fmt::format("{} {}: answer is not JSON", api.method, api.path));
    }
    return body;
  }
}

util::Status ApiClient::watch_stream(const ApiRequest& api,
                                     const std::function<bool(const WatchEvent&)>& on_event,
                                     const CancelToken* cancel) {
  ApiRequest watch = api;
  watch.query.emplace_back("watch", "true");
  bool has_timeout = std::any_of(api.query.begin(), api.query.end(),
                                 [](const auto& q) { return q.first == "timeoutSeconds"; });
  int server_timeout = options_.watch_timeout_seconds;
  if (!has_timeout) watch.query.emplace_back("timeoutSeconds", std::to_string(server_timeout));
  bool reauthed = false;
  util::Status stopped_by_handler_error;
  auto on_line = [&](const std::string& line) {
    if (line.empty()) return true;
    Json event = api.fields ? api.fields->parse_event(line) : Json::parse(line, nullptr, false);
    if (!event.is_object() || !event.contains("type")) {
      stopped_by_handler_error = util::make_error(ErrorKind::internal, "watch: bad event line");
      return false;
    }
    // Moved, not copied (value() copies): a pod is a few KiB and comes once per event.
    auto object = event.find("object");
    Json moved = object != event.end() ? std::move(*object) : Json::object();
    return on_event(WatchEvent{event["type"].get<std::string>(), std::move(moved)});
  };
  for (int attempt = 1;; ++attempt) {
    auto prepared = prepare(watch, true, cancel);
    if (!prepared) return prepared.error();
    // The idle limit must outlast the server's own end of the stream.
    prepared->request.timeout = util::Duration{(server_timeout + 30) * 1000LL};
    ++requests_;
    auto answer = prepared->http->stream(prepared->request, on_line, cancel);
    bool cancelled = cancel != nullptr && cancel->cancelled();
    Verdict verdict = !cancelled && answer ? judge(watch, answer, attempt, reauthed) : Verdict{};
    tell(*prepared->http, "WATCH", answer, verdict.retry);
    if (cancelled) return util::make_error(ErrorKind::cancelled, "watch cancelled");
    // A dropped stream is never re-sent from here: events may already have been
    // delivered, so the caller resumes from the last resourceVersion it saw.
    if (!answer) return answer.error();
    if (verdict.retry) {
      if (!wait(verdict.wait, cancel)) return util::make_error(ErrorKind::cancelled, "watch cancelled");
      continue;
    }
    if (answer->status >= 300) return error_from_response(*answer);
    return stopped_by_handler_error;
  }
}

void warn_insecure(const Config& config, const ClientOptions& options) {
  if (!config.cluster.insecure_skip_tls_verify) return;
  std::string text = fmt::format(
      "WARNING: insecure-skip-tls-verify is set for cluster \"{}\" ({}): the server's certificate is NOT "
      "verified; "
      "anyone on the network path can read and change what sluice sends, credentials included",
      config.cluster_name, config.cluster.server);
  if (options.warn) {
    options.warn(text);
  } else {
    spdlog::warn("{}", text);
  }
}

}  // namespace

Result<std::unique_ptr<Client>> make_client(const Config& config, ClientOptions options) {
  if (config.cluster.server.rfind("https://", 0) != 0 && config.cluster.server.rfind("http://", 0) != 0) {
    return util::make_error(ErrorKind::invalid,
                            fmt::format("cluster \"{}\": server \"{}\" is not an http(s) URL",
                                        config.cluster_name, config.cluster.server));
  }
  if (!options.http_factory) {
    options.http_factory = [](const http::ClientOptions& o) { return http::make_curl_client(o); };
  }
  warn_insecure(config, options);
  return std::unique_ptr<Client>(std::make_unique<ApiClient>(config, std::move(options)));
}

}  // namespace sluice::kube
