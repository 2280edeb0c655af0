#include <sluice/http/retry.hpp>

#include <sluice/util/backoff.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

namespace sluice::http {
namespace {

using namespace std::chrono;

bool all_digits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

int month_number(std::string_view name) {
  static constexpr std::array<std::string_view, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (size_t i = 0; i < k_months.size(); ++i) {
    if (k_months[i] == name) return static_cast<int>(i) + 1;
  }
  return 0;
}

// IMF-fixdate, the form RFC 9110 requires senders to use:
// "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<system_clock::time_point> parse_http_date(const std::string& s) {
  char weekday[4] = {}, month[4] = {}, zone[4] = {};
  int d = 0, y = 0, h = 0, mi = 0, sec = 0, consumed = 0;
  if (std::sscanf(s.c_str(), "%3s, %d %3s %d %d:%d:%d %3s%n", weekday, &d, month, &y, &h, &mi, &sec, zone,
                  &consumed) != 8 ||
      static_cast<size_t>(consumed) != s.size() || std::strcmp(zone, "GMT") != 0) {
    return std::nullopt;
  }
  int m = month_number(month);
  year_month_day ymd{year{y}, std::chrono::month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (m == 0 || !ymd.ok() || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return std::nullopt;
  return system_clock::time_point{sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec}};
}

}  // namespace

std::optional<Duration> parse_retry_after(const std::string& raw, system_clock::time_point now) {
  auto first = raw.find_first_not_of(" \t");
  if (first == std::string::npos) return std::nullopt;
  std::string value = raw.substr(first, raw.find_last_not_of(" \t") - first + 1);
  if (all_digits(value)) {
    // More than a day is nonsense for a retry; clamp instead of overflowing.
    if (value.size() > 6) return Duration{hours{24}};
    return duration_cast<Duration>(seconds{std::stol(value)});
  }
  auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  if (*when <= now) return Duration{0};
  return duration_cast<Duration>(*when - now);
}

Duration backoff_delay(const RetryPolicy& policy, int attempt, std::optional<Duration> retry_after,
                       double random01) {
  if (retry_after) return std::min(*retry_after, policy.max_delay);
  return util::equal_jitter(util::doubling_backoff(policy.base_delay, attempt, policy.max_delay), random01);
}

}  // namespace sluice::http
