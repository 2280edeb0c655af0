#include <sluice/util/quote.hpp>

#include <cstdio>

namespace sluice::util {

namespace {

unsigned char byte_at(std::string_view text, std::size_t i) {
  return static_cast<unsigned char>(text[i]);
}

// Length of the UTF-8 sequence at text[i], or 0 when it is not valid UTF-8
// (bad lead byte, truncated, overlong, surrogate or beyond U+10FFFF).
std::size_t sequence_length(std::string_view text, std::size_t i) {
  unsigned char lead = byte_at(text, i);
  if (lead < 0x80) return 1;
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k)
    if ((byte_at(text, i + k) & 0xC0) != 0x80) return 0;
  unsigned char second = byte_at(text, i + 1);
  if (lead == 0xE0 && second < 0xA0) return 0;  // overlong
  if (lead == 0xED && second > 0x9F) return 0;  // UTF-16 surrogates
  if (lead == 0xF0 && second < 0x90) return 0;  // overlong
  if (lead == 0xF4 && second > 0x8F) return 0;  // beyond U+10FFFF
  return length;
}

std::string hex_escape(const char* format, unsigned value) {
  char buf[8];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

// Appends the character of `length` bytes at text[i], escaped when it is a control.
void append_escaped(std::string& out, std::string_view text, std::size_t i, std::size_t length) {
  unsigned char lead = byte_at(text, i);
  // An invalid byte and an unnamed control get the same escape; the order of
  // the branches (invalid first, then the named controls) is the point.
  if (length == 0) {  // NOLINT(bugprone-branch-clone)
    out += hex_escape("\\x%02X", lead);
  } else if (lead == '\n') {
    out += "\\n";
  } else if (lead == '\r') {
    out += "\\r";
  } else if (lead == '\t') {
    out += "\\t";
  } else if (lead < 0x20 || lead == 0x7F) {
    out += hex_escape("\\x%02X", lead);
  } else if (lead == 0xC2 && byte_at(text, i + 1) < 0xA0) {
    // C1 controls (U+0080..U+009F): some terminals act on them like ESC sequences.
    out += hex_escape("\\u%04X", byte_at(text, i + 1));
  } else {
    out.append(text.substr(i, length));
  }
}

// The byte length of the first `limit` characters of `text` (invalid bytes count as one).
std::size_t prefix_length(std::string_view text, std::size_t limit) {
  std::size_t end = 0;
  for (std::size_t characters = 0; end < text.size() && characters < limit; ++characters) {
    std::size_t length = sequence_length(text, end);
    end += length == 0 ? 1 : length;
  }
  return end;
}

std::string size_note(std::string_view text) {
  return " (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace

std::string escape_control(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = sequence_length(text, i);
    append_escaped(out, text, i, length);
    i += length == 0 ? 1 : length;
  }
  return out;
}

std::string clip(std::string_view text, std::size_t limit) {
  std::size_t end = prefix_length(text, limit);
  if (end == text.size()) return escape_control(text);
  return escape_control(text.substr(0, end)) + "\u2026" + size_note(text);
}

std::string quoted(std::string_view text, char quote, std::size_t limit) {
  std::size_t end = prefix_length(text, limit);
  std::string out = quote + escape_control(text.substr(0, end));
  if (end == text.size()) return out + quote;
  return out + "\u2026" + quote + size_note(text);
}

}  // namespace sluice::util
