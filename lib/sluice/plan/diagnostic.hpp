// One problem found in a plan file, printed on one line as
// `file:line:column: field.path: what is wrong` (docs/plan-format.md).
#pragma once

#include <string>
#include <string_view>

namespace sluice::plan {

struct Diagnostic {
  std::string file;
  int line = 0;  // 1-based; 0 when the problem is with the file as a whole
  int column = 0;
  std::string path;  // e.g. strategy.canary.steps[2].pause.duration; empty for syntax errors
  std::string message;

  // `file:line:column: path: message`, leaving out the parts that are unknown.
  std::string to_string() const;
};

// `text` in single quotes for a message: control characters escaped (so a
// message stays one line) and long text cut after `limit` characters
// (util::quoted).
std::string quoted(std::string_view text, std::size_t limit = 80);

}  // namespace sluice::plan
