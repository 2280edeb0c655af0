// resource.Quantity as the apiserver keeps it: parsed exactly (to nano
// units), compared, and written back in canonical form ("1000m" -> "1",
// "1024Mi" -> "1Gi", "0.5" -> "500m"), keeping the input's format family.
#pragma once

#include <optional>
#include <string>

namespace kubesim {

struct Quantity {
  enum class Format { decimal_si, binary_si, decimal_exponent };
  __int128 nano = 0;  // value * 10^9, rounded up as Quantity rounds below nano
  Format format = Format::decimal_si;
};

// nullopt when `text` is not a quantity (the decoder's regex and suffixes).
std::optional<Quantity> parse_quantity(const std::string& text);
std::string canonical_quantity(const Quantity& q);
// < 0, 0, > 0 as a compares to b.
int compare_quantities(const Quantity& a, const Quantity& b);

}  // namespace kubesim
