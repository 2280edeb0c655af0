#include <sluice/report/events.hpp>
#include <sluice/report/terminal.hpp>
#include <sluice/util/rfc3339.hpp>

#include <fmt/format.h>

#include <mutex>
#include <ostream>

namespace sluice::report {

const char* to_string(EventType type) {
  switch (type) {
    case EventType::rollout_started: return "rollout_started";
    case EventType::step_started: return "step_started";
    case EventType::step_finished: return "step_finished";
    case EventType::progress: return "progress";
    case EventType::check_measured: return "check_measured";
    case EventType::paused: return "paused";
    case EventType::promoted: return "promoted";
    case EventType::aborted: return "aborted";
    case EventType::rolled_back: return "rolled_back";
    case EventType::finished: return "finished";
    case EventType::info: return "info";
    case EventType::diff: return "diff";
  }
  return "info";
}

Json to_json(const Event& e, util::WallTime at) {
  Json j{{"time", util::format_rfc3339_micro(at)}, {"type", to_string(e.type)}, {"rollout", e.rollout}};
  if (e.step > 0) {
    j["step"] = e.step;
    j["steps"] = e.steps;
    j["stepName"] = e.step_name;
  }
  if (!e.message.empty()) j["message"] = e.message;
  for (const auto& [key, value] : e.data.items()) j[key] = value;
  return j;
}

namespace {

class JsonReporter final : public Reporter {
 public:
  JsonReporter(std::ostream& out, util::Clock& clock) : out_(out), clock_(clock) {}
  void emit(const Event& e) override {
    std::lock_guard lock(mutex_);
    out_ << to_json(e, clock_.wall_now()).dump() << "\n" << std::flush;
  }

 private:
  std::ostream& out_;
  util::Clock& clock_;
  std::mutex mutex_;
};

std::string versions_text(const Json& versions) {
  std::string out;
  for (const auto& v : versions) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}/{} ready", v.value("name", "?"), v.value("ready", 0), v.value("desired", 0));
  }
  return out;
}

std::string traffic_text(const Json& t) {
  return fmt::format("traffic: {:g}% to the canary (asked {}%), {} canary and {} stable pods ready",
                     t.value("measuredWeight", 0.0), t.value("weight", 0), t.value("canaryReady", 0),
                     t.value("stableReady", 0));
}

}  // namespace

std::string describe(const Event& e) {
  std::string step = e.step > 0 ? fmt::format("[{}/{}] {} ", e.step, e.steps, e.step_name) : "";
  switch (e.type) {
    case EventType::rollout_started:
      return fmt::format("{} rollout of {} ({}){}", e.data.value("strategy", ""), e.data.value("image", ""),
                         e.data.value("digest", ""), e.data.value("resumed", false) ? ", resumed" : "");
    case EventType::step_started: return step + "started";
    case EventType::step_finished:
      return step + e.data.value("result", "done") + (e.message.empty() ? "" : ": " + e.message);
    case EventType::progress:
      if (e.data.contains("pauseUntil"))
        return fmt::format("pausing until {} (`promote` ends it early)", e.data.value("pauseUntil", ""));
      if (e.data.contains("traffic")) return traffic_text(e.data["traffic"]);
      return "versions: " + versions_text(e.data.value("versions", Json::array()));
    case EventType::check_measured:
      return fmt::format(
          "check {}: {}{}{}", e.data.value("check", ""), e.data.value("verdict", ""),
          e.data.value("value", "").empty() ? "" : " (value " + e.data.value("value", "") + ")",
          e.data.value("message", "").empty() ? "" : ": " + e.data.value("message", ""));
    case EventType::finished:
      return fmt::format("finished: {} (exit {}: {}){}", e.data.value("outcome", ""),
                         e.data.value("exitCode", 0), e.data.value("meaning", ""),
                         e.message.empty() ? "" : ": " + e.message);
    case EventType::diff:
      return fmt::format("would {} {} {}/{}", e.data.value("action", ""), e.data.value("kind", ""),
                         e.data.value("namespace", ""), e.data.value("name", ""));
    default: return std::string(to_string(e.type)) + (e.message.empty() ? "" : ": " + e.message);
  }
}

namespace {

// Plain lines for logs and pipes: a timestamp, the rollout, the sentence.
class TextReporter final : public Reporter {
 public:
  TextReporter(std::ostream& out, util::Clock& clock) : out_(out), clock_(clock) {}

  void emit(const Event& e) override {
    std::lock_guard lock(mutex_);
    out_ << util::format_rfc3339_micro(clock_.wall_now()) << " " << e.rollout << " " << describe(e) << "\n"
         << std::flush;
  }

 private:
  std::ostream& out_;
  util::Clock& clock_;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<Reporter> make_reporter(Format format, std::ostream& out, bool tty, util::Clock& clock) {
  if (format == Format::json) return std::make_unique<JsonReporter>(out, clock);
  if (tty)
    return make_terminal_reporter(out, clock, TerminalOptions{color_wanted(false), stdout_columns, true});
  return std::make_unique<TextReporter>(out, clock);
}

}  // namespace sluice::report
