// The JSON each receiver's API takes (docs/notifications.md says where each
// field comes from): Slack Block Kit, PagerDuty Events API v2, Alertmanager's
// /api/v2/alerts, and the generic webhook's signed `-o json` event.
#include <sluice/notify/receivers.hpp>

#include <sluice/util/rfc3339.hpp>

namespace sluice::notify {

using plan::NotifyOn;
using plan::Receiver;

namespace {

// Slack refuses a header over 150 characters and a field over 2000.
std::string cut(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  text.resize(limit - 3);
  return text + "...";
}

Json field(const std::string& name, const std::string& value) {
  return Json{{"type", "mrkdwn"}, {"text", cut("*" + name + "*\n" + value, 2000)}};
}

std::string step_text(const RolloutFacts& facts) {
  if (facts.step == 0) return "-";
  return "[" + std::to_string(facts.step) + "/" + std::to_string(facts.steps) + "] " + facts.step_name;
}

std::string image_text(const RolloutFacts& facts) {
  if (!facts.digest.empty()) return facts.digest;
  return facts.image.empty() ? "-" : facts.image;
}

std::string or_dash(const std::string& text) {
  return text.empty() ? "-" : text;
}

http::Request json_post(const ReadyReceiver& receiver, std::string url, const Json& body) {
  http::Request request{.method = "POST", .url = std::move(url)};
  request.headers.emplace_back("Content-Type", "application/json");
  for (const auto& header : receiver.headers) request.headers.push_back(header);
  request.body = body.dump();
  return request;
}

std::string alertmanager_url(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/v2/alerts";
}

}  // namespace

Json slack_message(const Notice& notice) {
  const RolloutFacts& f = notice.facts;
  std::string title = headline(notice);
  Json fields = Json::array({field("Rollout", f.rollout), field("Cluster", or_dash(f.context)),
                             field("Namespace", or_dash(f.ns)), field("Image", image_text(f)),
                             field("Step", step_text(f)), field("Reason", or_dash(notice.event.message))});
  Json blocks =
      Json::array({Json{{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", cut(title, 150)}}}},
                   Json{{"type", "section"}, {"fields", fields}},
                   Json{{"type", "section"},
                        {"text", {{"type", "mrkdwn"}, {"text", "`" + next_command(notice) + "`"}}}}});
  return Json{{"text", title}, {"blocks", blocks}};
}

std::optional<Json> pagerduty_event(const Notice& notice, const std::string& routing_key) {
  if (notice.on == NotifyOn::started) return std::nullopt;
  Json event{{"routing_key", routing_key}, {"dedup_key", dedup_key(notice.facts)}};
  if (resolves(notice.on)) {
    event["event_action"] = "resolve";
    return event;
  }
  std::string summary = headline(notice);
  if (!notice.event.message.empty()) summary += ": " + notice.event.message;
  event["event_action"] = "trigger";
  event["payload"] = {{"summary", cut(summary, 1024)},
                      {"source", notice.facts.context.empty() ? "sluice" : notice.facts.context},
                      {"severity", severity_of(notice.on)},
                      {"timestamp", util::format_rfc3339(notice.at)},
                      {"component", notice.facts.rollout},
                      {"group", notice.facts.ns},
                      {"class", plan::to_string(notice.on)},
                      {"custom_details",
                       {{"command", next_command(notice)},
                        {"image", image_text(notice.facts)},
                        {"step", step_text(notice.facts)},
                        {"event", notice.json}}}};
  event["client"] = "sluice";
  return event;
}

std::optional<Json> alertmanager_alerts(const Notice& notice) {
  if (notice.on == NotifyOn::started) return std::nullopt;
  const RolloutFacts& f = notice.facts;
  Json labels{{"alertname", "SluiceRolloutFailed"}, {"rollout", f.rollout}, {"namespace", or_dash(f.ns)}};
  if (!f.context.empty()) labels["cluster"] = f.context;
  Json annotations{{"summary", headline(notice)},
                   {"description", or_dash(notice.event.message)},
                   {"command", next_command(notice)},
                   {"image", image_text(f)}};
  std::string at = util::format_rfc3339(notice.at);
  Json alerts = Json::array();
  if (!resolves(notice.on)) {
    labels["severity"] = severity_of(notice.on);
    alerts.push_back({{"labels", labels}, {"annotations", annotations}, {"startsAt", at}});
    return alerts;
  }
  // An alert is its label set: resolve each severity this rollout can have fired.
  for (const char* severity : {"critical", "error", "warning", "info"}) {
    labels["severity"] = severity;
    alerts.push_back({{"labels", labels}, {"annotations", annotations}, {"startsAt", at}, {"endsAt", at}});
  }
  return alerts;
}

std::optional<http::Request> request_for(const ReadyReceiver& receiver, const Notice& notice) {
  if (receiver.spec.on.count(notice.on) == 0) return std::nullopt;
  switch (receiver.spec.kind) {
    case Receiver::Kind::slack: return json_post(receiver, receiver.url, slack_message(notice));
    case Receiver::Kind::pagerduty: {
      auto event = pagerduty_event(notice, receiver.key);
      if (!event) return std::nullopt;
      return json_post(receiver, receiver.url, *event);
    }
    case Receiver::Kind::alertmanager: {
      auto alerts = alertmanager_alerts(notice);
      if (!alerts) return std::nullopt;
      return json_post(receiver, alertmanager_url(receiver.url), *alerts);
    }
    case Receiver::Kind::webhook: {
      http::Request request = json_post(receiver, receiver.url, notice.json);
      request.headers.emplace_back("X-Sluice-Event", plan::to_string(notice.on));
      if (!receiver.key.empty())
        request.headers.emplace_back("X-Sluice-Signature", webhook_signature(receiver.key, request.body));
      return request;
    }
  }
  return std::nullopt;
}

}  // namespace sluice::notify
