#include <sluice/gate/provider.hpp>

#include <sluice/gate/secrets.hpp>
#include <sluice/http/client.hpp>
#include <sluice/metrics/prometheus.hpp>
#include <sluice/plan/model.hpp>
#include <sluice/util/strings.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sluice::gate {

std::map<std::string, std::string> CheckContext::variables() const {
  std::map<std::string, std::string> vars{
      {"name", rollout},
      {"namespace", ns},
      {"service", service},
      {"canary_hash", canary_hash},
      {"stable_hash", stable_hash},
      {"digest", digest},
      {"strategy", strategy},
      {"step", std::to_string(step)},
      {"weight", std::to_string(weight)},
      {"hash", canary_hash},
  };
  return vars;
}

std::map<std::string, std::string> CheckContext::baseline_variables() const {
  auto vars = variables();
  vars["hash"] = stable_hash;
  return vars;
}

util::Result<std::string> expand_template(const std::string& text,
                                          const std::map<std::string, std::string>& variables) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) {
      return util::make_error(util::ErrorKind::invalid, fmt::format("unclosed '{{{{' at offset {}", open));
    }
    std::string name(util::trim(text.substr(open + 2, close - open - 2)));
    auto it = variables.find(name);
    if (it == variables.end()) {
      return util::make_error(util::ErrorKind::invalid, "unknown template variable '{{" + name + "}}'");
    }
    out += text.substr(pos, open - pos);
    out += it->second;
    pos = close + 2;
  }
  return out + text.substr(pos);
}

namespace {

Measurement error_measurement(std::string message, util::WallTime at) {
  Measurement m;
  m.phase = Phase::error;
  m.message = std::move(message);
  m.at = at;
  return m;
}

// One number out of a query, or the reason it cannot be one.
util::Result<std::optional<double>> single_value(metrics::PrometheusClient& prometheus,
                                                 const std::string& query, const util::CancelToken* cancel) {
  auto result = prometheus.query(query, cancel);
  if (!result) return result.error();
  if (result->samples.empty()) return std::optional<double>();
  if (result->samples.size() > 1) {
    return util::make_error(
        util::ErrorKind::invalid,
        fmt::format("query returned {} series, expected one; aggregate it (e.g. sum(...))",
                    result->samples.size()));
  }
  return std::optional<double>(result->samples.front().value);
}

// The headers to send, or the error measurement that replaces the attempt.
util::Result<http::Headers> request_headers(const std::string& url, const plan::Credentials& credentials,
                                            const CheckContext& context, SecretReader& secrets) {
  if (auto url_ok = check_url_credentials(url); !url_ok) return url_ok.error();
  return credential_headers(credentials, context.ns, secrets);
}

class PrometheusProvider final : public Provider {
 public:
  PrometheusProvider(const plan::Check& check, http::Client& client, util::Clock& clock,
                     SecretReader& secrets)
      : check_(check),
        source_(std::get<plan::PrometheusSource>(check.source)),
        prometheus_(client, source_.address),
        clock_(&clock),
        secrets_(&secrets) {}

  Measurement measure(const CheckContext& context, const util::CancelToken* cancel) override {
    auto headers = request_headers(source_.address, source_.credentials, context, *secrets_);
    if (!headers) return error_measurement("credentials: " + headers.error().message, clock_->wall_now());
    prometheus_.set_headers(std::move(*headers));
    auto value = run(source_.query, context.variables(), cancel);
    if (!value) return error_measurement(value.error().message, clock_->wall_now());
    std::optional<double> baseline;
    if (check_.baseline) {
      auto base = run(check_.baseline->query, context.baseline_variables(), cancel);
      if (!base) return error_measurement("baseline: " + base.error().message, clock_->wall_now());
      baseline = *base;
    }
    return judge_value(check_, *value, baseline, clock_->wall_now());
  }

 private:
  util::Result<std::optional<double>> run(const std::string& query,
                                          const std::map<std::string, std::string>& vars,
                                          const util::CancelToken* cancel) {
    auto expanded = expand_template(query, vars);
    if (!expanded) return expanded.error().with_context("query");
    return single_value(prometheus_, *expanded, cancel);
  }

  plan::Check check_;
  plan::PrometheusSource source_;
  metrics::PrometheusClient prometheus_;
  util::Clock* clock_;
  SecretReader* secrets_;
};

Measurement status_measurement(Phase phase, int status, std::string message, util::WallTime at) {
  Measurement m;
  m.phase = phase;
  m.value = status;
  m.message = std::move(message);
  m.at = at;
  return m;
}

class HttpProvider final : public Provider {
 public:
  HttpProvider(const plan::Check& check, http::Client& client, util::Clock& clock, SecretReader& secrets)
      : source_(std::get<plan::HttpSource>(check.source)),
        client_(&client),
        clock_(&clock),
        secrets_(&secrets) {}

  Measurement measure(const CheckContext& context, const util::CancelToken* cancel) override {
    auto url = expand_template(source_.url, context.variables());
    if (!url) return error_measurement("url: " + url.error().message, clock_->wall_now());
    auto headers = request_headers(source_.url, source_.credentials, context, *secrets_);
    if (!headers) return error_measurement("credentials: " + headers.error().message, clock_->wall_now());
    http::Request request;
    request.method = source_.method;
    request.url = *url;
    request.timeout = source_.timeout;
    request.connect_timeout = std::min(source_.timeout, util::Duration{5000});
    request.headers = std::move(*headers);
    std::string what = source_.method + " " + http::redact_url(*url);
    auto response = client_->send(request, cancel);
    if (!response) return error_measurement(what + ": " + response.error().message, clock_->wall_now());
    if (response->status != source_.expect_status) {
      return status_measurement(
          Phase::failed, response->status,
          fmt::format("{}: status {}, expected {}", what, response->status, source_.expect_status),
          clock_->wall_now());
    }
    if (!source_.body_match.empty() && response->body.find(source_.body_match) == std::string::npos) {
      return status_measurement(Phase::failed, response->status,
                                what + ": body does not contain '" + source_.body_match + "'",
                                clock_->wall_now());
    }
    return status_measurement(Phase::successful, response->status,
                              fmt::format("{}: status {}", what, response->status), clock_->wall_now());
  }

 private:
  plan::HttpSource source_;
  http::Client* client_;
  util::Clock* clock_;
  SecretReader* secrets_;
};

std::string webhook_body(const std::string& check, const CheckContext& c) {
  nlohmann::json body{
      {"check", check},
      {"rollout", c.rollout},
      {"namespace", c.ns},
      {"service", c.service},
      {"strategy", c.strategy},
      {"step", c.step},
      {"weight", c.weight},
      {"digest", c.digest},
      {"canaryHash", c.canary_hash},
      {"stableHash", c.stable_hash},
  };
  return body.dump();
}

class WebhookProvider final : public Provider {
 public:
  WebhookProvider(const plan::Check& check, http::Client& client, util::Clock& clock, SecretReader& secrets)
      : name_(check.name),
        source_(std::get<plan::WebhookSource>(check.source)),
        client_(&client),
        clock_(&clock),
        secrets_(&secrets) {}

  Measurement measure(const CheckContext& context, const util::CancelToken* cancel) override {
    auto url = expand_template(source_.url, context.variables());
    if (!url) return error_measurement("url: " + url.error().message, clock_->wall_now());
    auto headers = request_headers(source_.url, source_.credentials, context, *secrets_);
    if (!headers) return error_measurement("credentials: " + headers.error().message, clock_->wall_now());
    http::Request request;
    request.method = "POST";
    request.url = *url;
    request.timeout = source_.timeout;
    request.connect_timeout = std::min(source_.timeout, util::Duration{5000});
    request.replay_safe = false;  // the receiver may act on it (approve, start load)
    request.headers.emplace_back("Content-Type", "application/json");
    request.headers.insert(request.headers.end(), headers->begin(), headers->end());
    request.body = webhook_body(name_, context);
    std::string what = "webhook " + http::redact_url(*url);
    auto response = client_->send(request, cancel);
    if (!response) return error_measurement(what + ": " + response.error().message, clock_->wall_now());
    bool ok = response->status >= 200 && response->status < 300;
    return status_measurement(ok ? Phase::successful : Phase::failed, response->status,
                              fmt::format("{}: status {}", what, response->status), clock_->wall_now());
  }

 private:
  std::string name_;
  plan::WebhookSource source_;
  http::Client* client_;
  util::Clock* clock_;
  SecretReader* secrets_;
};

}  // namespace

std::unique_ptr<Provider> make_provider(const plan::Check& check, http::Client& client, util::Clock& clock,
                                        SecretReader* secrets) {
  SecretReader& reader = secrets != nullptr ? *secrets : default_secret_reader();
  if (std::holds_alternative<plan::PrometheusSource>(check.source)) {
    return std::make_unique<PrometheusProvider>(check, client, clock, reader);
  }
  if (std::holds_alternative<plan::HttpSource>(check.source)) {
    return std::make_unique<HttpProvider>(check, client, clock, reader);
  }
  return std::make_unique<WebhookProvider>(check, client, clock, reader);
}

}  // namespace sluice::gate
