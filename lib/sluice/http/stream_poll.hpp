// How often an idle stream (a watch) wakes to check its idle limit. A
// cancel wakes it at once whatever this is; tests set it very long to show
// that nothing else is waited for.
#pragma once

#include <chrono>

namespace sluice::http {

std::chrono::milliseconds stream_poll_interval();          // default 25 ms
void set_stream_poll_interval(std::chrono::milliseconds);  // process-wide
}  // namespace sluice::http
