// Quoting untrusted input (plan values, references, server answers) in a
// message: control characters become visible escapes, so nothing can drive
// the terminal or split a line, and long values are cut to a readable size.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::util {

// How many characters of a value a message shows before cutting it.
inline constexpr std::size_t k_quote_limit = 80;

// `text` with C0 controls, DEL and C1 controls as escapes (\n, \r, \t, \x1B,
// \u009B) and bytes that are not UTF-8 as \xHH; everything else unchanged.
std::string escape_control(std::string_view text);

// `text` escaped; past `limit` characters it is cut and the size is added:
// aaaa… (900000 bytes).
std::string clip(std::string_view text, std::size_t limit = k_quote_limit);

// `text` escaped and between `quote` characters; past `limit` characters it
// is cut and the size is added: 'aaaa…' (900000 bytes).
std::string quoted(std::string_view text, char quote = '\'', std::size_t limit = k_quote_limit);

}  // namespace sluice::util
