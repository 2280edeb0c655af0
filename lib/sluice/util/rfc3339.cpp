#include <sluice/util/rfc3339.hpp>

#include <fmt/format.h>

#include <cctype>

namespace sluice::util {
namespace {

using namespace std::chrono;

std::string format_with(WallTime time, bool micros) {
  auto us = time_point_cast<microseconds>(time);
  auto day = floor<days>(us);
  year_month_day ymd{day};
  hh_mm_ss hms{us - day};
  auto text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                          static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                          hms.hours().count(), hms.minutes().count(), hms.seconds().count());
  if (micros) text += fmt::format(".{:06}", hms.subseconds().count());
  return text + "Z";
}

// Reads exactly `width` digits at `pos`; -1 when they are not all digits.
int digits(std::string_view s, size_t pos, size_t width) {
  if (pos + width > s.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

bool expect(std::string_view s, size_t pos, std::string_view choices) {
  return pos < s.size() && choices.find(s[pos]) != std::string_view::npos;
}

Error bad(std::string_view text, const char* what) {
  return make_error(ErrorKind::invalid, fmt::format("invalid RFC 3339 time '{}': {}", text, what));
}

// Parses the fraction starting at `pos` (just after '.'); advances pos.
microseconds fraction(std::string_view s, size_t& pos) {
  long value = 0;
  int count = 0;
  for (; pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])); ++pos, ++count) {
    if (count < 6) value = value * 10 + (s[pos] - '0');
  }
  for (; count < 6; ++count) value *= 10;
  return microseconds{value};
}

}  // namespace

std::string format_rfc3339(WallTime time) {
  return format_with(time, false);
}
std::string format_rfc3339_micro(WallTime time) {
  return format_with(time, true);
}

Result<WallTime> parse_rfc3339(std::string_view s) {
  int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  int h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || !expect(s, 4, "-") || !expect(s, 7, "-") ||
      !expect(s, 10, "Tt ") || !expect(s, 13, ":") || !expect(s, 16, ":")) {
    return bad(s, "expected YYYY-MM-DDTHH:MM:SS");
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return bad(s, "field out of range");
  size_t pos = 19;
  microseconds sub{0};
  if (expect(s, pos, ".")) {
    ++pos;
    if (!expect(s, pos, "0123456789")) return bad(s, "empty fraction");
    sub = fraction(s, pos);
  }
  minutes offset{0};
  if (expect(s, pos, "Zz")) {
    ++pos;
  } else if (expect(s, pos, "+-")) {
    int oh = digits(s, pos + 1, 2), om = digits(s, pos + 4, 2);
    if (oh < 0 || om < 0 || !expect(s, pos + 3, ":") || oh > 23 || om > 59) return bad(s, "bad zone offset");
    offset = hours{oh} + minutes{om};
    if (s[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return bad(s, "missing zone (Z or +hh:mm)");
  }
  if (pos != s.size()) return bad(s, "trailing characters");
  auto utc = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + sub - offset;
  return WallTime{duration_cast<WallTime::duration>(utc.time_since_epoch())};
}

}  // namespace sluice::util
