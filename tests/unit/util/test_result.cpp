#include <sluice/util/result.hpp>

#include <catch2/catch.hpp>

using sluice::util::ErrorKind;
using sluice::util::make_error;
using sluice::util::Result;

TEST_CASE("a Result holds either a value or a typed error") {
  Result<int> good = 42;
  REQUIRE(good.ok());
  CHECK(*good == 42);

  Result<int> bad = make_error(ErrorKind::not_found, "no such plan");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::not_found);
  CHECK(bad.error().with_context("reading plan 'web.yaml'").message ==
        "reading plan 'web.yaml': no such plan");
}

TEST_CASE("a void Result is ok unless it carries an error") {
  sluice::util::Status fine;
  CHECK(fine.ok());
  sluice::util::Status failed = make_error(ErrorKind::timeout, "deadline passed");
  CHECK_FALSE(failed.ok());
  CHECK(std::string(sluice::util::to_string(failed.error().kind)) == "timeout");
}
