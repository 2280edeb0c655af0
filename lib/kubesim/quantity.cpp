// Canonical form follows apimachinery pkg/api/resource/quantity.go
// (CanonicalizeBytes): the largest suffix that keeps the number an integer,
// decimal values below nano rounded up, binary values under 1024 or with a
// fraction written in decimal SI.
#include <kubesim/quantity.hpp>

#include <array>
#include <regex>
#include <utility>

namespace kubesim {

namespace {

using Int = __int128;

Int power(Int base, int exponent) {
  Int out = 1;
  for (int i = 0; i < exponent; ++i) out *= base;
  return out;
}

// The multiplier of a suffix, in nano units, and the format it implies.
std::optional<std::pair<Int, Quantity::Format>> suffix_scale(const std::string& suffix) {
  using F = Quantity::Format;
  static const std::array<std::pair<const char*, int>, 10> decimal = {{{"n", 0},
                                                                       {"u", 3},
                                                                       {"m", 6},
                                                                       {"", 9},
                                                                       {"k", 12},
                                                                       {"M", 15},
                                                                       {"G", 18},
                                                                       {"T", 21},
                                                                       {"P", 24},
                                                                       {"E", 27}}};
  for (const auto& [name, exponent] : decimal) {
    if (suffix == name) return std::make_pair(power(10, exponent), F::decimal_si);
  }
  static const std::array<const char*, 6> binary = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  for (std::size_t i = 0; i < binary.size(); ++i) {
    if (suffix == binary[i])
      return std::make_pair(power(1024, static_cast<int>(i) + 1) * power(10, 9), F::binary_si);
  }
  if (suffix.size() >= 2 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    const int exponent = std::stoi(suffix.substr(1)) + 9;
    if (exponent < 0 || exponent > 36) return std::nullopt;
    return std::make_pair(power(10, exponent), F::decimal_exponent);
  }
  return std::nullopt;
}

std::string to_string(Int value) {
  if (value == 0) return "0";
  const bool negative = value < 0;
  if (negative) value = -value;
  std::string out;
  while (value > 0) {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  }
  return negative ? "-" + out : out;
}

std::string canonical_decimal(Int nano, bool exponent_form) {
  static const std::array<std::pair<const char*, int>, 10> suffixes = {{{"E", 27},
                                                                        {"P", 24},
                                                                        {"T", 21},
                                                                        {"G", 18},
                                                                        {"M", 15},
                                                                        {"k", 12},
                                                                        {"", 9},
                                                                        {"m", 6},
                                                                        {"u", 3},
                                                                        {"n", 0}}};
  for (const auto& [name, exponent] : suffixes) {
    const Int scale = power(10, exponent);
    if (nano % scale != 0) continue;
    if (!exponent_form) return to_string(nano / scale) + name;
    const int e = exponent - 9;
    return to_string(nano / scale) + (e == 0 ? "" : "e" + std::to_string(e));
  }
  return to_string(nano) + "n";
}

}  // namespace

std::optional<Quantity> parse_quantity(const std::string& text) {
  static const std::regex pattern("^([+-]?)([0-9]*)(?:\\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$");
  std::smatch m;
  if (!std::regex_match(text, m, pattern) || (m[2].length() == 0 && m[3].length() == 0)) return std::nullopt;
  const auto scale = suffix_scale(m[4].str());
  if (!scale) return std::nullopt;
  const std::string whole = m[2].str();
  const std::string fraction = m[3].str();
  if (whole.size() + fraction.size() > 30) return std::nullopt;
  Int digits = 0;
  for (char c : whole + fraction) digits = digits * 10 + (c - '0');
  const Int divisor = power(10, static_cast<int>(fraction.size()));
  Int nano = digits * scale->first;
  nano = nano / divisor + (nano % divisor != 0 ? 1 : 0);  // rounds up, as Quantity does
  Quantity q;
  q.nano = m[1].str() == "-" ? -nano : nano;
  q.format = scale->second;
  return q;
}

std::string canonical_quantity(const Quantity& q) {
  const Int unit = power(10, 9);
  const bool integral = q.nano % unit == 0;
  if (q.format == Quantity::Format::binary_si && integral &&
      (q.nano >= 1024 * unit || q.nano <= -1024 * unit)) {
    static const std::array<const char*, 6> suffixes = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
    const Int value = q.nano / unit;
    for (std::size_t i = 0; i < suffixes.size(); ++i) {
      const Int scale = power(1024, 6 - static_cast<int>(i));
      if (value % scale == 0) return to_string(value / scale) + suffixes[i];
    }
    return to_string(value);
  }
  return canonical_decimal(q.nano, q.format == Quantity::Format::decimal_exponent);
}

int compare_quantities(const Quantity& a, const Quantity& b) {
  return a.nano < b.nano ? -1 : (a.nano > b.nano ? 1 : 0);
}

}  // namespace kubesim
