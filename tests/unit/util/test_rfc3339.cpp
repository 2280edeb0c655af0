#include <catch2/catch.hpp>

#include <sluice/util/rfc3339.hpp>

using namespace std::chrono;
using sluice::util::format_rfc3339;
using sluice::util::format_rfc3339_micro;
using sluice::util::parse_rfc3339;
using sluice::util::WallTime;

namespace {
// 2026-01-02T03:04:05.123456Z
WallTime sample() {
  return WallTime{duration_cast<WallTime::duration>(
      (sys_days{2026y / 1 / 2} + 3h + 4min + 5s + 123456us).time_since_epoch())};
}
}  // namespace

TEST_CASE("format_rfc3339 writes UTC with seconds or microseconds") {
  CHECK(format_rfc3339(sample()) == "2026-01-02T03:04:05Z");
  CHECK(format_rfc3339_micro(sample()) == "2026-01-02T03:04:05.123456Z");
  CHECK(format_rfc3339_micro(WallTime{}) == "1970-01-01T00:00:00.000000Z");
}

TEST_CASE("parse_rfc3339 reads what Kubernetes writes") {
  SECTION("MicroTime round trip") {
    CHECK(*parse_rfc3339("2026-01-02T03:04:05.123456Z") == sample());
  }
  SECTION("seconds only") {
    CHECK(format_rfc3339(*parse_rfc3339("2026-01-02T03:04:05Z")) == "2026-01-02T03:04:05Z");
  }
  SECTION("zone offset") {
    CHECK(*parse_rfc3339("2026-01-02T05:34:05.123456+02:30") == sample());
  }
  SECTION("negative offset") {
    CHECK(*parse_rfc3339("2026-01-01T23:04:05.123456-04:00") == sample());
  }
  SECTION("nanoseconds truncated") {
    CHECK(*parse_rfc3339("2026-01-02T03:04:05.123456789Z") == sample());
  }
  SECTION("short fraction") {
    CHECK(format_rfc3339_micro(*parse_rfc3339("2026-01-02T03:04:05.5Z")) == "2026-01-02T03:04:05.500000Z");
  }
}

TEST_CASE("parse_rfc3339 rejects malformed times with a reason") {
  auto message = [](const char* text) { return parse_rfc3339(text).error().message; };
  CHECK(message("2026-01-02") == "invalid RFC 3339 time '2026-01-02': expected YYYY-MM-DDTHH:MM:SS");
  CHECK(message("2026-02-30T00:00:00Z") ==
        "invalid RFC 3339 time '2026-02-30T00:00:00Z': field out of range");
  CHECK(message("2026-01-02T03:04:05") ==
        "invalid RFC 3339 time '2026-01-02T03:04:05': missing zone (Z or +hh:mm)");
  CHECK(message("2026-01-02T03:04:05Zx") ==
        "invalid RFC 3339 time '2026-01-02T03:04:05Zx': trailing characters");
  CHECK(message("2026-01-02T03:04:05.Z") == "invalid RFC 3339 time '2026-01-02T03:04:05.Z': empty fraction");
}
