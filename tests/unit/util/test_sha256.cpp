#include <catch2/catch.hpp>

#include <sluice/util/sha256.hpp>

using sluice::util::Sha256;
using sluice::util::sha256_hex;

TEST_CASE("sha256_hex matches the FIPS 180-2 test vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Sha256 fed in pieces equals the one-shot digest") {
  Sha256 hasher;
  hasher.update("a");
  hasher.update("");
  hasher.update("bc");
  CHECK(hasher.hex_digest() == sha256_hex("abc"));
}

TEST_CASE("sha256_hex hashes embedded NUL bytes") {
  std::string bytes("a\0b", 3);
  CHECK(sha256_hex(bytes) != sha256_hex("ab"));
  CHECK(sha256_hex(bytes).size() == 64);
}
