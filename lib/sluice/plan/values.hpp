// Typed scalar values of the plan format: durations (`500ms`, `30s`, `1h30m`),
// integers and int-or-percent (`25%`). Parse errors are plain messages; the
// caller adds where in the file the value was.
#pragma once

#include <sluice/plan/model.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace sluice::plan {

// Either the value or a message saying what is wrong with the text.
template <class T>
using Parsed = std::variant<T, std::string>;

// One or more <integer><unit> pairs, unit one of ms, s, m, h, largest first.
Parsed<Duration> parse_duration(std::string_view text);
// The shortest text parse_duration reads back as `d`: 90000ms -> "1m30s".
std::string format_duration(Duration d);

// A decimal integer, optionally negative; no sign, spaces or fractions accepted.
Parsed<long long> parse_integer(std::string_view text);

// "25%" or "3".
Parsed<IntOrPercent> parse_int_or_percent(std::string_view text);
std::string format_int_or_percent(const IntOrPercent& value);

}  // namespace sluice::plan
