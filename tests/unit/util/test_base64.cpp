#include <catch2/catch.hpp>

#include <sluice/util/base64.hpp>

using sluice::util::base64_decode;
using sluice::util::base64_encode;
using sluice::util::ErrorKind;

TEST_CASE("base64_encode follows the RFC 4648 test vectors") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64_decode inverts encode for every byte value") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  auto decoded = base64_decode(base64_encode(all));
  REQUIRE(decoded.ok());
  CHECK(*decoded == all);
}

TEST_CASE("base64_decode accepts url-safe, unpadded and wrapped input") {
  SECTION("unpadded") {
    CHECK(*base64_decode("Zm9vYg") == "foob");
  }
  SECTION("url-safe alphabet") {
    CHECK(*base64_decode("-_8=") == *base64_decode("+/8="));
  }
  SECTION("line breaks") {
    CHECK(*base64_decode("Zm9v\nYmFy\n") == "foobar");
  }
}

TEST_CASE("base64_decode rejects malformed input") {
  SECTION("foreign character") {
    auto r = base64_decode("Zm9v*");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::invalid);
    CHECK(r.error().message == "invalid base64: unexpected character at offset 4");
  }
  SECTION("data after padding") {
    CHECK_FALSE(base64_decode("Zg==Zg").ok());
  }
  SECTION("single leftover character") {
    auto r = base64_decode("Zm9vY");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "invalid base64: truncated input");
  }
}
