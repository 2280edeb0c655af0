// The live terminal view, seen in a real terminal: sluice runs inside tmux at
// 80 and at 200 columns and the screen is read back (`capture-pane`).
//
// Given  a canary of web:2 with a 3 s timed pause,
// When   `sluice apply` runs in a tmux window of 80 (colour) or 200 (NO_COLOR) columns,
// Then   the pause counts down on the status line, no line carries a fragment
//        of an earlier status line (nothing wrapped), no version shows more
//        ready pods than desired, the outcome is green only with colour on.
#include "scenario/engine/world.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <unistd.h>

using sluice::scenario::World;

namespace {

class TmuxWindow {
 public:
  TmuxWindow(const std::string& socket, int columns, const std::string& script) : socket_(socket) {
    auto started =
        sluice::test::run("/usr/bin/tmux", {"-L", socket_, "-f", "/dev/null", "new-session", "-d", "-x",
                                            std::to_string(columns), "-y", "60", "sh " + script});
    REQUIRE(started.exit_code == 0);
  }
  ~TmuxWindow() { sluice::test::run("/usr/bin/tmux", {"-L", socket_, "kill-server"}); }
  TmuxWindow(const TmuxWindow&) = delete;
  TmuxWindow& operator=(const TmuxWindow&) = delete;

  // The screen as shown; `joined` joins wrapped lines, `escapes` keeps colours, whole history.
  std::string screen(bool joined = false, bool escapes = false) {
    std::vector<std::string> args{"-L", socket_, "capture-pane", "-p", "-S", "-"};
    if (joined) args.emplace_back("-J");
    if (escapes) args.emplace_back("-e");
    return sluice::test::run("/usr/bin/tmux", args).out;
  }

 private:
  std::string socket_;
};

struct Seen {
  bool countdown = false;  // "pause ends in 0:0N" on some frame
  bool overfull = false;   // a version with more ready than desired
  std::string last, joined, coloured;
};

Seen watch_apply(World& w, int columns, bool no_color) {
  auto plan = w.write_plan("web.yaml",
                           w.canary_plan(w.image("web", "2"),
                                         "    steps:\n      - setWeight: 34\n      - pause: {duration: 3s}\n"
                                         "      - setWeight: 100\n"));
  const char* bin = std::getenv("SLUICE_BIN");
  const std::string script = w.dir.path() + "/run-" + std::to_string(columns) + ".sh";
  std::ofstream(script) << (no_color ? "export NO_COLOR=1\n" : "unset NO_COLOR\n") << (bin ? bin : "sluice")
                        << " --kubeconfig " << w.kubeconfig << " apply " << plan
                        << "; echo EXIT=$?; sleep 60\n";
  TmuxWindow window("sluice-view-" + std::to_string(::getpid()) + "-" + std::to_string(columns), columns,
                    script);
  Seen seen;
  const std::regex counts(R"(web[-\w]* (\d+)/(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    seen.last = window.screen();
    seen.countdown = seen.countdown || seen.last.find("pause ends in 0:0") != std::string::npos;
    for (std::sregex_iterator m(seen.last.begin(), seen.last.end(), counts), end; m != end; ++m)
      seen.overfull = seen.overfull || std::stoi((*m)[1]) > std::stoi((*m)[2]);
    if (seen.last.find("EXIT=") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  seen.joined = window.screen(true);
  seen.coloured = window.screen(false, true);
  return seen;
}

// Lines holding two elapsed-time prefixes: an earlier status line's fragment.
std::vector<std::string> fragments(const std::string& screen) {
  std::vector<std::string> out;
  const std::regex prefix(R"(\[\s*\d+\.\ds\])");
  std::istringstream lines(screen);
  for (std::string line; std::getline(lines, line);) {
    auto n = std::distance(std::sregex_iterator(line.begin(), line.end(), prefix), std::sregex_iterator());
    if (n > 1) out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("terminal view at 80 and 200 columns: countdown, no wrapped fragments, colour as asked",
          "[terminal]") {
  for (auto [columns, no_color] : {std::pair{80, false}, std::pair{200, true}}) {
    World w(3);
    Seen seen = watch_apply(w, columns, no_color);
    INFO(columns << " columns, screen:\n" << seen.joined);
    CHECK(seen.last.find("EXIT=0") != std::string::npos);
    CHECK(seen.joined.find("finished: Healthy") != std::string::npos);
    CHECK(seen.countdown);
    CHECK_FALSE(seen.overfull);
    CHECK(fragments(seen.joined).empty());
    CHECK((seen.coloured.find("\033[32mfinished: Healthy") != std::string::npos) == !no_color);
  }
}
