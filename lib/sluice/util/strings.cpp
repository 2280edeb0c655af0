#include <sluice/util/strings.hpp>

namespace sluice::util {

std::string_view trim(std::string_view text, std::string_view chars) {
  auto begin = text.find_first_not_of(chars);
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(chars);
  return text.substr(begin, end - begin + 1);
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string ascii_lower(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

}  // namespace sluice::util
