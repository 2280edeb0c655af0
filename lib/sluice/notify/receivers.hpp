// What each kind of receiver is sent for a notice (docs/notifications.md):
// pure functions from a notice and a receiver whose secrets are already read
// to an HTTP request, so payload shapes are table-tested without a network.
#pragma once

#include <sluice/http/client.hpp>
#include <sluice/notify/notice.hpp>
#include <sluice/plan/notifications.hpp>
#include <sluice/util/result.hpp>

#include <functional>
#include <optional>
#include <string>

namespace sluice::notify {

// A receiver ready to send: its URL, key and headers read from where the
// plan or config points (and registered with http's redaction).
struct ReadyReceiver {
  plan::Receiver spec;
  std::string url;
  std::string key;  // PagerDuty routing key, or the webhook's signing key ("" when none)
  http::Headers headers;
};

using SecretLookup = std::function<util::Result<std::string>(const plan::SecretRef&)>;

// Reads the environment and files (a file's final newline is no part of a secret).
util::Result<std::string> read_secret_ref(const plan::SecretRef& ref);

// Reads `spec`'s secrets through `lookup` and registers each with
// http::register_secret; the error names where a value was looked for, never it.
util::Result<ReadyReceiver> make_ready(const plan::Receiver& spec, const SecretLookup& lookup);

// PagerDuty and Alertmanager severity for a notice: needsHuman critical,
// rolledBack error, stepFailed and lockContention warning, paused info.
const char* severity_of(plan::NotifyOn on);
// True for what resolves a page: succeeded, aborted.
bool resolves(plan::NotifyOn on);

// "sluice/<context>/<namespace>/<rollout>": one incident per rollout.
std::string dedup_key(const RolloutFacts& facts);

Json slack_message(const Notice& notice);
// nullopt for a notice PagerDuty is not sent (started).
std::optional<Json> pagerduty_event(const Notice& notice, const std::string& routing_key);
// nullopt for a notice Alertmanager is not sent (started).
std::optional<Json> alertmanager_alerts(const Notice& notice);
// "sha256=<lowercase hex HMAC-SHA256 of body under key>".
std::string webhook_signature(const std::string& key, const std::string& body);

// The request for `notice`, or nullopt when this receiver is not sent it
// (not in its `on:` list, or not a moment its kind reports).
std::optional<http::Request> request_for(const ReadyReceiver& receiver, const Notice& notice);

}  // namespace sluice::notify
