#include <sluice/registry/registry.hpp>

#include <catch2/catch.hpp>

using sluice::registry::missing_platforms;
using sluice::registry::parse_platform;
using sluice::registry::Platform;
using sluice::registry::platform_matches;

TEST_CASE("platforms parse as os/architecture[/variant]") {
  auto p = parse_platform("linux/arm/v7");
  REQUIRE(p.ok());
  CHECK(p->str() == "linux/arm/v7");
  CHECK(parse_platform("Linux/AMD64")->str() == "linux/amd64");
  for (std::string bad : {"linux", "linux/", "/amd64", "linux/arm/v7/x", "linux/amd 64"}) {
    INFO(bad);
    auto r = parse_platform(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message ==
          "invalid platform \"" + bad + "\": want os/architecture[/variant], e.g. linux/arm64");
  }
}

TEST_CASE("platform matching treats equivalent variants and aliases alike") {
  struct Row {
    Platform wanted, available;
    bool match;
  };
  auto rows = std::vector<Row>{
      {{"linux", "arm64", ""}, {"linux", "arm64", "v8"}, true},
      {{"linux", "arm64", "v8"}, {"linux", "arm64", ""}, true},
      {{"linux", "arm", ""}, {"linux", "arm", "v7"}, true},
      {{"linux", "arm", "v7"}, {"linux", "arm", "v6"}, false},
      {{"linux", "arm", "v6"}, {"linux", "arm", ""}, false},
      {{"linux", "amd64", ""}, {"linux", "x86_64", ""}, true},
      {{"linux", "arm64", ""}, {"linux", "aarch64", ""}, true},
      {{"linux", "amd64", ""}, {"windows", "amd64", ""}, false},
      {{"linux", "amd64", ""}, {"linux", "arm64", ""}, false},
  };
  for (const auto& row : rows) {
    INFO(row.wanted.str() << " vs " << row.available.str());
    CHECK(platform_matches(row.wanted, row.available) == row.match);
  }
}

TEST_CASE("missing platforms are listed in the order asked") {
  std::vector<Platform> have{{"linux", "amd64", ""}, {"linux", "arm64", "v8"}};
  auto missing =
      missing_platforms({{"linux", "s390x", ""}, {"linux", "arm64", ""}, {"linux", "arm", "v7"}}, have);
  REQUIRE(missing.size() == 2);
  CHECK(missing[0].str() == "linux/s390x");
  CHECK(missing[1].str() == "linux/arm/v7");
  CHECK(missing_platforms({}, have).empty());
}
