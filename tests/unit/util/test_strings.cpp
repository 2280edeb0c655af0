#include <sluice/util/strings.hpp>

#include <catch2/catch.hpp>

using namespace sluice::util;

TEST_CASE("trim removes blanks and tabs at both ends only") {
  CHECK(trim("  a b\t") == "a b");
  CHECK(trim("\t \t").empty());
  CHECK(trim("").empty());
  CHECK(trim("x") == "x");
  CHECK(trim("value\r\n") == "value\r\n");
}

TEST_CASE("trim removes the characters it is given") {
  CHECK(trim(" value\r\n", " \t\r\n") == "value");
  CHECK(trim("--a-b--", "-") == "a-b");
}

TEST_CASE("join puts the separator between items") {
  CHECK(join({}, ", ").empty());
  CHECK(join({"a"}, ", ") == "a");
  CHECK(join({"a", "b", "c"}, ",") == "a,b,c");
  CHECK(join({"", "b"}, ", ") == ", b");
}

TEST_CASE("ascii_lower lowercases A-Z and leaves other bytes alone") {
  CHECK(ascii_lower("Linux/AMD64") == "linux/amd64");
  CHECK(ascii_lower("Bearer Realm=\"X\"") == "bearer realm=\"x\"");
  CHECK(ascii_lower("\xc3\x84") == "\xc3\x84");  // UTF-8 Ä stays as is
}
