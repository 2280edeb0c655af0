// Process-wide log setup for the sluice binary: spdlog's default logger on
// stderr at a level chosen by -v. Library code logs through spdlog only.
#pragma once

namespace sluice::util {

// 0: warnings and errors only; 1 (-v): each HTTP request and answer, with
// credentials redacted; 2+ (-vv): request and response headers too, redacted.
void configure_logging(int verbosity);

}  // namespace sluice::util
