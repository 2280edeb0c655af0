#include <sluice/notify/notice.hpp>

#include <sluice/util/exit_code.hpp>

namespace sluice::notify {

using plan::NotifyOn;
using report::EventType;

namespace {

std::optional<NotifyOn> classify_finished(const report::Event& event) {
  int code = event.data.value("exitCode", -1);
  if (code == k_exit_ok && event.data.value("outcome", "") == "Healthy") return NotifyOn::succeeded;
  if (code == k_exit_locked) return NotifyOn::lock_contention;
  if (code == k_exit_needs_human) return NotifyOn::needs_human;
  return std::nullopt;
}

}  // namespace

std::optional<NotifyOn> classify(const report::Event& event) {
  switch (event.type) {
    case EventType::rollout_started: return NotifyOn::started;
    case EventType::paused:
      return event.data.value("reason", "") == "failed" ? NotifyOn::needs_human : NotifyOn::paused;
    case EventType::step_finished:
      if (event.data.value("result", "") == "failed") return NotifyOn::step_failed;
      return std::nullopt;
    case EventType::rolled_back: return NotifyOn::rolled_back;
    case EventType::aborted: return NotifyOn::aborted;
    case EventType::finished: return classify_finished(event);
    default: return std::nullopt;
  }
}

void learn(RolloutFacts& facts, const report::Event& event) {
  if (!event.rollout.empty()) facts.rollout = event.rollout;
  if (event.step > 0) {
    facts.step = event.step;
    facts.steps = event.steps;
    facts.step_name = event.step_name;
  }
  if (event.type != EventType::rollout_started) return;
  facts.strategy = event.data.value("strategy", facts.strategy);
  facts.image = event.data.value("image", facts.image);
  facts.digest = event.data.value("digest", facts.digest);
}

std::string next_command(const Notice& notice) {
  const char* verb = "status";
  if (notice.on == NotifyOn::paused) verb = "promote";
  if (notice.on == NotifyOn::needs_human) verb = "abort";
  std::string command = std::string("sluice ") + verb + " " + notice.facts.rollout;
  if (!notice.facts.ns.empty()) command += " -n " + notice.facts.ns;
  if (!notice.facts.context.empty()) command += " --context " + notice.facts.context;
  return command;
}

std::string headline(const Notice& notice) {
  std::string name = "Rollout " + notice.facts.rollout;
  switch (notice.on) {
    case NotifyOn::started: return name + " started";
    case NotifyOn::paused: return name + " paused, waiting for promote";
    case NotifyOn::step_failed: return name + ": step " + notice.event.step_name + " failed";
    case NotifyOn::rolled_back: return name + " rolled back";
    case NotifyOn::aborted: return name + " aborted";
    case NotifyOn::needs_human: return name + " needs a human";
    case NotifyOn::succeeded: return name + " succeeded";
    case NotifyOn::lock_contention: return name + " is locked by another deploy";
  }
  return name;
}

}  // namespace sluice::notify
