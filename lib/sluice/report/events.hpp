// What a rollout tells the person or program watching it: a small set of
// typed events (docs/events.md), written as a live terminal view, as plain
// timestamped lines, or as one JSON object per line (`-o json`).
#pragma once

#include <sluice/util/clock.hpp>

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace sluice::report {

using Json = nlohmann::json;

enum class EventType {
  rollout_started,  // data: strategy, image, digest, previousImage, floor, resumed
  step_started,     // step, steps, stepName
  step_finished,    // step, steps, stepName, data: result ("done" | "failed"), message
  progress,         // data: versions [{name, image, ready, desired}]
  check_measured,   // data: check, verdict, value, message
  paused,           // message: why, and what continues it
  promoted,         // data: full
  aborted,          // message
  rolled_back,      // message: why; data: to (image)
  finished,         // data: outcome, exitCode, meaning
  info,             // message only (warnings, resume notes)
  diff,             // diff / apply --dry-run: data: kind, namespace, name, action, diff (unified)
};

const char* to_string(EventType type);  // "rollout_started", ...

struct Event {
  EventType type = EventType::info;
  std::string rollout;  // plan name
  int step = 0;         // 1-based step number; 0 when not about a step
  int steps = 0;        // total steps
  std::string step_name;
  std::string message;
  Json data = Json::object();
};

// The JSON line for `-o json`: {"time","type","rollout",["step","steps","stepName"],["message"],...data}.
Json to_json(const Event& event, util::WallTime at);

// The human sentence for an event, without time or rollout name.
std::string describe(const Event& event);

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void emit(const Event& event) = 0;
};

enum class Format { text, json };

// `tty`: the live terminal view (report/terminal.hpp) with colour as NO_COLOR
// allows and the width of stdout; else plain timestamped lines.
std::unique_ptr<Reporter> make_reporter(Format format, std::ostream& out, bool tty, util::Clock& clock);

// A reporter that keeps every event, for tests and for the benchmark.
class MemoryReporter final : public Reporter {
 public:
  void emit(const Event& event) override { events.push_back(event); }
  std::vector<Event> events;
};

}  // namespace sluice::report
