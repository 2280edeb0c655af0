#include <sluice/plan/diagnostic.hpp>

#include <sluice/util/quote.hpp>

namespace sluice::plan {

std::string quoted(std::string_view text, std::size_t limit) {
  return util::quoted(text, '\'', limit);
}

std::string Diagnostic::to_string() const {
  std::string out = util::escape_control(file);
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  // A path is made of the plan's keys: a hostile key must not make it huge.
  if (!path.empty()) out += util::clip(path, 200) + ": ";
  return out + util::escape_control(message);
}

}  // namespace sluice::plan
