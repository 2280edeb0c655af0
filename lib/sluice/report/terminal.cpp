#include <sluice/report/terminal.hpp>

#include <sluice/util/rfc3339.hpp>

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <ostream>
#include <thread>

namespace sluice::report {

namespace {

constexpr const char* k_clear_line = "\r\033[K";
constexpr const char* k_green = "\033[32m";
constexpr const char* k_red = "\033[31m";
constexpr const char* k_yellow = "\033[33m";
constexpr const char* k_reset = "\033[0m";

// The colour a finished line's keyword gets, or null.
const char* color_of(const Event& e) {
  std::string word;
  switch (e.type) {
    case EventType::finished: word = e.data.value("outcome", ""); break;
    case EventType::step_finished: word = e.data.value("result", ""); break;
    case EventType::check_measured: word = e.data.value("verdict", ""); break;
    case EventType::paused: return k_yellow;
    case EventType::rolled_back:
    case EventType::aborted: return k_red;
    default: return nullptr;
  }
  if (word == "Healthy" || word == "done" || word == "Successful") return k_green;
  if (word == "Paused" || word == "Inconclusive" || word == "Error") return k_yellow;
  if (word.empty()) return nullptr;
  return k_red;
}

// "m:ss" (or "h:mm:ss") left until `deadline`, never negative.
std::string countdown(util::Duration left) {
  long long s = std::max<long long>(0, (left.count() + 999) / 1000);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

// Ready pods of each version, never more than desired (a surge shows as full).
std::string versions_text(const Json& versions) {
  std::string out;
  for (const auto& v : versions) {
    int desired = v.value("desired", 0);
    int ready = std::min(v.value("ready", 0), desired);
    out += fmt::format("{}{} {}/{}", out.empty() ? "" : ", ", v.value("name", "?"), ready, desired);
  }
  return out;
}

// Cut to `width` columns (ASCII) so the line never wraps; 0: as is.
std::string fit(std::string line, int width) {
  if (width <= 0 || static_cast<int>(line.size()) < width) return line;
  line.resize(static_cast<size_t>(std::max(0, width - 4)));
  return line + "...";
}

class TerminalReporter final : public Reporter {
 public:
  TerminalReporter(std::ostream& out, util::Clock& clock, TerminalOptions options)
      : out_(out), clock_(clock), options_(std::move(options)), start_(clock.now()) {
    if (options_.tick) ticker_ = std::thread([this] { tick(); });
  }
  ~TerminalReporter() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (ticker_.joinable()) ticker_.join();
  }
  TerminalReporter(const TerminalReporter&) = delete;
  TerminalReporter& operator=(const TerminalReporter&) = delete;

  void emit(const Event& e) override {
    std::lock_guard lock(mutex_);
    if (e.type == EventType::rollout_started) start_ = clock_.now();
    learn(e);
    if (e.type != EventType::progress) print_line(e);
    if (e.type == EventType::finished) {
      shown_ = false;
      return;
    }
    redraw();
  }

 private:
  // What the status line shows, from the events so far.
  void learn(const Event& e) {
    rollout_ = e.rollout;
    if (e.type == EventType::step_started) {
      step_ = fmt::format("[{}/{}] {}", e.step, e.steps, e.step_name);
      deadline_.reset();
    }
    if (e.type == EventType::progress && e.data.contains("versions"))
      versions_ = versions_text(e.data["versions"]);
    if (e.type == EventType::progress && e.data.contains("traffic")) {
      const Json& t = e.data["traffic"];
      traffic_ = fmt::format("{:g}% to canary", t.value("measuredWeight", 0.0));
    }
    if (e.type == EventType::progress && e.data.contains("pauseUntil")) {
      if (auto until = util::parse_rfc3339(e.data.value("pauseUntil", ""))) {
        auto left = std::chrono::duration_cast<util::Duration>(*until - clock_.wall_now());
        deadline_ = clock_.now() + left;
        deadline_label_ = "pause ends in";
      }
    }
    if (e.type == EventType::check_measured && e.data.contains("nextInSeconds")) {
      deadline_ = clock_.now() + util::Duration{e.data.value("nextInSeconds", 0LL) * 1000};
      deadline_label_ = "next measurement in";
    }
  }

  std::string elapsed() const {
    auto ms = std::chrono::duration_cast<util::Duration>(clock_.now() - start_).count();
    return fmt::format("[{:>6.1f}s]", static_cast<double>(ms) / 1000.0);
  }

  void print_line(const Event& e) {
    std::string text = describe(e);
    const char* color = options_.color ? color_of(e) : nullptr;
    if (shown_) out_ << k_clear_line;
    out_ << elapsed() << " " << e.rollout << " ";
    if (color != nullptr) {
      out_ << color << text << k_reset << "\n";
    } else {
      out_ << text << "\n";
    }
    shown_ = false;
  }

  std::string status_line() const {
    std::string line = elapsed() + " " + rollout_;
    if (!step_.empty()) line += " " + step_;
    if (!versions_.empty()) line += " | " + versions_;
    if (!traffic_.empty()) line += " | " + traffic_;
    if (deadline_) {
      line += " | " + deadline_label_ + " " +
              countdown(std::chrono::duration_cast<util::Duration>(*deadline_ - clock_.now()));
    }
    return line;
  }

  void redraw() {
    if (rollout_.empty()) return;
    out_ << k_clear_line << fit(status_line(), options_.width()) << std::flush;
    shown_ = true;
  }

  void tick() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::seconds(1));
      if (!stopping_ && shown_ && deadline_) redraw();
    }
  }

  std::ostream& out_;
  util::Clock& clock_;
  TerminalOptions options_;
  util::TimePoint start_;
  std::string rollout_, step_, versions_, traffic_, deadline_label_;
  std::optional<util::TimePoint> deadline_;
  bool shown_ = false;  // the status line is on screen, to be cleared before a line
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread ticker_;
};

}  // namespace

std::unique_ptr<Reporter> make_terminal_reporter(std::ostream& out, util::Clock& clock,
                                                 TerminalOptions options) {
  return std::make_unique<TerminalReporter>(out, clock, std::move(options));
}

int stdout_columns() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

bool color_wanted(bool no_color_flag) {
  const char* no_color = std::getenv("NO_COLOR");
  return !no_color_flag && (no_color == nullptr || *no_color == '\0');
}

}  // namespace sluice::report
