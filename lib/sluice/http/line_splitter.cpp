#include <sluice/http/line_splitter.hpp>

namespace sluice::http {
namespace {

std::string without_cr(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

LineSplitter::Outcome LineSplitter::feed(std::string_view bytes,
                                         const std::function<bool(const std::string&)>& on_line) {
  while (!bytes.empty()) {
    size_t newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      partial_.append(bytes);
      return partial_.size() > max_line_ ? Outcome::too_long : Outcome::more;
    }
    partial_.append(bytes.substr(0, newline));
    bytes.remove_prefix(newline + 1);
    if (partial_.size() > max_line_) return Outcome::too_long;
    std::string line = without_cr(std::move(partial_));
    partial_.clear();
    if (!on_line(line)) return Outcome::stopped;
  }
  return Outcome::more;
}

bool LineSplitter::finish(const std::function<bool(const std::string&)>& on_line) {
  if (partial_.empty()) return true;
  std::string line = without_cr(std::move(partial_));
  partial_.clear();
  return on_line(line);
}

}  // namespace sluice::http
