// The live view on a terminal: finished events scroll as lines; one status
// line at the bottom is redrawn in place (current step, each version's ready
// pods, a countdown to the end of a timed pause or the next measurement).
// It never wraps (cut to the terminal's width), counts never show more ready
// pods than desired (no "6/5" flicker during a surge), and colour is used only
// when asked (NO_COLOR and --no-color turn it off).
#pragma once

#include <sluice/report/events.hpp>

#include <functional>
#include <memory>

namespace sluice::report {

struct TerminalOptions {
  bool color = true;
  // Columns of the terminal, asked at each redraw (it may be resized); 0: unknown.
  std::function<int()> width = [] { return 0; };
  // Redraw once a second while a countdown runs (off in tests, which drive the clock).
  bool tick = true;
};

std::unique_ptr<Reporter> make_terminal_reporter(std::ostream& out, util::Clock& clock,
                                                 TerminalOptions options);

// The terminal's width in columns, 0 when stdout is not a terminal.
int stdout_columns();

// Whether colour is wanted: not with NO_COLOR set (https://no-color.org), nor with --no-color.
bool color_wanted(bool no_color_flag);

}  // namespace sluice::report
