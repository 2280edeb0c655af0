#include <sluice/drill/webhook_director.hpp>

#include <sluice/gate/secrets.hpp>
#include <sluice/http/client.hpp>
#include <sluice/http/retry.hpp>

#include <random>

namespace sluice::drill {

nlohmann::json webhook_body(const std::string& drill, const std::string& action, const std::string& from,
                            const std::map<std::string, int>& shares) {
  return {{"drill", drill}, {"action", action}, {"from", from}, {"shares", shares}};
}

std::map<std::string, int> even_shares(const std::vector<std::string>& regions) {
  std::map<std::string, int> shares;
  if (regions.empty()) return shares;
  const int each = 100 / static_cast<int>(regions.size());
  int left = 100 - each * static_cast<int>(regions.size());
  for (const std::string& region : regions) shares[region] = each + (left-- > 0 ? 1 : 0);
  return shares;
}

namespace {

bool retryable(const util::Result<http::Response>& answer) {
  if (!answer) {
    return answer.error().kind == util::ErrorKind::timeout ||
           answer.error().kind == util::ErrorKind::unavailable;
  }
  return answer->status == 429 || answer->status >= 500;
}

}  // namespace

util::Status post_shares(const plan::WebhookDirector& webhook, const nlohmann::json& body, DrillDeps& deps) {
  if (deps.http == nullptr)
    return util::make_error(util::ErrorKind::internal, "no HTTP client for the webhook");
  http::Request request{.method = "POST",
                        .url = webhook.url,
                        .headers = {{"Content-Type", "application/json"}},
                        .body = body.dump(),
                        .timeout = webhook.timeout,
                        .max_attempts = 1};
  if (!webhook.header.empty()) {
    auto secret = gate::default_secret_reader().read(webhook.secret, "");
    if (!secret) return secret.error().with_context("director.webhook.secretFrom");
    request.headers.emplace_back(webhook.header, *secret);
  }
  const http::RetryPolicy policy{k_webhook_attempts, util::Duration(200), util::Duration(10'000), {}};
  std::mt19937 random(std::random_device{}());
  const util::CancelToken* cancel = deps.interrupt ? &deps.interrupt->token() : nullptr;
  std::string last;
  for (int attempt = 1; attempt <= k_webhook_attempts; ++attempt) {
    auto answer = deps.http->send(request, cancel);
    if (answer && answer->status >= 200 && answer->status < 300) return {};
    last = answer ? "answered " + std::to_string(answer->status) : answer.error().message;
    if (!retryable(answer) || attempt == k_webhook_attempts) break;
    std::optional<util::Duration> retry_after;
    if (answer) retry_after = http::parse_retry_after(answer->header("Retry-After"), deps.clock->wall_now());
    auto wait = http::backoff_delay(policy, attempt, retry_after,
                                    std::uniform_real_distribution<double>(0, 1)(random));
    if (!deps.clock->sleep_for(wait, cancel))
      return util::make_error(util::ErrorKind::cancelled, "interrupted");
  }
  // The URL only, never the headers: the secret stays out of every message.
  return util::make_error(util::ErrorKind::unavailable,
                          "director webhook " + http::redact_url(webhook.url) + ": " + last);
}

}  // namespace sluice::drill
