// Untrusted text quoted in a message can neither drive the terminal nor
// split the line, and a huge value is cut to a readable size.
#include <sluice/util/quote.hpp>

#include <catch2/catch.hpp>

#include <string>

using sluice::util::clip;
using sluice::util::escape_control;
using sluice::util::quoted;

TEST_CASE("escape_control makes control characters visible") {
  CHECK(escape_control("a\nb") == "a\\nb");
  CHECK(escape_control("\r\t") == "\\r\\t");
  CHECK(escape_control("\x1b[31mred\x07") == "\\x1B[31mred\\x07");
  CHECK(escape_control(std::string("nul\0x", 5)) == "nul\\x00x");
  CHECK(escape_control("del\x7f") == "del\\x7F");
}

TEST_CASE("escape_control escapes C1 controls and bytes that are not UTF-8") {
  CHECK(escape_control("csi\xc2\x9b"
                       "2J") == "csi\\u009B2J");
  CHECK(escape_control("caf\xe9") == "caf\\xE9");
  CHECK(escape_control("\xed\xa0\x80") == "\\xED\\xA0\\x80");  // a UTF-16 surrogate
}

TEST_CASE("escape_control leaves printable text and UTF-8 alone") {
  CHECK(escape_control("registry.example.com/shop/app:1.4.2") == "registry.example.com/shop/app:1.4.2");
  CHECK(escape_control("caf\xc3\xa9 \xe2\x9c\x93 back\\slash") == "caf\xc3\xa9 \xe2\x9c\x93 back\\slash");
  CHECK(escape_control("\xc2\xa0") == "\xc2\xa0");  // no-break space is not a control
}

TEST_CASE("quoted puts text in quotes, escaped") {
  CHECK(quoted("web") == "'web'");
  CHECK(quoted("a\nb", '"') == "\"a\\nb\"");
  CHECK(quoted("") == "''");
}

TEST_CASE("quoted cuts long text after the limit and gives its size") {
  CHECK(quoted(std::string(80, 'a')) == "'" + std::string(80, 'a') + "'");
  CHECK(quoted(std::string(900000, 'a')) == "'" + std::string(80, 'a') + "\u2026' (900000 bytes)");
  CHECK(quoted("abcdef", '"', 3) == "\"abc\u2026\" (6 bytes)");
}

TEST_CASE("quoted counts characters, so it never cuts one in half") {
  std::string e_acute = "\xc3\xa9";
  std::string text;
  for (int i = 0; i < 5; ++i) text += e_acute;
  CHECK(quoted(text, '\'', 3) == "'" + e_acute + e_acute + e_acute + "\u2026' (10 bytes)");
  CHECK(quoted("\n\n\n\n", '\'', 2) == "'\\n\\n\u2026' (4 bytes)");
}

TEST_CASE("clip escapes and cuts like quoted, without the quotes") {
  CHECK(clip("a\tb") == "a\\tb");
  CHECK(clip("abcdef", 3) == "abc\u2026 (6 bytes)");
  CHECK(clip(std::string(80, 'x')) == std::string(80, 'x'));
}
