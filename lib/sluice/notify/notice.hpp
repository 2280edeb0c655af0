// What a receiver is told: one rollout event (report/events.hpp) that a
// receiver may ask for (plan::NotifyOn), with the facts about the rollout that
// earlier events and the command line established (cluster, namespace, image).
#pragma once

#include <sluice/plan/notifications.hpp>
#include <sluice/report/events.hpp>
#include <sluice/util/clock.hpp>

#include <optional>
#include <string>

namespace sluice::notify {

using report::Json;

// Known before the first event (the command line and the plan) or learnt
// from rollout_started and the step events.
struct RolloutFacts {
  std::string rollout;
  std::string context;  // kubeconfig context ("" when unknown)
  std::string ns;
  std::string strategy;   // from rollout_started
  std::string image;      // as written in the plan
  std::string digest;     // repo@sha256:..., what is deployed
  std::string step_name;  // the step under way, or the last one
  int step = 0;
  int steps = 0;
};

struct Notice {
  plan::NotifyOn on = plan::NotifyOn::started;
  report::Event event;
  Json json;  // the event as `-o json` writes it
  RolloutFacts facts;
  util::WallTime at{};
};

// Which moment an event is, if any: rollout_started -> started; paused
// (reason failed -> needsHuman); step_finished with result failed ->
// stepFailed; rolled_back; aborted; finished with exit 0 and a change ->
// succeeded, 5 -> lockContention, 7 -> needsHuman. Other events notify nobody.
std::optional<plan::NotifyOn> classify(const report::Event& event);

// `facts` with what `event` tells about the rollout (image, digest, step).
void learn(RolloutFacts& facts, const report::Event& event);

// The exact command an operator runs next for this notice, with every flag
// spelled out (the reader may be on another machine): "sluice promote web -n
// shop --context prod" for a pause, "sluice abort ..." for a failure held or
// needing a human, "sluice status ..." otherwise.
std::string next_command(const Notice& notice);

// "Rollout web rolled back" — one line for a title or a summary.
std::string headline(const Notice& notice);

}  // namespace sluice::notify
