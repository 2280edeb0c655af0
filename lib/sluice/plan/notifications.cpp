// Names and defaults of the notification model (plan/notifications.hpp).
#include <sluice/plan/notifications.hpp>

#include <algorithm>

namespace sluice::plan {

const char* to_string(NotifyOn on) {
  switch (on) {
    case NotifyOn::started: return "started";
    case NotifyOn::paused: return "paused";
    case NotifyOn::step_failed: return "stepFailed";
    case NotifyOn::rolled_back: return "rolledBack";
    case NotifyOn::aborted: return "aborted";
    case NotifyOn::needs_human: return "needsHuman";
    case NotifyOn::succeeded: return "succeeded";
    case NotifyOn::lock_contention: return "lockContention";
  }
  return "started";
}

const std::vector<NotifyOn>& all_notify_on() {
  static const std::vector<NotifyOn> all = {
      NotifyOn::started, NotifyOn::paused,      NotifyOn::step_failed, NotifyOn::rolled_back,
      NotifyOn::aborted, NotifyOn::needs_human, NotifyOn::succeeded,   NotifyOn::lock_contention};
  return all;
}

std::optional<NotifyOn> parse_notify_on(const std::string& text) {
  for (NotifyOn on : all_notify_on())
    if (text == to_string(on)) return on;
  return std::nullopt;
}

const char* to_string(Receiver::Kind kind) {
  switch (kind) {
    case Receiver::Kind::slack: return "slack";
    case Receiver::Kind::pagerduty: return "pagerduty";
    case Receiver::Kind::webhook: return "webhook";
    case Receiver::Kind::alertmanager: return "alertmanager";
  }
  return "webhook";
}

std::set<NotifyOn> default_notify_on(Receiver::Kind kind) {
  if (kind == Receiver::Kind::pagerduty || kind == Receiver::Kind::alertmanager) {
    // What pages (a failure) and what resolves the page (healthy again, or a clean abort).
    return {NotifyOn::step_failed, NotifyOn::rolled_back, NotifyOn::needs_human, NotifyOn::succeeded,
            NotifyOn::aborted};
  }
  const auto& all = all_notify_on();
  return {all.begin(), all.end()};
}

Notifications merge_notifications(const Notifications& config, const Notifications& plan) {
  Notifications out;
  for (const auto& receiver : config.receivers) {
    bool replaced = std::any_of(plan.receivers.begin(), plan.receivers.end(),
                                [&](const Receiver& mine) { return mine.name == receiver.name; });
    if (!replaced) out.receivers.push_back(receiver);
  }
  out.receivers.insert(out.receivers.end(), plan.receivers.begin(), plan.receivers.end());
  return out;
}

}  // namespace sluice::plan
