// RFC 3339 timestamps as Kubernetes writes them: "2026-01-02T03:04:05Z" for
// metadata times and "2026-01-02T03:04:05.123456Z" (MicroTime) for Leases.
#pragma once

#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <string>
#include <string_view>

namespace sluice::util {

// UTC, seconds precision, "Z" suffix (metav1.Time).
std::string format_rfc3339(WallTime time);
// UTC with exactly six fractional digits (metav1.MicroTime).
std::string format_rfc3339_micro(WallTime time);

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)"; 't'/'z' and a
// space separator are accepted too. Fractions beyond microseconds are
// truncated. Anything else is an Error of kind invalid.
Result<WallTime> parse_rfc3339(std::string_view text);

}  // namespace sluice::util
