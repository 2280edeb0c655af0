// The webhook director: POSTs the traffic shares to the user's DNS/GLB
// automation, which must answer 2xx. 429, 5xx and transport failures are
// retried with backoff (Retry-After honoured) on the injected clock; every
// attempt has a bounded timeout; the secret goes in a header, never in output.
#pragma once

#include <sluice/drill/clusters.hpp>
#include <sluice/plan/drill_model.hpp>

#include <map>
#include <string>

namespace sluice::drill {

inline constexpr int k_webhook_attempts = 5;

// The body sent: {"drill", "action" ("failover" | "failback"), "from", "shares": {region: percent}}.
nlohmann::json webhook_body(const std::string& drill, const std::string& action, const std::string& from,
                            const std::map<std::string, int>& shares);

util::Status post_shares(const plan::WebhookDirector& webhook, const nlohmann::json& body, DrillDeps& deps);

// Even whole percentages over `regions` (the webhook's state cannot be read:
// this is what failback returns to). The remainder goes to the first regions.
std::map<std::string, int> even_shares(const std::vector<std::string>& regions);

}  // namespace sluice::drill
