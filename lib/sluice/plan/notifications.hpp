// Where a rollout's notifications go (docs/notifications.md): receivers
// (Slack, PagerDuty, a generic webhook, Alertmanager) and the events each
// wants. Read from a plan's `notifications` section and from the user/CI-wide
// config file; secrets are references only, read at delivery time.
#pragma once

#include <sluice/plan/model.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::plan {

// The moments of a rollout a receiver can ask for (`on:`).
enum class NotifyOn {
  started,
  paused,
  step_failed,
  rolled_back,
  aborted,
  needs_human,
  succeeded,
  lock_contention
};

struct Receiver {
  enum class Kind { slack, pagerduty, webhook, alertmanager };
  std::string name;
  Kind kind = Kind::webhook;
  // Where to send. Slack: always a reference (the URL is the secret);
  // PagerDuty: the Events API v2 endpoint unless given.
  SecretValue url{};
  // PagerDuty's routing key, or the webhook's HMAC-SHA256 signing key.
  std::optional<SecretRef> key{};
  // Extra headers (webhook, alertmanager); credential headers are references.
  std::map<std::string, SecretValue> headers{};
  std::set<NotifyOn> on{};
  SourcePos pos{};
};

struct Notifications {
  std::vector<Receiver> receivers;
};

// "started", "paused", "stepFailed", "rolledBack", "aborted", "needsHuman", "succeeded", "lockContention".
const char* to_string(NotifyOn on);
std::optional<NotifyOn> parse_notify_on(const std::string& text);
const std::vector<NotifyOn>& all_notify_on();

const char* to_string(Receiver::Kind kind);  // "slack", "pagerduty", "webhook", "alertmanager"

// PagerDuty's Events API v2 endpoint, the default `url` of a pagerduty receiver.
inline constexpr const char* k_pagerduty_events_url = "https://events.pagerduty.com/v2/enqueue";

// What a receiver gets when it has no `on:` list: everything for chat and
// webhooks; failures and their resolutions for the paging receivers.
std::set<NotifyOn> default_notify_on(Receiver::Kind kind);

// The `notifications` section of a plan the parser accepted (parse_plan
// checks it with the rest of the plan; `text` is PlanParse::text): read again
// here so the rollout model stays what every stage of a rollout needs.
Notifications plan_notifications(std::string_view text, const std::string& file);

// The receivers of `config` (the user/CI-wide file) and then `plan`'s; a plan
// receiver replaces a config receiver of the same name.
Notifications merge_notifications(const Notifications& config, const Notifications& plan);

}  // namespace sluice::plan
