#include <sluice/plan/values.hpp>

#include <sluice/plan/diagnostic.hpp>

#include <cctype>

namespace sluice::plan {

namespace {

// Durations longer than a year are mistakes, and the cap keeps the
// arithmetic far from overflow.
constexpr long long k_max_duration_ms = 366LL * 24 * 3600 * 1000;

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

long long unit_ms(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60LL * 1000;
  if (unit == "h") return 3600LL * 1000;
  return 0;
}

}  // namespace

Parsed<Duration> parse_duration(std::string_view text) {
  const std::string shape = quoted(text) + " is not a duration; write e.g. 500ms, 30s, 10m, 1h or 1h30m";
  if (text.empty()) return shape;
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && is_digit(c);
  if (all_digits)
    return quoted(text) + " needs a unit: ms, s, m or h (e.g. " + std::string(text.substr(0, 12)) + "s)";
  long long total = 0;
  long long previous_unit = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i == start || i - start > 12) return shape;
    long long amount = std::stoll(std::string(text.substr(start, i - start)));
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    long long unit = unit_ms(text.substr(unit_start, i - unit_start));
    if (unit == 0) return shape;
    if (previous_unit != 0 && unit >= previous_unit) return shape;  // "1m1h", "30s30s"
    previous_unit = unit;
    if (amount > k_max_duration_ms / unit) return quoted(text) + " is longer than a year";
    total += amount * unit;
    if (total > k_max_duration_ms) return quoted(text) + " is longer than a year";
  }
  return Duration(total);
}

std::string format_duration(Duration d) {
  long long ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  const std::pair<long long, const char*> units[] = {{3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const auto& [size, name] : units) {
    if (ms >= size) {
      out += std::to_string(ms / size) + name;
      ms %= size;
    }
  }
  return out;
}

Parsed<long long> parse_integer(std::string_view text) {
  std::size_t i = !text.empty() && text[0] == '-' ? 1 : 0;
  if (i == text.size()) return quoted(text) + " is not an integer";
  for (std::size_t j = i; j < text.size(); ++j)
    if (!is_digit(text[j])) return quoted(text) + " is not an integer";
  if (text.size() - i > 12) return quoted(text) + " is out of range";
  return std::stoll(std::string(text));
}

Parsed<IntOrPercent> parse_int_or_percent(std::string_view text) {
  bool percent = !text.empty() && text.back() == '%';
  std::string_view digits = percent ? text.substr(0, text.size() - 1) : text;
  auto number = parse_integer(digits);
  if (std::holds_alternative<std::string>(number) || digits.empty() || digits[0] == '-')
    return quoted(text) + " is not a count or a percentage; write e.g. 1 or 25%";
  long long value = std::get<long long>(number);
  if (percent && value > 100) return quoted(text) + " is more than 100%";
  if (value > 1000000) return quoted(text) + " is out of range";
  return IntOrPercent{static_cast<int>(value), percent};
}

std::string format_int_or_percent(const IntOrPercent& value) {
  return std::to_string(value.value) + (value.percent ? "%" : "");
}

}  // namespace sluice::plan
