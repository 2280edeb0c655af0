// Small string helpers the product shares instead of each folder keeping its
// own copy: trimming, joining and ASCII lowercasing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::util {

// `text` without leading and trailing characters from `chars` (default: blanks and tabs).
std::string_view trim(std::string_view text, std::string_view chars = " \t");

// The items with `separator` between them ("" for none).
std::string join(const std::vector<std::string>& items, std::string_view separator);

// `text` with A-Z turned into a-z; other bytes (UTF-8 included) unchanged.
std::string ascii_lower(std::string text);

}  // namespace sluice::util
