#include <sluice/plan/diagnostic.hpp>

#include <cstdio>

namespace sluice::plan {

namespace {

// Escapes control characters so that nothing a plan contains can split a
// diagnostic over several lines.
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", byte);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string quoted(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return "'" + one_line(text) + "'";
  // Cut on a UTF-8 character boundary.
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return "'" + one_line(text.substr(0, cut)) + "...'";
}

std::string Diagnostic::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!path.empty()) out += one_line(path) + ": ";
  return out + one_line(message);
}

}  // namespace sluice::plan
